"""SQS entry point: the retry queue's consumer, with partial batch responses.

The same function also runs on a schedule, to end requests whose API
invocation died before it could record how they ended (`SWEEP_EVENT`).

Each message is {"request_id": ..., "attempt": n}: retry n of the request,
or 0 for the first call of a request the cost guard deferred. A message
that fails (unreadable, or AWS did not answer) is reported back so that SQS
delivers it again and, after the queue's redrive limit, moves it to the
dead-letter queue; the other messages of the batch are not retried with it.
"""

import json
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from . import processing, startup, telemetry
from .errors import ServiceError, UnknownEventError, UnreadableMessageError
from .logs import RETRY_FAILED, logger
from .settings import LAMBDA_MAX_TIMEOUT_SECONDS

# Report every failed message, even when all of a batch fail, instead of
# raising: the response then says exactly which messages to deliver again.
processor = BatchProcessor(
    event_type=EventType.SQS, raise_on_entire_batch_failure=False
)


# What the schedule in Terraform (modules/service, worker_function) sends.
SWEEP_EVENT = {"sweep": "interrupted_requests"}
# A sweep stops with this much of the invocation left, and the next run goes
# on; ending one request is one conditional write.
SWEEP_RESERVE_MILLISECONDS = 2_000


@dataclass(frozen=True)
class RetryMessage:
    """What the retry queue carries: which request, which retry."""

    request_id: str
    attempt: int


def parse_message(body: str) -> RetryMessage:
    """Read a retry message, or raise UnreadableMessageError."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    fields = data if isinstance(data, dict) else {}
    request_id, attempt = fields.get("request_id"), fields.get("attempt")
    if (
        not isinstance(request_id, str)
        or not request_id
        or type(attempt) is not int
        or attempt < 0
    ):
        raise UnreadableMessageError(
            f"Retry message {body[:80]!r} is not "
            '{"request_id": "<id>", "attempt": <n from 0>}; it goes back to '
            "the queue and, after the redrive limit, to the dead-letter queue."
        )
    return RetryMessage(request_id, attempt)


def handle_message(record: SQSRecord) -> None:
    """Make the retry one message asks for; raise to have it delivered again."""
    try:
        message = parse_message(record.body)
        logger.append_keys(request_id=message.request_id, attempt=message.attempt)
        processing.retry(message.request_id, message.attempt)
    except ServiceError as error:
        logger.exception(
            RETRY_FAILED,
            extra={
                "message_id": record.message_id,
                "error_class": type(error).__name__,
            },
        )
        raise
    finally:
        logger.remove_keys(["request_id", "attempt"])


if startup.in_lambda():
    startup.prepare(LAMBDA_MAX_TIMEOUT_SECONDS)


@logger.inject_lambda_context(clear_state=True)
@telemetry.instrumented
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Process one batch of retry messages, or sweep on the schedule."""
    startup.prepare(LAMBDA_MAX_TIMEOUT_SECONDS)
    startup.stamp_release()
    if event == SWEEP_EVENT:
        closed = processing.close_interrupted(
            has_time=lambda: (
                context.get_remaining_time_in_millis() > SWEEP_RESERVE_MILLISECONDS
            )
        )
        return {"closed": closed}
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        # Powertools would name every batch type it knows but not this one.
        raise UnknownEventError(
            f"The worker takes an SQS batch or {json.dumps(SWEEP_EVENT)}, not "
            f"{json.dumps(event, default=str)[:200]}; check the schedule's input "
            "in Terraform (modules/service, worker_function) or the test event."
        )
    if not records:
        return {"batchItemFailures": []}
    response = process_partial_response(
        event=event,
        record_handler=handle_message,
        processor=processor,
        context=context,
    )
    return dict(response)
