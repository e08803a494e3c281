"""AWS clients, built once per process and reused by warm invocations.

Timeouts and retries are set here, not left to defaults, so the time one AWS
call may take is visible next to the function's own timeout. The endpoint
comes from AWS_ENDPOINT_URL when set (boto3 reads it), which is how the
emulator switch works.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from .settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_secretsmanager.client import SecretsManagerClient
    from mypy_boto3_sqs.client import SQSClient

_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": 3},
)


@functools.cache
def records_table() -> Table:
    """Return the DynamoDB table of request records."""
    dynamodb = boto3.resource("dynamodb", config=_CONFIG)
    return dynamodb.Table(get_settings().records_table)


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


def clear_clients() -> None:
    """Forget the built clients, so the next call builds them again."""
    for factory in (records_table, sqs, s3, secrets):
        factory.cache_clear()
