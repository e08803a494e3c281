"""Operator commands: look up a request, replay or resolve one, redrive the DLQ.

Run from a checkout with AWS credentials for the environment:

    python -m PACKAGE.ops status <request_id>
    python -m PACKAGE.ops replay <request_id>
    python -m PACKAGE.ops resolve <request_id> --note "what was done"
    python -m PACKAGE.ops redrive [--limit N] [--dry-run]
    python -m PACKAGE.ops holds [--month YYYY-MM] [--give-back-stale]

The tables and queues come from the options or from the variables the
functions use (RECORDS_TABLE, BUDGET_TABLE, RETRY_QUEUE_URL,
DEAD_LETTER_QUEUE_URL); each command needs only those it touches, and the
Terraform outputs records_table_name, budget_table_name, retry_queue_url and
dead_letter_queue_url give their values. The operator's credentials need
dynamodb:GetItem and UpdateItem on the tables, sqs:SendMessage on the retry
queue, and sqs:ReceiveMessage,
DeleteMessage, ChangeMessageVisibility and GetQueueAttributes on the
dead-letter queue. Every change sends the retry message first, delayed, and
reopens the record second, so a failure half way leaves a message the worker
skips, never a record that waits for nothing; a reopen that ends after the
delay is reported, with what to check.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import (
        ChangeMessageVisibilityBatchRequestEntryTypeDef,
        MessageTypeDef,
    )

from . import budget
from .aws import condition_failed, from_attributes
from .errors import UnreadableMessageError
from .processing import INTERRUPTED_AFTER
from .records import INTERRUPTED
from .worker import parse_message

# How long a redrive hides the messages it has read, so one pass reads each
# once; those it leaves on the queue are made visible again at the end. A
# message read later in a long pass hides for longer (this plus the seconds
# the pass has run), so messages it keeps cannot come back as fast as it
# reads them and hold the pass open.
LEAVE_HIDDEN_SECONDS = 120
# SQS hides a message for at most 12 hours.
MAX_HIDDEN_SECONDS = 43_200
# How long one receive waits for a message. A receive that does not wait
# asks only some of SQS's servers, so its empty answer would not mean an
# empty queue; one that waits asks them all.
LONG_POLL_SECONDS = 1
# A retry message from ops waits this long before the worker may take it, so
# the record is reopened first: a worker that took it at once would find the
# record still quarantined or failed, skip the message and delete it, and
# leave the request pending_retry with nothing queued. With AWS_CONFIG one
# call takes at most 2 attempts x (2 s to connect + 2 s to read) plus one
# back-off of at most 1 s (6 s when AWS asks for longer): 14 s, so sending
# and reopening take 28 s at worst. A stalled machine or a slow credential
# refresh can take longer still, so each reopen is timed and a late one
# reported.
REOPEN_HEAD_START_SECONDS = 30
# Timeouts and retries of every AWS call ops makes; see the sum above.
AWS_CONFIG = Config(
    connect_timeout=2,
    read_timeout=2,
    retries={"mode": "standard", "total_max_attempts": 2},
)
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
    "resolved_at",
    "resolution",
)
# Longest note `resolve` keeps on a record: enough to say what a person did
# and where it is written down, and far below what an item may hold.
MAX_NOTE_CHARS = 500
NEXT_STEP = {
    "received": "A function is working on it, or its invocation died before "
    "it could record an outcome; the worker's sweep ends such a request as "
    "failed (interrupted) within about 21 minutes of its start.",
    "pending_retry": "The retry worker owns it; it moves on when its next "
    "retry message is delivered.",
    "succeeded": "Nothing to do: GET /requests/{id} shows its result.",
    "quarantined": "A person should look at the kept reply; after a fix, run "
    "`replay {id}` for one more attempt, or, when no attempt is wanted, "
    '`resolve {id} --note "what was done"`.',
    "failed": "After fixing the cause, `redrive` sends failed requests from the "
    "dead-letter queue back to the retry queue; when no retry is wanted, "
    '`resolve {id} --note "why"` and redrive deletes its notice instead.',
}
# A request the worker's sweep ended because its API invocation died. Its
# caller was answered with an error and may have sent it again, so it has no
# dead-letter notice and is never retried.
INTERRUPTED_STEP = (
    "Its API invocation died before it could record an outcome, so the "
    "caller was answered with an error (the service's HTTP 500, or API "
    "Gateway's 502 when Lambda stopped the invocation) and may have sent the "
    "request again; the worker's sweep ended it. It is not retried: look for "
    "the caller's new request, and at the API function's logs for why the "
    "invocation died."
)


RESOLVED_STEP = (
    "A person resolved it (see resolution); nothing is left to do, and "
    "redrive deletes its dead-letter notice."
)


class OpsError(Exception):
    """A problem the operator can fix; the message says how."""


@dataclass(frozen=True)
class Report:
    """What a command did, and what a person must still check (exit code 1)."""

    text: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """The tables and queues of one environment; "" where a command needs none."""

    records_table: str = ""
    budget_table: str = ""
    retry_queue_url: str = ""
    dead_letter_queue_url: str = ""


class Environment:
    """AWS clients for one environment, built when first used."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._table: Table | None = None
        self._sqs: SQSClient | None = None
        self._dynamodb: DynamoDBClient | None = None

    @property
    def table(self) -> Table:
        """The records table."""
        if self._table is None:
            dynamodb = boto3.resource("dynamodb", config=AWS_CONFIG)
            self._table = dynamodb.Table(self.target.records_table)
        return self._table

    @property
    def dynamodb(self) -> DynamoDBClient:
        """The low-level DynamoDB client, for the budget table."""
        if self._dynamodb is None:
            self._dynamodb = boto3.client("dynamodb", config=AWS_CONFIG)
        return self._dynamodb

    @property
    def sqs(self) -> SQSClient:
        """The SQS client for both queues."""
        if self._sqs is None:
            self._sqs = boto3.client("sqs", config=AWS_CONFIG)
        return self._sqs


