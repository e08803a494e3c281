"""The ledger: one DynamoDB record per accepted request.

A record is written as `received` before the model is called, then moves to
exactly one terminal state. Every write is conditional, so a duplicate or
late message can never overwrite a finished record. Each write also stamps
the model and prompt version that produced it, and the one that ends it
what its model call cost. Every record carries `expires_at`, after which
DynamoDB deletes it.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from . import aws
from .errors import RecordConflictError, StorageError
from .pricing import PRICES_VERSION, Usage
from .prompts import load_prompt
from .settings import get_settings

Status = Literal["received", "succeeded", "pending_retry", "quarantined", "failed"]
OutcomeStatus = Literal["succeeded", "pending_retry", "quarantined", "failed"]

# pending_retry is terminal for the request that recorded it: the worker owns
# what happens next, and only a record in one of these states may change.
OPEN_STATES: tuple[Status, ...] = ("received", "pending_retry")

# While the API's own attempt at a request runs, the record carries this
# attribute, and the sparse index over it holds only such records. Recording
# how the attempt ended removes it, and the worker never takes a record that
# still has it. A record still in the index long after its invocation must
# have ended is one whose invocation died, and `close_interrupted` ends it.
API_ATTEMPT = "api_attempt"
OPEN_API_ATTEMPTS_INDEX = "open_api_attempts"
# The reason a record so ended gives.
INTERRUPTED = "interrupted"

# DynamoDB reserves these words; expressions name them through placeholders.
_NAMES = {f"#{name}": name for name in ("status", "result", "reason", "model", "usage")}


@dataclass(frozen=True)
class Record:
    """One request as the ledger knows it."""

    request_id: str
    status: Status
    input: dict[str, Any]
    attempts: int
    model: str
    prompt_version: str
    created_at: str
    updated_at: str
    result: dict[str, Any] | None = None
    reason: str | None = None
    quarantine_key: str | None = None
    usage: dict[str, Any] | None = None
    # When the running attempt was claimed by the worker; None between attempts.
    claimed_at: str | None = None
    # Whether the API's own attempt has not recorded its end (see API_ATTEMPT).
    api_attempt_open: bool = False

    def public(self) -> dict[str, Any]:
        """Return the record as GET /requests/{id} shows it: without input."""
        shown = {
            "request_id": self.request_id,
            "status": self.status,
            "attempts": self.attempts,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "result": self.result,
            "reason": self.reason,
            "quarantine_key": self.quarantine_key,
            "usage": self.usage,
        }
        return {key: value for key, value in shown.items() if value is not None}


def record_received(
    request_id: str, request_input: dict[str, Any], *, attempts: int = 1
) -> None:
    """Write the first record of a request; its id must be new.

    `attempts` is 1 when the model is called next, 0 when the cost guard
    defers the first call to the retry queue.
    """
    moment = datetime.now(UTC)
    now = _iso(moment)
    retention = timedelta(days=get_settings().record_retention_days)
    item = {
        "request_id": request_id,
        "status": "received",
        "input": _to_dynamodb(request_input),
        "attempts": attempts,
        "created_at": now,
        "updated_at": now,
        "expires_at": int((moment + retention).timestamp()),
        API_ATTEMPT: "open",
        **_stamp(),
    }
    _write(
        "create",
        request_id,
        lambda: aws.dynamodb_client().put_item(
            TableName=get_settings().records_table,
            Item=aws.to_attributes(item),
            ConditionExpression="attribute_not_exists(request_id)",
        ),
    )


def get_record(request_id: str) -> Record | None:
    """Return the record of `request_id`, or None when there is none."""
    try:
        found = aws.dynamodb_client().get_item(
            TableName=get_settings().records_table,
            Key={"request_id": {"S": request_id}},
            ConsistentRead=True,
        )
    except (BotoCoreError, ClientError) as error:
        raise _storage_error("read", request_id) from error
    item = found.get("Item")
    if item is None:
        return None
    return _record(_from_dynamodb(aws.from_attributes(item)))


def may_claim(record: Record, attempts: int, now: datetime) -> bool:
    """Say whether attempt number `attempts` may start on this record.

    Yes when the record is open and counted fewer attempts, or counted this
    one but its claim went stale: the worker that made it was stopped before
    it could record how the attempt ended. Otherwise the message asking for
    the attempt is a duplicate, and calling the model again would pay twice.
    """
    if record.status not in OPEN_STATES or record.attempts > attempts:
        return False
    if record.attempts < attempts:
        return True
    return record.claimed_at is not None and record.claimed_at < _stale_before(now)


def claim_attempt(request_id: str, attempts: int, now: datetime) -> bool:
    """Count attempt number `attempts`, unless `may_claim` no longer holds.

    The same rule as `may_claim`, as a condition of the write, so two
    workers given the same message cannot both claim it.
    """
    try:
        _update(
            request_id,
            "SET attempts = :attempts, claimed_at = :now, updated_at = :now, "
            "#model = :model, prompt_version = :prompt_version",
            "(attempts < :attempts OR (attempts = :attempts AND claimed_at < :stale))",
            {":attempts": attempts, ":stale": _stale_before(now)},
            now=now,
        )
    except RecordConflictError:
        return False
    return True


def _stale_before(now: datetime) -> str:
    # No invocation runs longer than the function's timeout.
    timeout = timedelta(seconds=get_settings().function_timeout_seconds)
    return _iso(now - timeout)


def record_outcome(
    request_id: str,
    status: OutcomeStatus,
    *,
    result: dict[str, Any] | None = None,
    reason: str | None = None,
    quarantine_key: str | None = None,
    usage: Usage | None = None,
) -> None:
    """Move an open record to `status`, with the evidence of that state.

    `usage` is what the model call of this attempt cost. Only an attempt
    that ends a request gets a reply to pay for, so it is the request's.
    The model and prompt version were stamped when the attempt began.
    """
    values: dict[str, Any] = {":status": status}
    assignments = ["#status = :status", "updated_at = :now"]
    fields = {"result": result, "reason": reason, "quarantine_key": quarantine_key}
    if usage is not None:
        fields["usage"] = {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            # A float of six decimals; DynamoDB stores it back as that decimal.
            "cost_usd": float(usage.cost_usd),
            "prices_version": PRICES_VERSION,
        }
    for name, value in fields.items():
        if value is not None:
            target = f"#{name}" if f"#{name}" in _NAMES else name
            assignments.append(f"{target} = :{name}")
            values[f":{name}"] = _to_dynamodb(value)
    # The attempt is over: a late copy of its message must not claim it again.
    expression = "SET " + ", ".join(assignments) + f" REMOVE claimed_at, {API_ATTEMPT}"
    _update(request_id, expression, None, values)


def open_api_attempts(started_before: datetime) -> Iterator[str]:
    """Yield the ids of requests whose API attempt began before the moment.

    Reads the sparse index, so the cost follows the records still open in
    the API, not the size of the table.
    """
    pages = aws.dynamodb_client().get_paginator("query")
    try:
        for page in pages.paginate(
            TableName=get_settings().records_table,
            IndexName=OPEN_API_ATTEMPTS_INDEX,
            KeyConditionExpression=f"{API_ATTEMPT} = :open AND created_at < :before",
            ExpressionAttributeValues={
                ":open": {"S": "open"},
                ":before": {"S": _iso(started_before)},
            },
        ):
            for item in page.get("Items", []):
                yield item["request_id"]["S"]
    except (BotoCoreError, ClientError) as error:
        table = get_settings().records_table
        raise StorageError(
            f"Failed to read index {OPEN_API_ATTEMPTS_INDEX} of table {table}; "
            "check the index exists and the function's role may query it."
        ) from error


def close_interrupted(request_id: str) -> bool:
    """End an API attempt whose invocation died as failed; say if it did.

    The caller of that invocation was answered with an error, not with this
    request's id, so the request ends as the caller saw it: failed. A record
    that ended meanwhile is left alone.
    """
    try:
        _update(
            request_id,
            "SET #status = :failed, #reason = :reason, updated_at = :now "
            f"REMOVE {API_ATTEMPT}",
            f"attribute_exists({API_ATTEMPT})",
            {":failed": "failed", ":reason": INTERRUPTED},
        )
    except RecordConflictError:
        return False
    return True


def _update(
    request_id: str,
    expression: str,
    extra_condition: str | None,
    values: dict[str, Any],
    now: datetime | None = None,
) -> None:
    condition = "#status IN (:received, :pending_retry)"
    if extra_condition:
        condition += f" AND {extra_condition}"
    used = {key: name for key, name in _NAMES.items() if key in expression + condition}
    stamp = {
        f":{name}": value
        for name, value in _stamp().items()
        if f":{name}" in expression
    }
    _write(
        "update",
        request_id,
        lambda: aws.dynamodb_client().update_item(
            TableName=get_settings().records_table,
            Key={"request_id": {"S": request_id}},
            UpdateExpression=expression,
            ConditionExpression=condition,
            ExpressionAttributeNames=used,
            ExpressionAttributeValues=aws.to_attributes(
                {
                    **values,
                    **stamp,
                    ":now": _iso(now or datetime.now(UTC)),
                    ":received": "received",
                    ":pending_retry": "pending_retry",
                }
            ),
        ),
    )


def _write(verb: str, request_id: str, call: Callable[[], object]) -> None:
    try:
        call()
    except ClientError as error:
        if aws.condition_failed(error):
            raise RecordConflictError(
                f"Record {request_id} is already final or further along; "
                "this write was a duplicate and was dropped."
            ) from error
        raise _storage_error(verb, request_id) from error
    except BotoCoreError as error:
        raise _storage_error(verb, request_id) from error


def _storage_error(verb: str, request_id: str) -> StorageError:
    table = get_settings().records_table
    return StorageError(
        f"Failed to {verb} record {request_id} in table {table}; check the "
        "table exists and the function's role may use it, then retry."
    )


def _stamp() -> dict[str, str]:
    return {"model": get_settings().model_id, "prompt_version": load_prompt().version}


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _to_dynamodb(value: Any) -> Any:
    # DynamoDB stores numbers as Decimal and rejects float.
    return json.loads(json.dumps(value), parse_float=Decimal)


def _from_dynamodb(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _from_dynamodb(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_dynamodb(item) for item in value]
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        is_whole = isinstance(exponent, int) and exponent >= 0
        return int(value) if is_whole else float(value)
    return value


def _record(item: dict[str, Any]) -> Record:
    return Record(
        request_id=item["request_id"],
        status=item["status"],
        input=item.get("input", {}),
        attempts=item.get("attempts", 0),
        model=item.get("model", ""),
        prompt_version=item.get("prompt_version", ""),
        created_at=item.get("created_at", ""),
        updated_at=item.get("updated_at", ""),
        result=item.get("result"),
        reason=item.get("reason"),
        quarantine_key=item.get("quarantine_key"),
        usage=item.get("usage"),
        claimed_at=item.get("claimed_at"),
        api_attempt_open=API_ATTEMPT in item,
    )
