"""The Claude client and the mapping of its failures to the service's errors.

Which SDK error means what is decided here, by class, on purpose:
transient errors go to the retry queue, permanent ones to the dead-letter
queue without burning retries. The timeout and the SDK's own quick retries
come from settings so the time budget of one request is visible.

The same code talks to the Anthropic API (key from Secrets Manager) or to
Amazon Bedrock (signed with the function's role), as `provider` says. A
reply longer than the SDK allows without streaming is streamed, and the
finished message is used exactly as a non-streamed one would be.
"""

import functools
import json
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import anthropic
import boto3

# Maintenance: a private module of the SDK, the only place this table lives.
from anthropic._constants import MODEL_NONSTREAMING_TOKENS
from anthropic.lib.streaming import MessageStream
from anthropic.types import Message, MessageParam, OutputConfigParam
from botocore.exceptions import BotoCoreError, ClientError

from . import aws, budget, provider, telemetry
from .errors import (
    ConfigurationError,
    InvalidOutputError,
    PermanentModelError,
    StorageError,
    TransientModelError,
)
from .logs import MODEL_CALLED, MODEL_FAILED, logger
from .pricing import Usage, usage_of
from .prompts import load_prompt
from .settings import IN_CALL_RETRY_WAIT_SECONDS, get_settings

E = TypeVar("E", TransientModelError, PermanentModelError)

# Worth another try later: the provider is busy, slow or briefly broken.
_TRANSIENT: dict[type[anthropic.APIError], str] = {
    anthropic.RateLimitError: "model_rate_limited",
    anthropic.OverloadedError: "model_overloaded",
    anthropic.InternalServerError: "model_server_error",
    anthropic.RequestTimeoutError: "model_timeout",
    anthropic.ConflictError: "model_conflict",
    anthropic.APITimeoutError: "model_timeout",
    anthropic.APIConnectionError: "model_connection_failed",
}

# The same request will fail the same way: retrying only spends money.
_PERMANENT: dict[type[anthropic.APIError], str] = {
    anthropic.BadRequestError: "model_bad_request",
    anthropic.AuthenticationError: "model_authentication_failed",
    anthropic.PermissionDeniedError: "model_permission_denied",
    anthropic.ContentTooLargeError: "model_request_too_large",
    anthropic.RequestHeaderFieldsTooLargeError: "model_request_too_large",
    anthropic.NotFoundError: "model_not_found",
    anthropic.PaymentRequiredError: "model_payment_required",
    anthropic.UnprocessableEntityError: "model_unprocessable",
}

# An error event in the middle of a streamed reply arrives after HTTP 200,
# so its class says nothing; its type does. Anything else mid-stream is the
# provider failing, which is worth another try.
_STREAM_ERROR_TYPES = {
    "rate_limit_error": "model_rate_limited",
    "throttlingException": "model_rate_limited",
    "overloaded_error": "model_overloaded",
}

# What a streamed call's deadline is measured with; tests replace it.
clock = time.monotonic

# Stop reasons whose text is not a finished answer.
_REJECTED_STOPS = {
    "refusal": "refusal",
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "max_tokens",
    "tool_use": "unexpected_stop_reason",
    "pause_turn": "unexpected_stop_reason",
}

# The SDK refuses a non-streamed call that may take over 10 minutes: at its
# assumed pace of 128,000 tokens an hour, more than this many output tokens.
# Maintenance: mirrors anthropic's _calculate_nonstreaming_timeout (2.17).
SDK_NONSTREAMING_MAX_TOKENS = 128_000 * 10 // 60


@dataclass(frozen=True)
class ModelReply:
    """The text of one finished reply and what it cost."""

    text: str
    stop_reason: str | None
    usage: Usage


def needs_streaming(model_id: str, max_output_tokens: int) -> bool:
    """Say whether the SDK would refuse this many tokens without streaming."""
    limit = MODEL_NONSTREAMING_TOKENS.get(model_id, SDK_NONSTREAMING_MAX_TOKENS)
    return max_output_tokens > min(limit, SDK_NONSTREAMING_MAX_TOKENS)


