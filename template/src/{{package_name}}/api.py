"""API Gateway entry point: POST /requests and GET /requests/{request_id}.

Thin on purpose: it validates the body, hands the request to processing
once per idempotency key, and turns the outcome into the HTTP answer the
contract promises.
"""

import json
from typing import Any

from aws_lambda_powertools.event_handler import (
    APIGatewayRestResolver,
    CORSConfig,
    Response,
)
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from . import idempotency, origins, policy, processing, records, startup, telemetry
from .errors import (
    InvalidHeaderError,
    InvalidRequestError,
    ModelCallsStoppedError,
    RequestTooLargeError,
    ServiceError,
)
from .logs import REQUEST_ERRORED, REQUEST_REJECTED, logger
from .outcomes import Outcome
from .settings import API_GATEWAY_TIMEOUT_SECONDS
from .validation import parse_request_body

# How long a browser may reuse a preflight answer, in seconds.
PREFLIGHT_MAX_AGE_SECONDS = 600


def cors_config() -> CORSConfig | None:
    """Allow the answered origins, with the headers this API reads and sets."""
    if not origins.ALLOWED_ORIGINS:
        return None
    first, *others = origins.ALLOWED_ORIGINS
    return CORSConfig(
        allow_origin=first,
        extra_origins=others,
        allow_headers=[idempotency.HEADER],
        expose_headers=["Retry-After", idempotency.REPLAYED_HEADER],
        max_age=PREFLIGHT_MAX_AGE_SECONDS,
    )


app = APIGatewayRestResolver(cors=cors_config())

_STATUS_CODES = {"succeeded": 200, "pending_retry": 202, "quarantined": 202}
# A repeat that arrives while the first is still running is asked to wait
# about as long as one attempt takes.
IN_PROGRESS_RETRY_AFTER_SECONDS = 5