# --- status --------------------------------------------------------------------


def check_request_id(value: str) -> str:
    """Return `value` as the service writes request ids, or say what one is."""
    try:
        request_id = uuid.UUID(value)
    except ValueError:
        raise OpsError(
            f'"{value}" is not a request id; request ids are UUIDs such as '
            '"3f2b8c1e-7a4d-4e0f-9b6a-2c5d8e1f0a7b", as POST /requests returned '
            "them and dead-letter messages carry them."
        ) from None
    # The service writes str(uuid4()): lower case, with hyphens.
    return str(request_id)


def find_record(env: Environment, request_id: str) -> dict[str, Any] | None:
    """Return a request's record, None when the table has no such item.

    Any failure to read is an OpsError, never None: a caller that treated
    it as "no record" would act on a request it could not see.
    """
    try:
        found = env.table.get_item(Key={"request_id": request_id}, ConsistentRead=True)
    except (BotoCoreError, ClientError) as error:
        raise _aws_error(f"read table {env.target.records_table}", error) from error
    item = found.get("Item")
    return None if item is None else cast(dict[str, Any], _plain(item))


def read_record(env: Environment, request_id: str) -> dict[str, Any]:
    """Return a request's record, or say why there is none."""
    record = find_record(env, request_id)
    if record is None:
        raise OpsError(
            f'No request has the id "{request_id}" in table '
            f"{env.target.records_table}; check the id and that the table is "
            "the environment's (records expire after the retention period)."
        )
    return record


def status(env: Environment, request_id: str) -> str:
    """Describe a request's state and what an operator can do next."""
    request_id = check_request_id(request_id)
    record = read_record(env, request_id)
    lines = [f"Request {request_id}"]
    lines += [f"  {name}: {record[name]}" for name in SHOWN if name in record]
    lines.append(next_step(record, request_id))
    return "\n".join(lines)


