"""Where a request ends, and the evidence each ending leaves.

Evidence is written before the record changes state: the retry message, the
quarantined reply or the dead-letter message exists by the time the record
says so. A crash in between leaves an open record with its evidence, never
a final record without it.
"""

import json
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from . import aws, records, telemetry
from .errors import ModelCallsStoppedError, StorageError, TransientModelError
from .logs import (
    REQUEST_FAILED,
    REQUEST_PENDING_RETRY,
    REQUEST_QUARANTINED,
    REQUEST_SUCCEEDED,
    RETRY_DEFERRED,
    RETRY_ORPHANED,
    logger,
)
from .pricing import Usage
from .prompts import load_prompt
from .settings import get_settings

# The first retry waits this long; each later one twice as long as the last.
RETRY_BASE_DELAY_SECONDS = 30
# SQS delays a message by at most 15 minutes.
MAX_DELAY_SECONDS = 900
# A retry the cost guard stopped waits this long before it asks again.
DEFERRED_DELAY_SECONDS = MAX_DELAY_SECONDS


@dataclass(frozen=True)
class Outcome:
    """The state a request reached, with what the caller may see of it."""

    status: records.OutcomeStatus
    result: dict[str, Any] | None = None
    reason: str | None = None
    quarantine_key: str | None = None
    # Set when the cost guard held the request back: why, and when its call
    # may be made at the earliest.
    message: str | None = None
    retry_after_seconds: int | None = None


def retry_delay_seconds(attempt: int) -> int:
    """Return how long retry number `attempt` (from 1) waits in the queue."""
    return min(MAX_DELAY_SECONDS, RETRY_BASE_DELAY_SECONDS * int(2 ** (attempt - 1)))


def succeed(request_id: str, result: dict[str, Any], usage: Usage) -> Outcome:
    """Record the validated result."""
    records.record_outcome(request_id, "succeeded", result=result, usage=usage)
    telemetry.count(telemetry.REQUEST_SUCCEEDED)
    logger.info(REQUEST_SUCCEEDED)
    return Outcome("succeeded", result=result)


def retry_later(request_id: str, attempt: int, error: TransientModelError) -> Outcome:
    """Queue retry number `attempt`, or fail the request after the last one."""
    settings = get_settings()
    if attempt > settings.retry_max_attempts:
        telemetry.count(telemetry.RETRY_EXHAUSTED)
        return fail(
            request_id,
            "retries_exhausted",
            f"Retries exhausted ({settings.retry_max_attempts} of "
            f"{settings.retry_max_attempts}); the last error was {error.reason}.",
        )
    delay = retry_delay_seconds(attempt)
    if error.retry_after_seconds:
        # The provider's wait, when longer, as far as SQS can delay a message.
        asked = math.ceil(error.retry_after_seconds)
        delay = max(delay, min(MAX_DELAY_SECONDS, asked))
    return _queue(request_id, attempt, delay, error.reason)


def defer(request_id: str, attempt: int, stopped: ModelCallsStoppedError) -> Outcome:
    """Queue a request the cost guard stopped, without spending an attempt.

    `attempt` is the retry the message asks for: 0 for a request whose first
    call was never made. The guard never drops a request it stops; the
    message comes back until model calls may resume.
    """
    delay = min(DEFERRED_DELAY_SECONDS, stopped.retry_after_seconds)
    queued = _queue(request_id, attempt, delay, stopped.reason)
    # The caller is told why and when to look again, not to send it again.
    return replace(
        queued,
        message=f"Model calls are stopped ({stopped.reason}); the request is "
        "kept and its model call is made when they resume. Follow it with GET "
        f"/requests/{request_id}.",
        retry_after_seconds=stopped.retry_after_seconds,
    )


def _queue(request_id: str, attempt: int, delay: int, reason: str) -> Outcome:
    _send(
        get_settings().retry_queue_url,
        {"request_id": request_id, "attempt": attempt},
        delay_seconds=delay,
    )
    records.record_outcome(request_id, "pending_retry")
    telemetry.count(telemetry.REQUEST_PENDING_RETRY)
    logger.info(
        REQUEST_PENDING_RETRY,
        extra={"next_attempt": attempt, "delay_seconds": delay, "reason": reason},
    )
    return Outcome("pending_retry", reason=reason)


