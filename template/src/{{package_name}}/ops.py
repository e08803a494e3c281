"""Operator commands: look up a request, replay one, redrive the dead letters.

Run from a checkout with AWS credentials for the environment:

    python -m PACKAGE.ops status <request_id>
    python -m PACKAGE.ops replay <request_id>
    python -m PACKAGE.ops redrive [--limit N] [--dry-run]

The table and queues come from the options or from the variables the
functions use (RECORDS_TABLE, RETRY_QUEUE_URL, DEAD_LETTER_QUEUE_URL); the
Terraform outputs records_table_name, retry_queue_url and
dead_letter_queue_url give their values. The operator's credentials need
dynamodb:GetItem and UpdateItem on the table, sqs:SendMessage on the retry
queue, and sqs:ReceiveMessage, DeleteMessage and ChangeMessageVisibility on
the dead-letter queue. Every change sends the retry message first and
reopens the record second, so a failure half way leaves a message the worker
skips, never a record that waits for nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import (
        ChangeMessageVisibilityBatchRequestEntryTypeDef,
        MessageTypeDef,
    )

# How long a redrive hides the messages it has read, so one pass reads each
# once; those it leaves on the queue are made visible again at the end.
LEAVE_HIDDEN_SECONDS = 120
# What a record shows an operator, in this order.
SHOWN = (
    "status",
    "attempts",
    "reason",
    "quarantine_key",
    "model",
    "prompt_version",
    "created_at",
    "updated_at",
    "usage",
)
NEXT_STEP = {
    "received": "A function is working on it, or stopped before it could "
    "record an outcome; if it stays received for longer than the function "
    "timeout, send the request again.",
    "pending_retry": "The retry worker owns it; it moves on when its next "
    "retry message is delivered.",
    "succeeded": "Nothing to do: GET /requests/{id} shows its result.",
    "quarantined": "A person should look at the kept reply; after a fix, run "
    "`replay {id}` for one more attempt.",
    "failed": "After fixing the cause, `redrive` sends failed requests from the "
    "dead-letter queue back to the retry queue.",
}


class OpsError(Exception):
    """A problem the operator can fix; the message says how."""


@dataclass(frozen=True)
class Target:
    """The table and queues of one environment."""

    records_table: str
    retry_queue_url: str
    dead_letter_queue_url: str


class Environment:
    """AWS clients for one environment, built when first used."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._table: Table | None = None
        self._sqs: SQSClient | None = None

    @property
    def table(self) -> Table:
        """The records table."""
        if self._table is None:
            dynamodb = boto3.resource("dynamodb")
            self._table = dynamodb.Table(self.target.records_table)
        return self._table

    @property
    def sqs(self) -> SQSClient:
        """The SQS client for both queues."""
        if self._sqs is None:
            self._sqs = boto3.client("sqs")
        return self._sqs


# --- status --------------------------------------------------------------------


def check_request_id(value: str) -> str:
    """Return `value` if it looks like a request id, or say what one is."""
    try:
        uuid.UUID(value)
    except ValueError:
        raise OpsError(
            f'"{value}" is not a request id; request ids are UUIDs such as '
            '"3f2b8c1e-7a4d-4e0f-9b6a-2c5d8e1f0a7b", as POST /requests returned '
            "them and dead-letter messages carry them."
        ) from None
    return value


def read_record(env: Environment, request_id: str) -> dict[str, Any]:
    """Return a request's record, or say why there is none."""
    try:
        found = env.table.get_item(Key={"request_id": request_id}, ConsistentRead=True)
    except (BotoCoreError, ClientError) as error:
        raise _aws_error(f"read table {env.target.records_table}", error) from error
    item = found.get("Item")
    if item is None:
        raise OpsError(
            f'No request has the id "{request_id}" in table '
            f"{env.target.records_table}; check the id and that the table is "
            "the environment's (records expire after the retention period)."
        )
    return cast(dict[str, Any], _plain(item))


def status(env: Environment, request_id: str) -> str:
    """Describe a request's state and what an operator can do next."""
    record = read_record(env, check_request_id(request_id))
    lines = [f"Request {request_id}"]
    lines += [f"  {name}: {record[name]}" for name in SHOWN if name in record]
    hint = NEXT_STEP.get(str(record.get("status")), "")
    lines.append(hint.replace("{id}", request_id))
    return "\n".join(lines)


# --- replay --------------------------------------------------------------------