def next_step(record: dict[str, Any], request_id: str) -> str:
    """Say what an operator can do with a request in this record's state."""
    state = str(record.get("status"))
    if state == "failed" and record.get("reason") == INTERRUPTED:
        return INTERRUPTED_STEP
    if "resolved_at" in record:
        return RESOLVED_STEP
    if _kept_reply(record):
        state = "quarantined"
    return NEXT_STEP.get(state, "").replace("{id}", request_id)


def _kept_reply(record: dict[str, Any]) -> bool:
    """Whether the request ended with its reply kept in quarantine.

    Quarantined, or failed under on_invalid_output: reject, which keeps the
    reply all the same.
    """
    state = record.get("status")
    return state == "quarantined" or (state == "failed" and "quarantine_key" in record)


def _require_kept_reply(record: dict[str, Any], request_id: str, done: str) -> None:
    if not _kept_reply(record):
        raise OpsError(
            f"Request {request_id} is {record.get('status')}, not quarantined; "
            f"only requests with a kept reply {done}. " + next_step(record, request_id)
        )


# --- replay --------------------------------------------------------------------


def replay(env: Environment, request_id: str) -> Report:
    """Give one quarantined request one more attempt through the retry queue."""
    request_id = check_request_id(request_id)
    record = read_record(env, request_id)
    state, reason = record.get("status"), record.get("reason")
    _require_kept_reply(record, request_id, "can be replayed")
    if "resolved_at" in record:
        raise OpsError(
            f"Request {request_id} was resolved by a person at "
            f"{record['resolved_at']} ({record.get('resolution', '')}); "
            "replaying it could do the work twice, so nothing was sent."
        )
    if reason == "invalid_input":
        raise OpsError(
            f"Request {request_id} was set aside because its body failed the "
            "input checks, so there is nothing valid to send the model; ask the "
            "caller to send a corrected body as a new request, then run "
            f'`resolve {request_id} --note "what was done"`.'
        )
    retry_number = int(record.get("attempts", 1))
    late = _send_and_reopen(env, request_id, retry_number, str(state))
    return Report(
        f"Request {request_id} ({state}, {reason}) is pending_retry again; retry "
        f"{retry_number} is on the retry queue. Follow it with `status {request_id}`.",
        (late,) if late else (),
    )


def resolve(env: Environment, request_id: str, note: str) -> Report:
    """Record that a person dealt with a request that waits for one.

    That is a request whose reply or body was kept, or one that failed and
    is not to be retried (its cause cannot be fixed, or the work was done
    another way).

    Nothing is sent anywhere: the record keeps its status and gains
    `resolved_at` and `resolution`, so `status` shows when and what was
    done and `redrive` deletes the request's dead-letter notice instead of
    leaving it for a person again.
    """
    request_id = check_request_id(request_id)
    # Control characters (terminal escapes) would come back out of `status`.
    note = " ".join("".join(c for c in note if c.isprintable() or c.isspace()).split())
    if not note:
        raise OpsError(
            'The note is empty; say what was done, e.g. --note "corrected by '
            'hand in the ERP, ticket 123".'
        )
    if len(note) > MAX_NOTE_CHARS:
        raise OpsError(
            f"The note is {len(note)} characters; keep it to {MAX_NOTE_CHARS} and "
            "put the rest in the ticket it names."
        )
    record = read_record(env, request_id)
    state = str(record.get("status"))
    # A failed request may be let go as well as a quarantined one: nothing
    # retries it until a redrive, which deletes a resolved one's notice.
    if state not in ("failed", "quarantined"):
        raise OpsError(
            f"Request {request_id} is {state}; only quarantined and failed "
            "requests are resolved by hand. " + next_step(record, request_id)
        )
    if "resolved_at" in record:
        raise OpsError(
            f"Request {request_id} was resolved already at {record['resolved_at']} "
            f"({record.get('resolution', '')}); nothing was changed."
        )
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    _update_record(
        env,
        f"Request {request_id} changed while this ran; run `status {request_id}` "
        "and decide again. Nothing was changed.",
        Key={"request_id": request_id},
        UpdateExpression="SET resolved_at = :now, resolution = :note",
        ConditionExpression="#status = :expected AND attribute_not_exists(resolved_at)",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":now": now, ":note": note, ":expected": state},
    )
    return Report(
        f"Request {request_id} ({state}, {record.get('reason')}) is resolved: "
        f"{note}. The next `redrive` deletes its dead-letter notice."
    )