def requeue_stopped(
    request_id: str, attempt: int, stopped: ModelCallsStoppedError
) -> None:
    """Send a stopped retry back to the queue as it was; its record stays."""
    delay = min(DEFERRED_DELAY_SECONDS, stopped.retry_after_seconds)
    _send(
        get_settings().retry_queue_url,
        {"request_id": request_id, "attempt": attempt},
        delay_seconds=delay,
    )
    logger.info(
        RETRY_DEFERRED,
        extra={"reason": stopped.reason, "delay_seconds": delay, "attempt": attempt},
    )


@dataclass(frozen=True)
class Rejected:
    """What is kept of a reply, or a request body, that cannot be used."""

    request: dict[str, Any]
    reason: str
    detail: str
    raw_reply: str | None = None
    stop_reason: str | None = None
    usage: Usage | None = None


def quarantine(
    request_id: str, rejected: Rejected, *, fail_request: bool = False
) -> Outcome:
    """Keep the evidence in S3, point the dead-letter queue at it, record it.

    With `fail_request` the request ends failed instead of quarantined: the
    caller is told no, and the evidence is kept all the same.
    """
    settings = get_settings()
    status: records.OutcomeStatus = "failed" if fail_request else "quarantined"
    key = _keep_evidence(request_id, rejected)
    _send(
        settings.dead_letter_queue_url,
        {
            "request_id": request_id,
            "status": status,
            "reason": rejected.reason,
            "detail": rejected.detail,
            "quarantine_bucket": settings.quarantine_bucket,
            "quarantine_key": key,
        },
    )
    records.record_outcome(
        request_id,
        status,
        reason=rejected.reason,
        quarantine_key=key,
        usage=rejected.usage,
    )
    telemetry.count(
        telemetry.REQUEST_FAILED if fail_request else telemetry.REQUEST_QUARANTINED
    )
    logger.warning(
        REQUEST_FAILED if fail_request else REQUEST_QUARANTINED,
        extra={"reason": rejected.reason, "quarantine_key": key},
    )
    return Outcome(status, reason=rejected.reason, quarantine_key=key)


def _keep_evidence(request_id: str, rejected: Rejected) -> str:
    settings = get_settings()
    now = datetime.now(UTC)
    key = f"quarantine/{now:%Y/%m/%d}/{request_id}.json"
    evidence = {
        "request_id": request_id,
        "request": rejected.request,
        "raw_reply": rejected.raw_reply,
        "reason": rejected.reason,
        "detail": rejected.detail,
        "stop_reason": rejected.stop_reason,
        "model": settings.model_id,
        "prompt_version": load_prompt().version,
        "quarantined_at": now.isoformat(timespec="milliseconds"),
    }
    _put_object(settings.quarantine_bucket, key, evidence)
    return key


def fail(request_id: str, reason: str, detail: str) -> Outcome:
    """Send the request to the dead-letter queue and record why it failed."""
    _send(
        get_settings().dead_letter_queue_url,
        {
            "request_id": request_id,
            "status": "failed",
            "reason": reason,
            "detail": detail,
        },
    )
    records.record_outcome(request_id, "failed", reason=reason)
    telemetry.count(telemetry.REQUEST_FAILED)
    logger.error(REQUEST_FAILED, extra={"reason": reason, "detail": detail})
    return Outcome("failed", reason=reason)


def report_orphan(request_id: str, attempt: int) -> None:
    """Park a retry message whose request has no record, for a person to see."""
    _send(
        get_settings().dead_letter_queue_url,
        {
            "request_id": request_id,
            "status": "unknown",
            "reason": "record_missing",
            "detail": f"Retry {attempt} arrived for a request with no record.",
        },
    )
    logger.error(RETRY_ORPHANED, extra={"attempt": attempt})


def _send(queue_url: str, body: dict[str, Any], delay_seconds: int = 0) -> None:
    try:
        aws.sqs().send_message(
            QueueUrl=queue_url,
            MessageBody=json.dumps(body),
            DelaySeconds=delay_seconds,
        )
    except (BotoCoreError, ClientError) as error:
        raise StorageError(
            f"Failed to send a message for request {body['request_id']} to "
            f"{queue_url}; check the queue exists and the role may send to it."
        ) from error


def _put_object(bucket: str, key: str, body: dict[str, Any]) -> None:
    try:
        aws.s3().put_object(
            Bucket=bucket,
            Key=key,
            Body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            ContentType="application/json",
        )
    except (BotoCoreError, ClientError) as error:
        raise StorageError(
            f"Failed to write s3://{bucket}/{key}; check the bucket exists and "
            "the role may write to it."
        ) from error
