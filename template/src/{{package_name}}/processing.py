"""One attempt at a request: ask the model, check the reply, record the end.

The API makes the first attempt, the worker the retries; both end here, so
a request is routed the same way whichever function handles it. Where the
discovery call chose between two behaviours, `policy` says which one. The
cost guard holds each model call's worst-case cost before the call (and
gives it back if no call is made); a retry it stops goes back to the queue
as it was, so the guard never drops a request it has accepted.
"""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from . import budget, claude, outcomes, parsing, policy, records, telemetry
from .errors import (
    InvalidOutputError,
    ModelCallsStoppedError,
    PermanentModelError,
    RecordBusyError,
    TransientModelError,
)
from .logs import (
    ATTEMPT_CRASHED,
    REPLY_RECOVERED,
    REQUEST_INTERRUPTED,
    REQUEST_RECEIVED,
    RETRY_SKIPPED,
    RETRY_STARTED,
    logger,
)
from .outcomes import Outcome, Rejected
from .pricing import Usage
from .settings import LAMBDA_MAX_TIMEOUT_SECONDS
from .validation import validate_output

# A failure nothing above foresaw: a defect, since every failure of the
# model call and of the reply has its own class. The request fails (and can
# be redriven after the fix) rather than crash its function, which would
# leave it unrecorded and, in the worker, pay for the call again on every
# redelivery of its message.
INTERNAL_ERROR = "internal_error"

# Transient reasons that on_rate_limited decides; the others are outages.
RATE_LIMIT_REASONS = frozenset({"model_rate_limited", "model_overloaded"})

# How much of a rejected body the record keeps; the bucket keeps all of it.
RAW_BODY_ON_RECORD = 1000

# No invocation outlives Lambda's longest timeout, whatever the API
# function's own; an API attempt still open this long after it began lost
# its invocation (a crash, or AWS failing the write that would have ended it).
INTERRUPTED_AFTER = timedelta(seconds=LAMBDA_MAX_TIMEOUT_SECONDS + 60)


def accept(request_input: dict[str, Any]) -> tuple[str, Outcome]:
    """Record a new request as received, then make its first attempt.

    Raises ModelCallsStoppedError, before anything is recorded, when the
    cost guard stops calls and the policy is to tell the caller so.
    """
    # Read the API key first: a request is only accepted when it can be tried.
    claude.get_client()
    try:
        hold = budget.reserve(claude.worst_case_cost(request_input))
    except ModelCallsStoppedError as stopped:
        if policy.ON_BUDGET_EXHAUSTED == "reject":
            raise
        request_id = _new_request(request_input, attempts=0)
        return request_id, outcomes.defer(request_id, 0, stopped)
    with hold:
        request_id = _new_request(request_input)
        return request_id, attempt(request_id, request_input, 0, hold)


def set_aside_input(body: str, problem: str) -> tuple[str, Outcome]:
    """Keep a body that fails the input model in quarantine for a person."""
    request_id = _new_request({"raw_body": body[:RAW_BODY_ON_RECORD]})
    rejected = Rejected({"raw_body": body}, "invalid_input", problem)
    return request_id, outcomes.quarantine(request_id, rejected)


def _new_request(request_input: dict[str, Any], attempts: int = 1) -> str:
    request_id = str(uuid.uuid4())
    logger.append_keys(request_id=request_id)
    records.record_received(request_id, request_input, attempts=attempts)
    telemetry.count(telemetry.REQUEST_ACCEPTED)
    logger.info(REQUEST_RECEIVED)
    return request_id


def close_interrupted(has_time: Callable[[], bool] = lambda: True) -> int:
    """End the requests whose API invocation died before recording an end.

    Each is recorded failed (reason `interrupted`) with a metric and a log
    line, and is not tried again: its caller was answered with an error, not
    with its id, and may well have sent the request again. Returns how many
    were ended; stops early when `has_time` says the invocation is short of
    time, and the next run goes on from there.
    """
    started_before = datetime.now(UTC) - INTERRUPTED_AFTER
    closed = 0
    for request_id in records.open_api_attempts(started_before):
        if not has_time():
            break
        if records.close_interrupted(request_id):
            closed += 1
            telemetry.count(telemetry.REQUEST_INTERRUPTED)
            logger.warning(
                REQUEST_INTERRUPTED,
                extra={"request_id": request_id, "reason": records.INTERRUPTED},
            )
    return closed


