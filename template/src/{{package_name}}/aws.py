"""AWS clients, built once per process and reused by warm invocations.

Timeouts and retries are set here, not left to defaults, so the time one AWS
call may take is visible next to the function's own timeout. The endpoint
comes from AWS_ENDPOINT_URL when set (boto3 reads it), which is how the
emulator switch works. `clear_clients` forgets them all: tests use it, and
so does the SnapStart restore hook, since a restored snapshot must not reuse
connections or credentials from the moment it was taken.

DynamoDB is used through the low-level client only, with the typed values
converted here: boto3's resource layer would build a second client at
start-up and walk every call's parameters once more (docs/performance.md).
"""

from __future__ import annotations

import decimal
import functools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools.utilities.parameters import SSMProvider
from boto3.dynamodb.types import DYNAMODB_CONTEXT, TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_secretsmanager.client import SecretsManagerClient
    from mypy_boto3_sqs.client import SQSClient

_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": 3},
)


_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


@functools.cache
def dynamodb_client() -> DynamoDBClient:
    """Return the DynamoDB client of the records, budget and idempotency tables."""
    return boto3.client("dynamodb", config=_CONFIG)


def to_attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return `values` as DynamoDB typed values; numbers must be Decimal or int."""
    return {name: _SERIALIZER.serialize(value) for name, value in values.items()}


# What DynamoDB stores of a number, in words, for the messages that refuse one.
NUMBER_LIMITS = "at most 38 significant digits, and 1E-130 to 9.99E+125 in size"


def storable_number(number: int | float) -> bool:
    """Whether DynamoDB can store `number` (floats as their shortest repr).

    boto3 refuses one it cannot (NaN, an infinity, too many digits, too
    large or too small) only when a write is sent, which for a model's
    output is after the call is paid for; checking first allows a clear
    refusal.
    """
    if isinstance(number, float):
        if not math.isfinite(number):
            return False
        exact = decimal.Decimal(repr(number))
    else:
        exact = decimal.Decimal(number)
    try:
        # The context boto3 serialises numbers with: it traps any rounding.
        DYNAMODB_CONTEXT.create_decimal(exact)
    except decimal.DecimalException:
        return False
    return True


def from_attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    """Return an item of DynamoDB typed values as Python values (numbers Decimal)."""
    return {name: _DESERIALIZER.deserialize(value) for name, value in item.items()}


@functools.cache
def sqs() -> SQSClient:
    """Return the SQS client for the retry and dead-letter queues."""
    return boto3.client("sqs", config=_CONFIG)


@functools.cache
def s3() -> S3Client:
    """Return the S3 client for the quarantine bucket."""
    return boto3.client("s3", config=_CONFIG)


@functools.cache
def secrets() -> SecretsManagerClient:
    """Return the Secrets Manager client that reads the model API key."""
    return boto3.client("secretsmanager", config=_CONFIG)


@functools.cache
def parameters() -> SSMProvider:
    """Return the Powertools SSM provider (with its cache) for the kill switch."""
    return SSMProvider(boto3_client=boto3.client("ssm", config=_CONFIG))


def condition_failed(error: ClientError) -> bool:
    """Say whether a DynamoDB write was refused by its condition expression."""
    code = error.response.get("Error", {}).get("Code")
    return code == "ConditionalCheckFailedException"


def build_clients() -> None:
    """Build every client the handlers use, so no request pays for it."""
    dynamodb_client()
    sqs()
    s3()
    parameters()


def clear_clients() -> None:
    """Forget the built clients, so the next call builds them again."""
    for factory in (dynamodb_client, sqs, s3, secrets, parameters):
        factory.cache_clear()
