"""One attempt at a request: ask the model, check the reply, record the end.

The API makes the first attempt, the worker the retries; both end here, so
a request is routed the same way whichever function handles it. Where the
discovery call chose between two behaviours, `policy` says which one.
"""

import uuid
from typing import Any

from . import claude, outcomes, parsing, policy, records
from .errors import InvalidOutputError, PermanentModelError, TransientModelError
from .logs import (
    REPLY_RECOVERED,
    REQUEST_RECEIVED,
    RETRY_SKIPPED,
    RETRY_STARTED,
    logger,
)
from .outcomes import Outcome, Rejected
from .validation import validate_output

# Transient reasons that on_rate_limited decides; the others are outages.
RATE_LIMIT_REASONS = frozenset({"model_rate_limited", "model_overloaded"})

# How much of a rejected body the record keeps; the bucket keeps all of it.
RAW_BODY_ON_RECORD = 1000


def accept(request_input: dict[str, Any]) -> tuple[str, Outcome]:
    """Record a new request as received, then make its first attempt."""
    # Read the API key first: a request is only accepted when it can be tried.
    claude.get_client()
    request_id = _new_request(request_input)
    return request_id, attempt(request_id, request_input, retry=0)


def set_aside_input(body: str, problem: str) -> tuple[str, Outcome]:
    """Keep a body that fails the input model in quarantine for a person."""
    request_id = _new_request({"raw_body": body[:RAW_BODY_ON_RECORD]})
    rejected = Rejected({"raw_body": body}, "invalid_input", problem)
    return request_id, outcomes.quarantine(request_id, rejected)


def _new_request(request_input: dict[str, Any]) -> str:
    request_id = str(uuid.uuid4())
    logger.append_keys(request_id=request_id)
    records.record_received(request_id, request_input)
    logger.info(REQUEST_RECEIVED)
    return request_id


def retry(request_id: str, retry_number: int) -> None:
    """Make retry number `retry_number` of a request, unless it moved on."""
    claude.get_client()
    record = records.get_record(request_id)
    if record is None:
        outcomes.report_orphan(request_id, retry_number)
        return
    # The API call was attempt 1, so retry n is attempt n + 1.
    is_open = record.status in records.OPEN_STATES
    if not is_open or not records.claim_attempt(request_id, retry_number + 1):
        logger.info(
            RETRY_SKIPPED, extra={"status": record.status, "attempts": record.attempts}
        )
        return
    logger.info(RETRY_STARTED)
    attempt(request_id, record.input, retry=retry_number)


def attempt(request_id: str, request_input: dict[str, Any], retry: int) -> Outcome:
    """Try the model once and record where the request ended."""
    try:
        result = _produce_output(request_input)
    except TransientModelError as error:
        if retry == 0 and _rejects_at_once(error):
            return outcomes.fail(request_id, error.reason, str(error))
        return outcomes.retry_later(request_id, retry + 1, error)
    except InvalidOutputError as error:
        rejected = Rejected(
            request_input, error.reason, str(error), error.raw_reply, error.stop_reason
        )
        fail_request = policy.ON_INVALID_OUTPUT == "reject"
        return outcomes.quarantine(request_id, rejected, fail_request=fail_request)
    except PermanentModelError as error:
        return outcomes.fail(request_id, error.reason, str(error))
    return outcomes.succeed(request_id, result)


def _rejects_at_once(error: TransientModelError) -> bool:
    # Only the caller of the first attempt can be told no; a request already
    # in the retry queue stays there until its retries run out.
    if error.reason in RATE_LIMIT_REASONS:
        return policy.ON_RATE_LIMITED == "reject"
    return policy.ON_PROVIDER_OUTAGE == "reject"


def _produce_output(request_input: dict[str, Any]) -> dict[str, Any]:
    reply = claude.ask(request_input)
    parsed = parsing.extract_json(reply.text)
    if parsed.method != "whole":
        logger.info(REPLY_RECOVERED, extra={"method": parsed.method})
    output = validate_output(parsed.data, reply.text)
    return output.model_dump(mode="json")