def _send_and_reopen(
    env: Environment, request_id: str, retry_number: int, expected: str
) -> str:
    """Send a retry and reopen the record; "" when done in time, else a warning."""
    started = time.monotonic()
    retry = _send_retry(env, request_id, retry_number)
    _reopen(env, request_id, expected)
    took = time.monotonic() - started
    if took <= REOPEN_HEAD_START_SECONDS:
        return ""
    return (
        f"Request {request_id} was reopened {took:.0f} seconds after its retry "
        f"message was sent, later than the {REOPEN_HEAD_START_SECONDS}-second "
        "head start, so the worker may have skipped that message. Run "
        f"`status {request_id}` in a few minutes: if it is still pending_retry "
        f"with attempts {retry_number}, send {retry} to the retry queue."
    )


def _send_retry(env: Environment, request_id: str, retry_number: int) -> str:
    """Send a retry message, delayed by the head start; return its body."""
    body = json.dumps({"request_id": request_id, "attempt": retry_number})
    try:
        env.sqs.send_message(
            QueueUrl=env.target.retry_queue_url,
            MessageBody=body,
            DelaySeconds=REOPEN_HEAD_START_SECONDS,
        )
    except (BotoCoreError, ClientError) as error:
        queue = env.target.retry_queue_url
        raise _aws_error(f"send to {queue}", error) from error
    return body