def _api_key(secret_id: str) -> str:
    try:
        secret = aws.secrets().get_secret_value(SecretId=secret_id)
    except (BotoCoreError, ClientError) as error:
        raise _key_error(secret_id) from error
    key = _key_from(secret.get("SecretString", ""))
    if not key:
        raise _key_error(secret_id)
    return key


def _key_from(value: str) -> str:
    # Accept a bare key or a JSON object {"api_key": "..."}.
    value = value.strip()
    if not value.startswith("{"):
        return value
    try:
        return str(json.loads(value).get("api_key", "")).strip()
    except ValueError:
        return ""


def _key_error(secret_id: str) -> StorageError:
    return StorageError(
        f"Failed to read the model API key from secret {secret_id}; put the "
        "key in it with `aws secretsmanager put-secret-value` and check that "
        "the function's role may read it."
    )


def _check_aws_credentials() -> None:
    # Bedrock calls are signed with the role's credentials; without them
    # every call would fail, so no request is accepted.
    if boto3.Session().get_credentials() is None:
        raise StorageError(
            "Failed to find AWS credentials to sign Bedrock calls with; run "
            "the function with its IAM role (locally: set AWS_PROFILE or the "
            "AWS_ACCESS_KEY_ID variables)."
        )


if TYPE_CHECKING:
    from anthropic._base_client import SyncAPIClient as _Client
else:
    _Client = object


class _BoundedRetries(_Client):
    """The SDK's own retries, with each wait before one held to a second.

    The SDK waits as long as a provider's retry-after asks, however long,
    which could take a request past the function's timeout (its outcome
    unrecorded). A provider asking for more than IN_CALL_RETRY_WAIT_SECONDS
    gets no in-call retry: the request goes to the retry queue, whose delays
    are minutes; shorter back-offs are held to it, and the start-up time
    check counts it once per retry.
    Maintenance: overrides two methods the SDK keeps private (anthropic
    2.x); test_claude's long retry-after test fails if they stop applying.
    """

    def _should_retry(self, response: Any) -> bool:
        if self.wait_too_long(response.headers) is not None:
            return False
        return super()._should_retry(response)

    def wait_too_long(self, headers: Any) -> float | None:
        """The provider's retry-after, when longer than an in-call retry waits."""
        wait = self._parse_retry_after_header(headers)
        return wait if wait is not None and wait > IN_CALL_RETRY_WAIT_SECONDS else None

    def _calculate_retry_timeout(
        self, remaining_retries: int, options: Any, response_headers: Any = None
    ) -> float:
        wait = super()._calculate_retry_timeout(
            remaining_retries, options, response_headers
        )
        return min(wait, IN_CALL_RETRY_WAIT_SECONDS)


class _Anthropic(_BoundedRetries, anthropic.Anthropic):
    """The Anthropic API client, with bounded waits before in-call retries."""


class _AnthropicBedrock(_BoundedRetries, anthropic.AnthropicBedrock):
    """The Bedrock client, with bounded waits before in-call retries."""


@functools.cache
def get_client() -> _Anthropic | _AnthropicBedrock:
    """Build the client once per process; the key never leaves memory."""
    settings = get_settings()
    if provider.MODEL_PROVIDER == "bedrock":
        _check_aws_credentials()
        # The region and the endpoint come from AWS_REGION and, in tests,
        # ANTHROPIC_BEDROCK_BASE_URL, which the SDK reads itself.
        return _AnthropicBedrock(
            timeout=settings.model_timeout_seconds,
            max_retries=settings.model_max_retries,
        )
    assert settings.model_api_key_secret_id is not None  # set for this provider
    return _Anthropic(
        api_key=_api_key(settings.model_api_key_secret_id),
        timeout=settings.model_timeout_seconds,
        max_retries=settings.model_max_retries,
    )


# Claude's tokenizer is not published. Counting one input token per byte of
# UTF-8 sent errs high, since a token averages several bytes of text; the
# allowance covers what the API adds around what is sent (roles, and the
# instructions that hold the reply to the output schema). A reply that ever
# costs more than its hold is logged (budget_hold_exceeded).
INPUT_TOKENS_ALLOWANCE = 2_000