def _json(
    status_code: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response[str]:
    return Response(
        status_code=status_code,
        content_type="application/json",
        body=json.dumps(body, ensure_ascii=False),
        headers=headers,
    )


@app.post("/requests")
def create_request() -> Response[str]:
    """Accept a request once, try it, and answer with where it ended."""
    key = idempotency.key_from_header(app.current_event.headers.get(idempotency.HEADER))
    request_input = parse_request_body(_body())
    answer = idempotency.once(
        handle_submission,
        request_input.model_dump(mode="json"),
        key,
        app.lambda_context,
    )
    return _json(answer["status_code"], answer["body"], answer.get("headers"))


def handle_submission(submission: dict[str, Any]) -> dict[str, Any]:
    """Make the first attempt at a new submission; the answer is kept for repeats."""
    request_id, outcome = processing.accept(submission["body"])
    status_code = _STATUS_CODES.get(outcome.status, 502)
    answer = {"status_code": status_code, "body": _answer(request_id, outcome)}
    if outcome.retry_after_seconds is not None:
        answer["headers"] = {"Retry-After": str(outcome.retry_after_seconds)}
    return answer


def _body() -> str | None:
    # API Gateway base64-encodes bodies of binary media types.
    try:
        return app.current_event.decoded_body
    except ValueError:
        raise InvalidRequestError(
            "The request body is marked as base64 but is not base64 of UTF-8 "
            "text; send the JSON body as plain UTF-8."
        ) from None


def _answer(request_id: str, outcome: Outcome) -> dict[str, Any]:
    answer: dict[str, Any] = {"request_id": request_id, "status": outcome.status}
    if outcome.status == "succeeded":
        answer["result"] = outcome.result
    if outcome.status == "failed" or outcome.message:
        answer["reason"] = outcome.reason
    if outcome.message:
        answer["message"] = outcome.message
    return answer


@app.get("/requests/<request_id>")
def read_request(request_id: str) -> Response[str]:
    """Show a request's record, without the input it was sent."""
    record = records.get_record(request_id)
    if record is None:
        return _json(
            404,
            {
                "message": f'No request has the id "{request_id}"; use the '
                "request_id that POST /requests returned."
            },
        )
    return _json(200, record.public())


def handle_bad_input(error: InvalidRequestError) -> Response[str]:
    """Answer 400 with what is wrong and how to fix it, or set the body aside."""
    problem = str(error)
    logger.info(REQUEST_REJECTED, extra={"problem": problem})
    if policy.ON_BAD_INPUT == "route_to_human_review":
        body = app.current_event.body or ""
        try:
            request_id, outcome = processing.set_aside_input(body, problem)
        except ServiceError as failure:
            # Raised inside an exception handler, it would escape the router
            # and reach API Gateway as its own 502 instead of the service's.
            return report_service_error(failure)
        answer = {"request_id": request_id, "status": outcome.status}
        return _json(202, answer | {"message": problem})
    return _json(400, {"message": problem})


def refuse_too_large(error: RequestTooLargeError) -> Response[str]:
    """Answer 413: a body too large to keep cannot be set aside either."""
    logger.info(REQUEST_REJECTED, extra={"problem": "request_too_large"})
    return _json(413, {"message": str(error)})


def report_no_route(error: NotFoundError) -> Response[str]:
    """Answer 404 in the service's own shape for a path or method it lacks."""
    return _json(
        404,
        {
            "message": "This API has POST /requests and GET /requests/{request_id}"
            " only; check the method and the path."
        },
    )


def report_bad_header(error: InvalidHeaderError) -> Response[str]:
    """Answer 400 for a malformed header; the body is not looked at."""
    logger.info(REQUEST_REJECTED, extra={"problem": str(error)})
    return _json(400, {"message": str(error)})


def report_calls_stopped(error: ModelCallsStoppedError) -> Response[str]:
    """Answer 503 with Retry-After: the budget is spent or calls are off."""
    logger.info(REQUEST_REJECTED, extra={"problem": error.reason})
    return _json(
        503,
        {"message": str(error), "reason": error.reason},
        {"Retry-After": str(error.retry_after_seconds)},
    )


def report_in_progress(error: IdempotencyAlreadyInProgressError) -> Response[str]:
    """Answer 409 to a repeat that arrives while the first is still running."""
    logger.info(REQUEST_REJECTED, extra={"problem": "idempotency_key_in_progress"})
    return _json(
        409,
        {
            "message": "A request with this Idempotency-Key (or this body) is "
            "still being handled; repeat it after the Retry-After seconds to "
            "get its answer."
        },
        {"Retry-After": str(IN_PROGRESS_RETRY_AFTER_SECONDS)},
    )


def report_key_reused(error: IdempotencyValidationError) -> Response[str]:
    """Answer 422 when an Idempotency-Key comes back with another body."""
    logger.info(REQUEST_REJECTED, extra={"problem": "idempotency_key_reused"})
    return _json(
        422,
        {
            "message": "This Idempotency-Key was already used with a different "
            "body; send a new key for a new request, or the same body to "
            "repeat the first one."
        },
    )


def report_service_error(error: Exception) -> Response[str]:
    """Answer 500 when the service itself could not do its part."""
    logger.exception(REQUEST_ERRORED, extra={"error_class": type(error).__name__})
    return _json(
        500,
        {
            "message": "The service could not handle the request; try again "
            "later, and tell its operators if this persists."
        },
    )


# Registered by call: Powertools' decorator is untyped, and mypy is strict.
app.exception_handler(InvalidRequestError)(handle_bad_input)
app.exception_handler(RequestTooLargeError)(refuse_too_large)
app.exception_handler(NotFoundError)(report_no_route)
app.exception_handler(InvalidHeaderError)(report_bad_header)
app.exception_handler(ModelCallsStoppedError)(report_calls_stopped)
app.exception_handler(IdempotencyAlreadyInProgressError)(report_in_progress)
app.exception_handler(IdempotencyValidationError)(report_key_reused)
app.exception_handler(IdempotencyPersistenceLayerError)(report_service_error)
app.exception_handler(ServiceError)(report_service_error)

if startup.in_lambda():
    startup.prepare(API_GATEWAY_TIMEOUT_SECONDS)


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True
)
@telemetry.instrumented
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Route one API Gateway (REST, proxy integration) event."""
    startup.prepare(API_GATEWAY_TIMEOUT_SECONDS)
    startup.stamp_release()
    return app.resolve(event, context)