def retry(request_id: str, retry_number: int) -> None:
    """Make retry number `retry_number` of a request, unless it moved on.

    Retry 0 is the first model call of a request the cost guard deferred.
    """
    claude.get_client()
    record = records.get_record(request_id)
    if record is None:
        outcomes.report_orphan(request_id, retry_number)
        return
    if record.api_attempt_open:
        # The API sent this message and has not yet recorded pending_retry,
        # or its invocation died and its caller got an error. Either way the
        # request is not the worker's yet: the message comes back after the
        # queue's visibility timeout, by when the API's write has landed or
        # the sweep has ended the request (then the message is skipped). A
        # request whose caller was told it failed is never retried.
        raise RecordBusyError(
            f"Request {request_id} is still the API's (its attempt has not "
            "recorded how it ended); this retry waits for the message to "
            "come back."
        )
    # The API call was attempt 1, so retry n is attempt n + 1.
    number = retry_number + 1
    now = datetime.now(UTC)
    if not records.may_claim(record, number, now):
        _skip(record)
        return
    try:
        hold = budget.reserve(claude.worst_case_cost(record.input), now)
    except ModelCallsStoppedError as stopped:
        outcomes.requeue_stopped(request_id, retry_number, stopped)
        return
    with hold:
        if not records.claim_attempt(request_id, number, now):
            _skip(record)
            return
        logger.info(RETRY_STARTED)
        attempt(request_id, record.input, retry_number, hold, caller_waiting=False)


def _skip(record: records.Record) -> None:
    # A duplicate or late message: the record is final or further along.
    logger.info(
        RETRY_SKIPPED, extra={"status": record.status, "attempts": record.attempts}
    )


def attempt(
    request_id: str,
    request_input: dict[str, Any],
    retry: int,
    hold: budget.Hold,
    *,
    caller_waiting: bool = True,
) -> Outcome:
    """Try the model once, its cost held by `hold`, and record where it ended."""
    try:
        result, usage = _produce_output(request_input, hold)
    except TransientModelError as error:
        if caller_waiting and _rejects_at_once(error):
            return outcomes.fail(request_id, error.reason, str(error))
        return outcomes.retry_later(request_id, retry + 1, error)
    except InvalidOutputError as error:
        rejected = Rejected(
            request_input,
            error.reason,
            str(error),
            error.raw_reply,
            error.stop_reason,
            error.usage,
        )
        fail_request = policy.ON_INVALID_OUTPUT == "reject"
        return outcomes.quarantine(request_id, rejected, fail_request=fail_request)
    except PermanentModelError as error:
        return outcomes.fail(request_id, error.reason, str(error))
    except Exception as error:  # noqa: BLE001 - see INTERNAL_ERROR
        logger.exception(ATTEMPT_CRASHED)
        detail = f"The attempt failed unexpectedly with {type(error).__name__}."
        return outcomes.fail(request_id, INTERNAL_ERROR, detail)
    return outcomes.succeed(request_id, result, usage)


def _rejects_at_once(error: TransientModelError) -> bool:
    # Only a caller still waiting can be told no; a request already in the
    # retry queue stays there until its retries run out.
    if error.reason in RATE_LIMIT_REASONS:
        return policy.ON_RATE_LIMITED == "reject"
    return policy.ON_PROVIDER_OUTAGE == "reject"


def _produce_output(
    request_input: dict[str, Any], hold: budget.Hold
) -> tuple[dict[str, Any], Usage]:
    reply = claude.ask(request_input, hold)
    try:
        parsed = parsing.extract_json(reply.text)
        if parsed.method != "whole":
            logger.info(REPLY_RECOVERED, extra={"method": parsed.method})
        output = validate_output(parsed.data, reply.text)
    except InvalidOutputError as error:
        # The reply was paid for even though it is unusable.
        error.usage = reply.usage
        raise
    return output.model_dump(mode="json"), reply.usage
