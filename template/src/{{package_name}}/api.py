"""API Gateway entry point: POST /requests and GET /requests/{request_id}.

Thin on purpose: it validates the body, hands the request to processing and
turns the outcome into the HTTP answer the contract promises.
"""

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from . import policy, processing, records
from .errors import InvalidRequestError, ServiceError
from .logs import REQUEST_ERRORED, REQUEST_REJECTED, logger, stamp_release
from .outcomes import Outcome
from .prompts import load_prompt
from .settings import get_settings
from .validation import parse_request_body

app = APIGatewayRestResolver()

_STATUS_CODES = {"succeeded": 200, "pending_retry": 202, "quarantined": 202}


def _json(status_code: int, body: dict[str, Any]) -> Response[str]:
    return Response(
        status_code=status_code,
        content_type="application/json",
        body=json.dumps(body, ensure_ascii=False),
    )


@app.post("/requests")
def create_request() -> Response[str]:
    """Accept a request, try it once, and answer with where it ended."""
    request_input = parse_request_body(_body())
    request_id, outcome = processing.accept(request_input.model_dump(mode="json"))
    return _json(_STATUS_CODES.get(outcome.status, 502), _answer(request_id, outcome))


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
    if outcome.status == "failed":
        answer["reason"] = outcome.reason
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
        request_id, outcome = processing.set_aside_input(body, problem)
        answer = {"request_id": request_id, "status": outcome.status}
        return _json(202, answer | {"message": problem})
    return _json(400, {"message": problem})


def report_service_error(error: ServiceError) -> Response[str]:
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
app.exception_handler(ServiceError)(report_service_error)


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True
)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Route one API Gateway (REST, proxy integration) event."""
    stamp_release(get_settings().model_id, load_prompt().version)
    return app.resolve(event, context)