def replay(env: Environment, request_id: str) -> str:
    """Give one quarantined request one more attempt through the retry queue."""
    record = read_record(env, check_request_id(request_id))
    state, reason = record.get("status"), record.get("reason")
    kept_reply = state == "quarantined" or (
        state == "failed" and "quarantine_key" in record
    )
    if not kept_reply:
        raise OpsError(
            f"Request {request_id} is {state}, not quarantined; only requests "
            "with a kept reply can be replayed. "
            + NEXT_STEP.get(str(state), "").replace("{id}", request_id)
        )
    if reason == "invalid_input":
        raise OpsError(
            f"Request {request_id} was set aside because its body failed the "
            "input checks, so there is nothing valid to send the model; ask the "
            "caller to send a corrected body as a new request."
        )
    retry_number = int(record.get("attempts", 1))
    _send_retry(env, request_id, retry_number)
    _reopen(env, request_id, str(state))
    return (
        f"Request {request_id} ({state}, {reason}) is pending_retry again; retry "
        f"{retry_number} is on the retry queue. Follow it with `status {request_id}`."
    )


def _send_retry(env: Environment, request_id: str, retry_number: int) -> None:
    body = json.dumps({"request_id": request_id, "attempt": retry_number})
    try:
        env.sqs.send_message(QueueUrl=env.target.retry_queue_url, MessageBody=body)
    except (BotoCoreError, ClientError) as error:
        queue = env.target.retry_queue_url
        raise _aws_error(f"send to {queue}", error) from error