def _reopen(env: Environment, request_id: str, expected: str) -> None:
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    _update_record(
        env,
        f"Request {request_id} changed while this ran (it is no longer "
        f"{expected}); run `status {request_id}` and decide again. The retry "
        "message already sent will be skipped.",
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


def _update_record(env: Environment, changed: str, **update: Any) -> None:
    """Update a record on a condition; `changed` is the problem when it fails."""
    try:
        env.table.update_item(**update)
    except ClientError as error:
        if condition_failed(error):
            raise OpsError(changed) from error
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
    resolved: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    # Messages for a request this pass already sent back: the worker writes a
    # new notice each time a retry fails, and one pass retries a request once.
    again: list[str] = field(default_factory=list)
    # Warnings of reopens that ended after the head start; not messages.
    late: list[str] = field(default_factory=list)

    @property
    def seen(self) -> int:
        """How many messages the pass read."""
        kinds = (
            self.moved,
            self.reopened,
            self.stale,
            self.resolved,
            self.quarantined,
            self.invalid,
            self.left,
            self.unexpected,
            self.again,
        )
        return sum(len(kind) for kind in kinds)

    def sent_back(self, request_id: str) -> bool:
        """Whether this pass moved or reopened (or, dry, would) the request."""
        return request_id in self.moved or request_id in self.reopened

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
        if self.resolved:
            lines.append(
                f"{'Would delete' if dry_run else 'Deleted'} {len(self.resolved)} "
                "notice(s) of requests a person resolved."
            )
        if self.again:
            shown = ", ".join(sorted(set(self.again))[:5])
            lines.append(
                f"Left {len(self.again)} later message(s) for request(s) this pass "
                f"{'would send' if dry_run else 'sent'} back ({shown}); one pass "
                "retries a request once, so the next pass decides on them."
            )
        if self.quarantined:
            shown = ", ".join(self.quarantined[:5])
            lines.append(
                f"Left {len(self.quarantined)} quarantined notice(s) for a person; "
                "after a fix, replay each with `replay <request_id>`, or record "
                'what was done instead with `resolve <request_id> --note "..."` '
                f"({shown})."
            )
        if self.unexpected:
            shown = ", ".join(self.unexpected[:5])
            lines.append(
                f"Left {len(self.unexpected)} notice(s) with a status redrive does "
                "not act on (it reopens failed requests only); check each with "
                f"`status <request_id>` ({shown})."
            )
        if self.invalid:
            lines.append(
                f"Left {len(self.invalid)} retry message(s) the worker cannot read "
                '(not {"request_id": "<id>", "attempt": <n from 0>}); read them '
                "in the console and send corrected ones to the retry queue."
            )
        if self.left:
            lines.append(
                f"Left {len(self.left)} message(s) that name no request to redrive "
                "(unreadable, no request id, or their record is missing); read "
                "them in the console."
            )
        return "\n".join(lines)


def redrive(env: Environment, limit: int, dry_run: bool) -> Report:
    """Send the dead-letter queue's retryable messages back to the retry queue."""
    result = Redrive()
    # Received and not deleted: made visible again when the pass ends, however
    # it ends, so a second pass after a fix sees the whole queue at once.
    held: dict[str, MessageTypeDef] = {}
    try:
        limited = _read_queue(env, limit, dry_run, result, held)
    except OpsError as problem:
        raise OpsError(f"{problem} {_give_back(env, held)}") from problem
    except BaseException:
        _release(env, list(held.values()))
        raise
    warnings = list(result.late)
    try:
        _release(env, list(held.values()))
    except OpsError as problem:
        # What the pass did stays done; say so as well as what failed.
        warnings.append(
            f"{problem} The {len(held)} message(s) it left reappear on the "
            f"dead-letter queue within {MAX_HIDDEN_SECONDS} seconds at most."
        )
        held = {}
    if result.seen == 0:
        return Report(
            f"The dead-letter queue {env.target.dead_letter_queue_url} is empty; "
            "nothing to redrive."
        )
    lines = [result.summary(dry_run)]
    if limited:
        lines.append(_limit_note(env, limit, len(held)))
    return Report("\n".join(lines), tuple(warnings))


def _read_queue(
    env: Environment,
    limit: int,
    dry_run: bool,
    result: Redrive,
    held: dict[str, MessageTypeDef],
) -> bool:
    """Handle each message once until the queue is empty; True if `limit` hit."""
    started = time.monotonic()
    seen: set[str] = set()
    while len(seen) < limit:
        hide = LEAVE_HIDDEN_SECONDS + int(time.monotonic() - started)
        batch = _receive(env, min(10, limit - len(seen)), hide)
        if not batch:
            return False
        # A message read again carries a new receipt handle; keep the latest.
        held.update((message.get("MessageId", ""), message) for message in batch)
        for message in batch:
            message_id = message.get("MessageId", "")
            if message_id in seen:
                continue
            seen.add(message_id)
            if _redrive_one(env, message, result, dry_run):
                del held[message_id]
    return True


def _receive(env: Environment, count: int, hide: int) -> list[MessageTypeDef]:
    try:
        answer = env.sqs.receive_message(
            QueueUrl=env.target.dead_letter_queue_url,
            MaxNumberOfMessages=count,
            VisibilityTimeout=min(hide, MAX_HIDDEN_SECONDS),
            WaitTimeSeconds=LONG_POLL_SECONDS,
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
        if result.sent_back(request_id):
            result.again.append(request_id)
            return False
        return _move(env, message, request_id, result, dry_run)
    return _redrive_notice(env, message, body, result, dry_run)


def _redrive_notice(
    env: Environment,
    message: MessageTypeDef,
    notice: dict[str, Any],
    result: Redrive,
    dry_run: bool,
) -> bool:
    """Handle a notice of a request that ended; True when it was deleted."""
    try:
        request_id = check_request_id(str(notice["request_id"]))
    except OpsError:
        result.left.append(message.get("MessageId", "?"))
        return False
    if result.sent_back(request_id):
        result.again.append(request_id)
        return False
    if notice.get("status") not in ("failed", "quarantined"):
        result.unexpected.append(request_id)
        return False

    record = find_record(env, request_id)
    if record is None:
        # Expired, or the table is not this queue's: a person decides.
        result.left.append(message.get("MessageId", "?"))
        return False
    moved_on = not _still_as_noticed(record, notice)
    if moved_on or "resolved_at" in record:
        (result.stale if moved_on else result.resolved).append(request_id)
        if not dry_run:
            _delete(env, message)
        return not dry_run
    if "quarantine_key" in notice:
        result.quarantined.append(request_id)
        return False
    if notice.get("status") != "failed":
        result.unexpected.append(request_id)
        return False

    result.reopened.append(request_id)
    if dry_run:
        return False
    retry_number = int(record.get("attempts", 1))
    late = _send_and_reopen(env, request_id, retry_number, "failed")
    if late:
        result.late.append(late)
    _delete(env, message)
    return True


def _still_as_noticed(record: dict[str, Any], notice: dict[str, Any]) -> bool:
    """Whether the request still ends as its notice says.

    A request replayed, redriven or ended by the sweep since has moved on,
    and its notice is stale: the sweep's `interrupted` is never a notice's
    reason, so such a request is never retried from an older notice.
    """
    return (record.get("status"), record.get("reason")) == (
        notice.get("status"),
        notice.get("reason"),
    )


def _move(
    env: Environment,
    message: MessageTypeDef,
    request_id: str,
    result: Redrive,
    dry_run: bool,
) -> bool:
    try:
        # The worker's own check: what it cannot read would come back here.
        parse_message(message.get("Body", ""))
    except UnreadableMessageError:
        result.invalid.append(message.get("MessageId", "?"))
        return False
    result.moved.append(request_id)
    if not dry_run:
        _forward(env, message)
    return not dry_run


def _give_back(env: Environment, held: dict[str, MessageTypeDef]) -> str:
    """Release what a failed pass held; say what the operator can do next."""
    try:
        _release(env, list(held.values()))
    except OpsError:
        return (
            f"Redrive stopped; {len(held)} message(s) it had not finished "
            f"reappear on the dead-letter queue within {MAX_HIDDEN_SECONDS} "
            "seconds at most."
        )
    return (
        "Redrive stopped there and deleted nothing more; the messages it had "
        "not finished are visible on the dead-letter queue again, so run it "
        "again after the fix."
    )


def _limit_note(env: Environment, limit: int, left_visible: int) -> str:
    queue = env.target.dead_letter_queue_url
    try:
        attributes = env.sqs.get_queue_attributes(
            QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
    except (BotoCoreError, ClientError) as error:
        # The pass is done; not knowing the count must not hide what it did.
        return (
            f"Stopped at --limit {limit}; could not count what is left "
            f"({str(error).rstrip('. ')}); run again until it says the queue "
            "is empty."
        )
    total = int(attributes.get("ApproximateNumberOfMessages", "0"))
    return (
        f"Stopped at --limit {limit}; about {max(total - left_visible, 0)} "
        "message(s) on the dead-letter queue are not read yet: run again."
    )


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


# --- holds ---------------------------------------------------------------------


def holds(env: Environment, month: str, give_back_stale: bool) -> Report:
    """Show a month's spend and the holds still out; give back the stale ones.

    A hold older than the longest a Lambda invocation may run (plus a
    minute) belongs to a function that died between its hold and its
    settlement: nothing will ever end it, and until the month ends it keeps
    its worst case from the budget. Giving it back counts that call as free,
    although the provider may have billed it; the provider's console shows
    what was billed.
    """
    table = env.target.budget_table
    try:
        found = env.dynamodb.get_item(
            TableName=table, Key={"month": {"S": month}}, ConsistentRead=True
        )
    except (BotoCoreError, ClientError) as error:
        raise _aws_error(f"read table {table}", error) from error
    item = from_attributes(found.get("Item", {}))
    if not item:
        return Report(f"Nothing is spent or held in {month} (table {table}).")
    now = datetime.now(UTC)
    lines = [f"Month {month} in table {table}"]
    lines += [
        f"  {name}: {_plain(item[name])}"
        for name in ("spent_usd", "committed_usd", "model_calls")
        if name in item
    ]
    held = sorted(
        (name, budget.hold_amount(value))
        for name, value in item.items()
        if name.startswith("hold_")
    )
    stale, odd = [], []
    for name, usd in held:
        if usd is None:
            # Written by hand or by another tool: a number is all a hold is.
            odd.append(name)
            lines.append(f"  {name}: {_plain(item[name])!r} is no amount in USD")
            continue
        since = budget.held_since(name)
        old = now - since > INTERRUPTED_AFTER
        if old:
            stale.append(budget.Hold(month, usd, name=name, open=False))
        when = "time unreadable" if since.year == 1 else f"{since:%Y-%m-%d %H:%M} UTC"
        state = "left by a function that died" if old else "a call in flight"
        lines.append(f"  {name}: {usd} USD, held since {when}: {state}")
    if not held:
        lines.append("  No holds are out.")
    warnings = (
        (
            f"{len(odd)} hold attribute(s) hold no positive amount and were left "
            f"as they are: {', '.join(odd)}; check who wrote them, then correct "
            "or remove each and committed_usd with it by hand.",
        )
        if odd
        else ()
    )
    if not stale:
        return Report("\n".join(lines), warnings)
    total = sum((hold.usd for hold in stale), Decimal(0))
    if not give_back_stale:
        lines.append(
            f"{len(stale)} stale hold(s) keep {total} USD from the budget; "
            "`holds --give-back-stale` gives them back."
        )
        return Report("\n".join(lines), warnings)
    given: list[budget.Hold] = []
    gone: list[budget.Hold] = []
    for hold in stale:
        try:
            env.dynamodb.update_item(**budget.giving_back(table, hold))
        except ClientError as error:
            if not condition_failed(error):
                raise _stopped_giving_back(table, given, error) from error
            gone.append(hold)
            continue
        except BotoCoreError as error:
            raise _stopped_giving_back(table, given, error) from error
        given.append(hold)
    lines.append(
        f"Gave back {len(given)} stale hold(s), "
        f"{sum((hold.usd for hold in given), Decimal(0))} USD."
    )
    if gone:
        lines.append(
            f"{len(gone)} had gone already (given back by someone else): "
            + ", ".join(hold.name for hold in gone)
        )
    return Report("\n".join(lines), warnings)


def _stopped_giving_back(
    table: str, given: list[budget.Hold], error: Exception
) -> OpsError:
    done = (
        f"; {len(given)} stale hold(s) were given back before it "
        f"({', '.join(hold.name for hold in given)}), the rest are still out"
        if given
        else ""
    )
    problem = str(_aws_error(f"update table {table}", error)).rstrip(".")
    return OpsError(
        f"{problem}{done}. Run `holds --give-back-stale` again after the fix."
    )


def _month(value: str) -> str:
    """An argparse type: a month as the budget table keys it, YYYY-MM."""
    try:
        return f"{datetime.strptime(value, '%Y-%m'):%Y-%m}"
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'"{value}" is not a month; give it as YYYY-MM, e.g. 2026-12.'
        ) from None


def _plain(value: Any) -> Any:
    # DynamoDB numbers arrive as Decimal; show them as plain numbers.
    def number(decimal: Any) -> int | float:
        whole = decimal == decimal.to_integral_value()
        return int(decimal) if whole else float(decimal)

    return json.loads(json.dumps(value, default=number))


def _aws_error(what: str, error: Exception) -> OpsError:
    # botocore ends some messages with a full stop and others without.
    detail = str(error).rstrip(". ")
    return OpsError(
        f"Failed to {what}: {detail}. Check the credentials (AWS_PROFILE), the "
        "region, and that the name belongs to this environment."
    )


# Each setting: its variable and the Terraform output that gives its value.
SETTINGS = {
    "records_table": ("RECORDS_TABLE", "records_table_name"),
    "budget_table": ("BUDGET_TABLE", "budget_table_name"),
    "retry_queue_url": ("RETRY_QUEUE_URL", "retry_queue_url"),
    "dead_letter_queue_url": ("DEAD_LETTER_QUEUE_URL", "dead_letter_queue_url"),
}
# The settings each command touches; it asks for no others.
USES = {
    "status": ("records_table",),
    "replay": ("records_table", "retry_queue_url"),
    "resolve": ("records_table",),
    "redrive": ("records_table", "retry_queue_url", "dead_letter_queue_url"),
    "holds": ("budget_table",),
}


def _target(args: argparse.Namespace) -> Target:
    values = {}
    for option in USES[args.command]:
        variable, output = SETTINGS[option]
        value = getattr(args, option) or os.environ.get(variable, "").strip()
        if not value:
            flag = "--" + option.replace("_", "-")
            raise OpsError(
                f"{variable} is not set; pass {flag} or set {variable}, for "
                "example from `terraform -chdir=infra/envs/<environment> output -raw "
                f"{output}`."
            )
        values[option] = value
    return Target(**values)


def _positive(value: str) -> int:
    """An argparse type: a whole number from 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            f'"{value}" is not a number of messages; give a whole number from 1.'
        )
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.ops",
        description="Operate the service: look up, replay, resolve and redrive "
        "requests; see and give back the cost guard's holds.",
    )
    parser.add_argument("--records-table", help="default: $RECORDS_TABLE")
    parser.add_argument("--budget-table", help="default: $BUDGET_TABLE")
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
    done = commands.add_parser(
        "resolve",
        help="record what a person did with a quarantined or failed request; "
        "send nothing",
    )
    done.add_argument("request_id")
    done.add_argument(
        "--note", required=True, help="what was done, e.g. where it is recorded"
    )
    back = commands.add_parser(
        "redrive", help="send the dead-letter queue's retryable messages back"
    )
    back.add_argument(
        "--limit", type=_positive, default=1000, help="messages to read at most"
    )
    back.add_argument(
        "--dry-run", action="store_true", help="say what would move; change nothing"
    )
    spend = commands.add_parser(
        "holds", help="show a month's spend and holds; give back stale holds"
    )
    spend.add_argument(
        "--month",
        type=_month,
        default=budget.month_of(datetime.now(UTC)),
        help="YYYY-MM, UTC; default: this month",
    )
    spend.add_argument(
        "--give-back-stale",
        action="store_true",
        help="give back the holds of functions that died mid-call",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; print what happened; 0 on success, 1 on a problem.

    A command that did its work but left something for a person to check
    prints it on stderr and exits with 1 as well; one stopped with Ctrl-C
    exits with 130, as a shell would. A command line argparse cannot read
    exits with 2, as argparse does.
    """
    args = _parser().parse_args(argv)
    try:
        env = Environment(_target(args))
        if args.command == "status":
            report = Report(status(env, args.request_id))
        elif args.command == "replay":
            report = replay(env, args.request_id)
        elif args.command == "resolve":
            report = resolve(env, args.request_id, args.note)
        elif args.command == "holds":
            report = holds(env, args.month, args.give_back_stale)
        else:
            report = redrive(env, args.limit, args.dry_run)
    except OpsError as problem:
        print(problem, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_interrupted(args), file=sys.stderr)
        return 130
    print(report.text)
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    return 1 if report.warnings else 0


def _interrupted(args: argparse.Namespace) -> str:
    if args.command == "redrive":
        # redrive releases what it held before the interrupt reaches main.
        return (
            "Interrupted; the messages redrive held and had not finished are "
            "released to the dead-letter queue, so run it again to finish."
        )
    if args.command == "holds":
        # Each give-back is one conditional write: a repeat counts nothing twice.
        return "Interrupted; run `holds` again to see what is left."
    return f"Interrupted; run `status {args.request_id}` to see where it stands."


if __name__ == "__main__":
    sys.exit(main())