def worst_case_cost(request_input: dict[str, Any]) -> Decimal:
    """Return the most one call for `request_input` should cost, in USD."""
    settings = get_settings()
    sent = load_prompt().size_bytes + len(_as_text(request_input).encode("utf-8"))
    return usage_of(
        settings.model_id,
        sent + INPUT_TOKENS_ALLOWANCE,
        settings.max_output_tokens,
    ).cost_usd


def check_budget_covers_a_call() -> None:
    """Fail at start-up when the budget cannot pay for even the smallest call.

    Every request would otherwise fail on its own, each with this message.
    """
    settings = get_settings()
    smallest = worst_case_cost({})
    if smallest > settings.monthly_budget_usd:
        raise ConfigurationError(
            f"MONTHLY_BUDGET_USD={settings.monthly_budget_usd} is less than the "
            f"smallest request may cost ({smallest:.4f} USD: the prompt, "
            f"{INPUT_TOKENS_ALLOWANCE} tokens and MAX_OUTPUT_TOKENS="
            f"{settings.max_output_tokens} at the price of MODEL_ID="
            f"{settings.model_id}); raise the budget or lower MAX_OUTPUT_TOKENS."
        )


@telemetry.traced
def ask(request_input: dict[str, Any], hold: budget.Hold) -> ModelReply:
    """Send one request to the model and return its finished reply.

    The reply's cost replaces `hold` in the month's spend; so does what a
    stream that broke off had reported. Any other call that ends without a
    reply leaves the hold for its owner to give back: a call the SDK gave
    up on (a timeout) may still be billed, and is not counted (the README
    says so, under "Operating it").
    """
    settings = get_settings()
    started = time.monotonic()
    try:
        message = _call(request_input, hold)
    except anthropic.APIError as error:
        raise _classify(error) from error
    if not isinstance(message.content, list) or message.usage is None:
        # HTTP 200 with a body that is no message (an error object, a
        # proxy's page): nothing in it to check, nor what it cost.
        raise _logged(TransientModelError, "model_reply_malformed", "NoMessage", None)
    latency_ms = round((time.monotonic() - started) * 1000)
    reply = ModelReply(
        text="".join(block.text for block in message.content if block.type == "text"),
        stop_reason=message.stop_reason,
        usage=usage_of(
            settings.model_id,
            message.usage.input_tokens,
            message.usage.output_tokens,
        ),
    )
    _account(reply, latency_ms, hold)
    if reply.stop_reason is None:
        # A stream whose connection closed between events ends as a message
        # without a stop reason: cut off, not finished. What it reported is
        # counted above; the request is tried again.
        raise _logged(
            TransientModelError, "model_connection_failed", "NoStopReason", None
        )
    _check_stop_reason(reply)
    return reply


def _call(request_input: dict[str, Any], hold: budget.Hold) -> Message:
    settings = get_settings()
    prompt = load_prompt()
    model, max_tokens = settings.model_id, settings.max_output_tokens
    messages: list[MessageParam] = [
        {"role": "user", "content": _as_text(request_input)}
    ]
    output_config: OutputConfigParam = {
        "format": {"type": "json_schema", "schema": prompt.output_schema}
    }
    client = get_client()
    if not needs_streaming(model, max_tokens):
        return client.messages.create(
            model=model,
            max_tokens=max_tokens,
            system=prompt.system,
            messages=messages,
            output_config=output_config,
        )
    # The HTTP timeout covers each read, not the whole stream; the deadline
    # holds a streamed call to the same total as a non-streamed one.
    deadline = clock() + settings.model_timeout_seconds
    with client.messages.stream(
        model=model,
        max_tokens=max_tokens,
        system=prompt.system,
        messages=messages,
        output_config=output_config,
    ) as stream:
        try:
            for _event in stream:
                if clock() > deadline:
                    raise _logged(
                        TransientModelError,
                        "model_timeout",
                        "StreamDeadlineExceeded",
                        None,
                    )
        except Exception:
            _settle_what_streamed(stream, hold)
            raise
        return stream.get_final_message()


