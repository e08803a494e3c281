"""AWS clients, built once per process and reused by warm invocations.

Timeouts and retries are set here, not left to defaults, so the time one AWS
call may take is visible next to the function's own timeout. The endpoint
comes from AWS_ENDPOINT_URL when set (boto3 reads it), which is how the
emulator switch works. `clear_clients` forgets them all: tests use it, and
so does the SnapStart restore hook, since a restored snapshot must not reuse
connections or credentials from the moment it was taken.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import boto3
from aws_lambda_powertools.utilities.parameters import SSMProvider
from botocore.config import Config

from .settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.service_resource import DynamoDBServiceResource, Table
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_secretsmanager.client import SecretsManagerClient
    from mypy_boto3_sqs.client import SQSClient

_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": 3},
)


@functools.cache
def dynamodb() -> DynamoDBServiceResource:
    """Return the DynamoDB resource every table shares."""
    return boto3.resource("dynamodb", config=_CONFIG)


@functools.cache
def dynamodb_client() -> DynamoDBClient:
    """Return a low-level DynamoDB client, for Powertools' idempotency store.

    Not the resource's own client: that one converts Python values to
    DynamoDB's typed values itself, and Powertools sends them typed already.
    """
    return boto3.client("dynamodb", config=_CONFIG)


@functools.cache
def records_table() -> Table:
    """Return the DynamoDB table of request records."""
    return dynamodb().Table(get_settings().records_table)


@functools.cache
def budget_table() -> Table:
    """Return the DynamoDB table of month-to-date spend."""
    return dynamodb().Table(get_settings().budget_table)


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


def build_clients() -> None:
    """Build every client the handlers use, so no request pays for it."""
    records_table()
    budget_table()
    dynamodb_client()
    sqs()
    s3()
    parameters()


def clear_clients() -> None:
    """Forget the built clients, so the next call builds them again."""
    for factory in (
        dynamodb,
        dynamodb_client,
        records_table,
        budget_table,
        sqs,
        s3,
        secrets,
        parameters,
    ):
        factory.cache_clear()