def _reopen(env: Environment, request_id: str, expected: str) -> None:
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    try:
        env.table.update_item(
            Key={"request_id": request_id},
            UpdateExpression="SET #status = :pending_retry, updated_at = :now "
            "REMOVE #reason, quarantine_key, claimed_at ADD reopened :one",
            ConditionExpression="#status = :expected",
            ExpressionAttributeNames={"#status": "status", "#reason": "reason"},
            ExpressionAttributeValues={
                ":pending_retry": "pending_retry",
                ":expected": expected,
                ":now": now,
                ":one": 1,
            },
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code == "ConditionalCheckFailedException":
            raise OpsError(
                f"Request {request_id} changed while this ran (it is no longer "
                f"{expected}); run `status {request_id}` and decide again. The "
                "retry message already sent will be skipped."
            ) from error
        raise _aws_error(f"update table {env.target.records_table}", error) from error
    except BotoCoreError as error:
        raise _aws_error(f"update table {env.target.records_table}", error) from error


# --- redrive -------------------------------------------------------------------


@dataclass
class Redrive:
    """What one pass over the dead-letter queue did, message by message."""

    moved: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    @property
    def seen(self) -> int:
        """How many messages the pass read."""
        return sum(len(kind) for kind in vars(self).values())

    def summary(self, dry_run: bool) -> str:
        """Say in a few lines what happened, and what is left to do."""
        verb = "Would move" if dry_run else "Moved"
        lines = [
            f"{verb} {len(self.moved)} retry message(s) and "
            f"{'would reopen' if dry_run else 'reopened'} {len(self.reopened)} "
            "failed request(s) to the retry queue."
        ]
        if self.stale:
            lines.append(
                f"{'Would delete' if dry_run else 'Deleted'} {len(self.stale)} "
                "notice(s) of requests that moved on since."
            )
        if self.quarantined:
            shown = ", ".join(self.quarantined[:5])
            lines.append(
                f"Left {len(self.quarantined)} quarantined notice(s) for a person; "
                f"after a fix, replay each with `replay <request_id>` ({shown})."
            )
        if self.left:
            lines.append(
                f"Left {len(self.left)} message(s) that name no request to redrive "
                "(unreadable, or their record is missing); read them in the "
                "console."
            )
        return "\n".join(lines)


def redrive(env: Environment, limit: int, dry_run: bool) -> str:
    """Send the dead-letter queue's retryable messages back to the retry queue."""
    result = Redrive()
    seen: set[str] = set()
    kept: list[MessageTypeDef] = []
    try:
        while result.seen < limit:
            batch = _receive(env, min(10, limit - result.seen))
            fresh = [m for m in batch if m.get("MessageId") not in seen]
            if not fresh:
                break
            for message in fresh:
                seen.add(message.get("MessageId", ""))
                if not _redrive_one(env, message, result, dry_run):
                    kept.append(message)
    finally:
        # What stays on the queue is visible again at once, not in minutes.
        _release(env, kept)
    if result.seen == 0:
        return (
            f"The dead-letter queue {env.target.dead_letter_queue_url} is empty; "
            "nothing to redrive."
        )
    return result.summary(dry_run)


def _receive(env: Environment, count: int) -> list[MessageTypeDef]:
    try:
        answer = env.sqs.receive_message(
            QueueUrl=env.target.dead_letter_queue_url,
            MaxNumberOfMessages=count,
            VisibilityTimeout=LEAVE_HIDDEN_SECONDS,
            WaitTimeSeconds=0,
        )
    except (BotoCoreError, ClientError) as error:
        queue = env.target.dead_letter_queue_url
        raise _aws_error(f"receive from {queue}", error) from error
    return list(answer.get("Messages", []))


def _redrive_one(
    env: Environment, message: MessageTypeDef, result: Redrive, dry_run: bool
) -> bool:
    """Handle one message; return True when it left the dead-letter queue."""
    body = _parse(message.get("Body", ""))
    request_id = body.get("request_id")
    if not isinstance(request_id, str) or body.get("status") == "unknown":
        result.left.append(message.get("MessageId", "?"))
        return False
    if "status" not in body:
        # A retry message the queue's redrive policy moved here.
        result.moved.append(request_id)
        if not dry_run:
            _forward(env, message)
        return not dry_run
    if "quarantine_key" in body:
        result.quarantined.append(request_id)
        return False
    record = _record_or_none(env, request_id)
    if record is None or record.get("status") != "failed":
        result.stale.append(request_id)
    else:
        result.reopened.append(request_id)
    if dry_run:
        return False
    if record is not None and record.get("status") == "failed":
        _send_retry(env, request_id, int(record.get("attempts", 1)))
        _reopen(env, request_id, "failed")
    _delete(env, message)
    return True


def _release(env: Environment, messages: list[MessageTypeDef]) -> None:
    for start in range(0, len(messages), 10):
        entries: list[ChangeMessageVisibilityBatchRequestEntryTypeDef] = [
            {
                "Id": str(number),
                "ReceiptHandle": message.get("ReceiptHandle", ""),
                "VisibilityTimeout": 0,
            }
            for number, message in enumerate(messages[start : start + 10])
        ]
        try:
            env.sqs.change_message_visibility_batch(
                QueueUrl=env.target.dead_letter_queue_url, Entries=entries
            )
        except (BotoCoreError, ClientError) as error:
            queue = env.target.dead_letter_queue_url
            raise _aws_error(f"release messages on {queue}", error) from error


def _record_or_none(env: Environment, request_id: str) -> dict[str, Any] | None:
    try:
        return read_record(env, request_id)
    except OpsError:
        return None


def _forward(env: Environment, message: MessageTypeDef) -> None:
    try:
        env.sqs.send_message(
            QueueUrl=env.target.retry_queue_url, MessageBody=message.get("Body", "")
        )
    except (BotoCoreError, ClientError) as error:
        queue = env.target.retry_queue_url
        raise _aws_error(f"send to {queue}", error) from error
    _delete(env, message)


def _delete(env: Environment, message: MessageTypeDef) -> None:
    try:
        env.sqs.delete_message(
            QueueUrl=env.target.dead_letter_queue_url,
            ReceiptHandle=message.get("ReceiptHandle", ""),
        )
    except (BotoCoreError, ClientError) as error:
        queue = env.target.dead_letter_queue_url
        raise _aws_error(f"remove a message from {queue}", error) from error


def _parse(body: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# --- shared -----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    # DynamoDB numbers arrive as Decimal; show them as plain numbers.
    def number(decimal: Any) -> int | float:
        whole = decimal == decimal.to_integral_value()
        return int(decimal) if whole else float(decimal)

    return json.loads(json.dumps(value, default=number))


def _aws_error(what: str, error: Exception) -> OpsError:
    return OpsError(
        f"Failed to {what}: {error}. Check the credentials (AWS_PROFILE), the "
        "region, and that the name belongs to this environment."
    )


def _target(args: argparse.Namespace) -> Target:
    values = []
    for option, variable, output in (
        ("records_table", "RECORDS_TABLE", "records_table_name"),
        ("retry_queue_url", "RETRY_QUEUE_URL", "retry_queue_url"),
        ("dead_letter_queue_url", "DEAD_LETTER_QUEUE_URL", "dead_letter_queue_url"),
    ):
        value = getattr(args, option) or os.environ.get(variable, "").strip()
        if not value:
            flag = "--" + option.replace("_", "-")
            raise OpsError(
                f"{variable} is not set; pass {flag} or set {variable}, for "
                f"example from `terraform -chdir=infra/envs/prod output -raw "
                f"{output}`."
            )
        values.append(value)
    return Target(*values)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.ops",
        description="Operate the service: look up, replay and redrive requests.",
    )
    parser.add_argument("--records-table", help="default: $RECORDS_TABLE")
    parser.add_argument("--retry-queue-url", help="default: $RETRY_QUEUE_URL")
    parser.add_argument(
        "--dead-letter-queue-url", help="default: $DEAD_LETTER_QUEUE_URL"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("status", help="show a request's state")
    show.add_argument("request_id")
    again = commands.add_parser(
        "replay", help="give one quarantined request one more attempt"
    )
    again.add_argument("request_id")
    back = commands.add_parser(
        "redrive", help="send the dead-letter queue's retryable messages back"
    )
    back.add_argument(
        "--limit", type=int, default=1000, help="messages to read at most"
    )
    back.add_argument(
        "--dry-run", action="store_true", help="say what would move; change nothing"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; print what happened; 0 on success, 1 on a problem."""
    args = _parser().parse_args(argv)
    try:
        env = Environment(_target(args))
        if args.command == "status":
            print(status(env, args.request_id))
        elif args.command == "replay":
            print(replay(env, args.request_id))
        else:
            print(redrive(env, max(1, args.limit), args.dry_run))
    except OpsError as problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
