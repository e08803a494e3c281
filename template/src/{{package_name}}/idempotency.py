"""One answer per submission: repeats get the first answer, the model one call.

A caller may send an `Idempotency-Key` header; without one, the validated
body itself is the key, so the same input sent twice is one request. The
first answer is kept in IDEMPOTENCY_TABLE by Powertools and replayed for
every repeat within KEY_TTL_SECONDS. A key sent again with another body is
refused, and so is a repeat that arrives while the first is still running.
"""

import functools
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import (
    DataRecord,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from . import aws
from .errors import InvalidHeaderError
from .logs import REQUEST_REPLAYED, logger
from .settings import get_settings

HEADER = "Idempotency-Key"
# Marks a replayed answer, so a caller can tell it from a new one.
REPLAYED_HEADER = "Idempotent-Replayed"
# How long a key is remembered: a day covers any client's retry schedule.
KEY_TTL_SECONDS = 24 * 60 * 60
MAX_KEY_LENGTH = 255

Answer = dict[str, Any]
# Called as handle(submission={"key": ..., "body": ...}); Powertools hashes
# the submission and passes it on by that keyword.
Handle = Callable[..., Answer]


def key_from_header(value: str | None) -> str | None:
    """Return the caller's key, None when absent, or raise for a bad one."""
    if value is None:
        return None
    key = value.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidHeaderError(
            f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} printable "
            "characters, such as a UUID; send a new one for each new request "
            "and the same one when you repeat a request."
        )
    return key


def _mark_replay(response: Any, idempotent_data: DataRecord) -> Any:
    # Powertools' hook: called with the kept answer instead of running again.
    logger.info(REQUEST_REPLAYED, extra={"key_status": idempotent_data.status})
    if isinstance(response, dict):
        headers = dict(response.get("headers") or {}) | {REPLAYED_HEADER: "true"}
        return response | {"headers": headers}
    return response


@functools.cache
def _config() -> IdempotencyConfig:
    return IdempotencyConfig(
        # The caller's key when there is one, else the whole validated body.
        event_key_jmespath="key || body",
        # The same key with another body is a mistake, not a repeat.
        payload_validation_jmespath="body",
        expires_after_seconds=KEY_TTL_SECONDS,
        hash_function="sha256",
        response_hook=_mark_replay,
    )


@functools.cache
def _store() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=get_settings().idempotency_table,
        boto3_client=aws.dynamodb_client(),
    )


def once(
    handle: Handle,
    body: dict[str, Any],
    key: str | None,
    context: LambdaContext | None,
) -> Answer:
    """Run `handle(body)` once per key, and replay its answer for repeats.

    `context` lets Powertools expire an in-progress key when this
    invocation would time out, so a crash does not block the key for a day.
    """
    if context is not None:
        _config().register_lambda_context(context)
    answer = _guarded(handle)(submission={"key": key, "body": body})
    return dict(answer)


@functools.cache
def _guarded(handle: Handle) -> Handle:
    # Keys are stored under the handle's module and name, so they stay
    # valid across deployments as long as the handle keeps its name.
    guarded: Handle = idempotent_function(
        handle,
        data_keyword_argument="submission",
        persistence_store=_store(),
        config=_config(),
    )
    return guarded


def reset() -> None:
    """Forget the store and its client, with the other AWS clients."""
    for factory in (_config, _store, _guarded):
        factory.cache_clear()
