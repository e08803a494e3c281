"""The ledger: one DynamoDB record per accepted request.

A record is written as `received` before the model is called, then moves to
exactly one terminal state. Every write is conditional, so a duplicate or
late message can never overwrite a finished record. Each write also stamps
the model and prompt version that produced it.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from . import aws
from .errors import RecordConflictError, StorageError
from .prompts import load_prompt
from .settings import get_settings

Status = Literal["received", "succeeded", "pending_retry", "quarantined", "failed"]
OutcomeStatus = Literal["succeeded", "pending_retry", "quarantined", "failed"]

# pending_retry is terminal for the request that recorded it: the worker owns
# what happens next, and only a record in one of these states may change.
OPEN_STATES: tuple[Status, ...] = ("received", "pending_retry")

_NAMES = {f"#{name}": name for name in ("status", "result", "reason", "model")}


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
        }
        return {key: value for key, value in shown.items() if value is not None}


def record_received(request_id: str, request_input: dict[str, Any]) -> None:
    """Write the first record of a request; its id must be new."""
    now = _now()
    item = {
        "request_id": request_id,
        "status": "received",
        "input": _to_dynamodb(request_input),
        "attempts": 1,
        "created_at": now,
        "updated_at": now,
        **_stamp(),
    }
    _write(
        "create",
        request_id,
        lambda: aws.records_table().put_item(
            Item=item, ConditionExpression="attribute_not_exists(request_id)"
        ),
    )


def get_record(request_id: str) -> Record | None:
    """Return the record of `request_id`, or None when there is none."""
    try:
        found = aws.records_table().get_item(
            Key={"request_id": request_id}, ConsistentRead=True
        )
    except (BotoCoreError, ClientError) as error:
        raise _storage_error("read", request_id) from error
    item = found.get("Item")
    return None if item is None else _record(_from_dynamodb(item))


def claim_attempt(request_id: str, attempts: int) -> bool:
    """Count one more model attempt, unless the record moved on already.

    Returns False when the record is final or already counted a later
    attempt: the message that asked for this attempt is a duplicate.
    """
    try:
        _update(
            request_id,
            "SET attempts = :attempts, updated_at = :now, #model = :model, "
            "prompt_version = :prompt_version",
            "attempts <= :attempts",
            {":attempts": attempts},
        )
    except RecordConflictError:
        return False
    return True


def record_outcome(
    request_id: str,
    status: OutcomeStatus,
    *,
    result: dict[str, Any] | None = None,
    reason: str | None = None,
    quarantine_key: str | None = None,
) -> None:
    """Move an open record to `status`, with the evidence of that state."""
    values: dict[str, Any] = {":status": status}
    assignments = ["#status = :status", "updated_at = :now", "#model = :model"]
    assignments.append("prompt_version = :prompt_version")
    for name, value in (
        ("result", result),
        ("reason", reason),
        ("quarantine_key", quarantine_key),
    ):
        if value is not None:
            target = f"#{name}" if f"#{name}" in _NAMES else name
            assignments.append(f"{target} = :{name}")
            values[f":{name}"] = _to_dynamodb(value)
    _update(request_id, "SET " + ", ".join(assignments), None, values)


def _update(
    request_id: str,
    expression: str,
    extra_condition: str | None,
    values: dict[str, Any],
) -> None:
    condition = "#status IN (:received, :pending_retry)"
    if extra_condition:
        condition += f" AND {extra_condition}"
    used = {key: name for key, name in _NAMES.items() if key in expression + condition}
    stamp = _stamp()
    _write(
        "update",
        request_id,
        lambda: aws.records_table().update_item(
            Key={"request_id": request_id},
            UpdateExpression=expression,
            ConditionExpression=condition,
            ExpressionAttributeNames=used,
            ExpressionAttributeValues={
                **values,
                ":now": _now(),
                ":model": stamp["model"],
                ":prompt_version": stamp["prompt_version"],
                ":received": "received",
                ":pending_retry": "pending_retry",
            },
        ),
    )


def _write(verb: str, request_id: str, call: Callable[[], object]) -> None:
    try:
        call()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code == "ConditionalCheckFailedException":
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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


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
    )