def _settle_what_streamed(stream: MessageStream, hold: budget.Hold) -> None:
    """Count a stream that broke off as far as it had reported its usage.

    The input tokens come with the stream's first event, the output tokens
    with later ones, so the output streamed since the last report is left
    out. A stream that broke off before its first event cost nothing, and
    its hold goes back.
    """
    try:
        snapshot: Any = stream.current_message_snapshot
    except AssertionError:
        # The SDK asserts that the first event has arrived.
        snapshot = None
    if snapshot is None:
        return
    usage = snapshot.usage
    model_id = get_settings().model_id
    budget.settle(hold, usage_of(model_id, usage.input_tokens, usage.output_tokens))


def _account(reply: ModelReply, latency_ms: int, hold: budget.Hold) -> None:
    usage = reply.usage
    # First: a failure in what follows must not give back a paid call's hold.
    budget.settle(hold, usage)
    logger.info(
        MODEL_CALLED,
        extra={
            "latency_ms": latency_ms,
            "stop_reason": reply.stop_reason,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cost_usd": float(usage.cost_usd),
        },
    )
    telemetry.milliseconds(telemetry.MODEL_LATENCY, latency_ms)
    telemetry.count(telemetry.INPUT_TOKENS, usage.input_tokens)
    telemetry.count(telemetry.OUTPUT_TOKENS, usage.output_tokens)
    telemetry.amount(telemetry.ESTIMATED_COST_USD, float(usage.cost_usd))


def _as_text(request_input: dict[str, Any]) -> str:
    # Unescaped text: \u escapes would cost several tokens per character.
    return json.dumps(request_input, ensure_ascii=False)


def _classify(error: anthropic.APIError) -> TransientModelError | PermanentModelError:
    status = getattr(error, "status_code", None)
    name = type(error).__name__
    reason = _reason(error, _PERMANENT)
    if reason is not None:
        return _logged(PermanentModelError, reason, name, status)
    reason = _reason(error, _TRANSIENT)
    if reason is not None:
        transient = _logged(TransientModelError, reason, name, status)
        response = getattr(error, "response", None)
        if response is not None:
            # A wait the SDK would not make in the call: the retry queue
            # makes it instead (outcomes.retry_later).
            wait = get_client().wait_too_long(response.headers)
            transient.retry_after_seconds = wait
        return transient
    if isinstance(status, int) and status < 400:
        reason = _STREAM_ERROR_TYPES.get(_error_type(error), "model_server_error")
        return _logged(TransientModelError, reason, name, None)
    # A status the SDK has no class for: 5xx may pass, anything else won't.
    if isinstance(status, int) and status >= 500:
        return _logged(TransientModelError, "model_server_error", name, status)
    return _logged(PermanentModelError, "model_error", name, status)


def _reason(
    error: anthropic.APIError, table: dict[type[anthropic.APIError], str]
) -> str | None:
    return next((r for cls, r in table.items() if isinstance(error, cls)), None)


def _error_type(error: anthropic.APIError) -> str:
    body = error.body if isinstance(error.body, dict) else {}
    inner = body.get("error")
    return str(inner.get("type", "")) if isinstance(inner, dict) else ""


def _logged(kind: type[E], reason: str, error_class: str, status: int | None) -> E:
    transient = kind is TransientModelError
    logger.warning(
        MODEL_FAILED,
        extra={
            "reason": reason,
            "error_class": error_class,
            "status_code": status,
            "transient": transient,
        },
    )
    if not transient:
        telemetry.count(telemetry.PERMANENT_MODEL_ERROR)
    next_step = "it will be retried" if transient else "it will not be retried"
    return kind(
        f"Model call failed with {error_class}"
        f"{f' (HTTP {status})' if status else ''}; {next_step}.",
        reason=reason,
    )


def _check_stop_reason(reply: ModelReply) -> None:
    reason = _REJECTED_STOPS.get(reply.stop_reason or "")
    if reason is not None:
        raise InvalidOutputError(
            f'The model stopped with "{reply.stop_reason}", so the reply is not '
            "a finished answer.",
            reason=reason,
            raw_reply=reply.text,
            stop_reason=reply.stop_reason,
            usage=reply.usage,
        )
