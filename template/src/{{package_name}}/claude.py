"""The Claude client and the mapping of its failures to the service's errors.

Which SDK error means what is decided here, by class, on purpose:
transient errors go to the retry queue, permanent ones to the dead-letter
queue without burning retries. The timeout and the SDK's own quick retries
come from settings so the time budget of one request is visible.
"""

import functools
import json
import time
from dataclasses import dataclass
from typing import Any

import anthropic
from botocore.exceptions import BotoCoreError, ClientError

from . import aws
from .errors import (
    InvalidOutputError,
    PermanentModelError,
    StorageError,
    TransientModelError,
)
from .logs import MODEL_CALLED, MODEL_FAILED, logger
from .prompts import load_prompt
from .settings import get_settings

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
    anthropic.NotFoundError: "model_not_found",
    anthropic.PaymentRequiredError: "model_payment_required",
    anthropic.UnprocessableEntityError: "model_unprocessable",
}

# Stop reasons whose text is not a finished answer.
_REJECTED_STOPS = {
    "refusal": "refusal",
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "max_tokens",
    "tool_use": "unexpected_stop_reason",
    "pause_turn": "unexpected_stop_reason",
}


@dataclass(frozen=True)
class ModelReply:
    """The text of one finished reply and what it cost."""

    text: str
    stop_reason: str | None
    input_tokens: int
    output_tokens: int


def _api_key() -> str:
    settings = get_settings()
    try:
        secret = aws.secrets().get_secret_value(
            SecretId=settings.model_api_key_secret_id
        )
    except (BotoCoreError, ClientError) as error:
        raise _storage_error(settings.model_api_key_secret_id) from error
    key = _key_from(secret.get("SecretString", ""))
    if not key:
        raise _storage_error(settings.model_api_key_secret_id)
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


def _storage_error(secret_id: str) -> StorageError:
    return StorageError(
        f"Failed to read the model API key from secret {secret_id}; put the "
        "key in it with `aws secretsmanager put-secret-value` and check that "
        "the function's role may read it."
    )


@functools.cache
def get_client() -> anthropic.Anthropic:
    """Build the client once per process; the key never leaves memory."""
    settings = get_settings()
    return anthropic.Anthropic(
        api_key=_api_key(),
        timeout=settings.model_timeout_seconds,
        max_retries=settings.model_max_retries,
    )


def ask(request_input: dict[str, Any]) -> ModelReply:
    """Send one request to the model and return its finished reply."""
    settings = get_settings()
    prompt = load_prompt()
    started = time.monotonic()
    try:
        message = get_client().messages.create(
            model=settings.model_id,
            max_tokens=settings.max_output_tokens,
            system=prompt.system,
            messages=[{"role": "user", "content": _as_text(request_input)}],
            output_config={
                "format": {"type": "json_schema", "schema": prompt.output_schema}
            },
        )
    except anthropic.APIError as error:
        raise _classify(error) from error
    reply = ModelReply(
        text="".join(block.text for block in message.content if block.type == "text"),
        stop_reason=message.stop_reason,
        input_tokens=message.usage.input_tokens,
        output_tokens=message.usage.output_tokens,
    )
    logger.info(
        MODEL_CALLED,
        extra={
            "latency_ms": round((time.monotonic() - started) * 1000),
            "stop_reason": reply.stop_reason,
            "input_tokens": reply.input_tokens,
            "output_tokens": reply.output_tokens,
        },
    )
    _check_stop_reason(reply)
    return reply


def _as_text(request_input: dict[str, Any]) -> str:
    # Unescaped text: \u escapes would cost several tokens per character.
    return json.dumps(request_input, ensure_ascii=False)


def _classify(error: anthropic.APIError) -> TransientModelError | PermanentModelError:
    status = getattr(error, "status_code", None)
    reason = _reason(error, _PERMANENT)
    if reason is not None:
        return _logged(PermanentModelError, reason, error, status)
    reason = _reason(error, _TRANSIENT)
    if reason is not None:
        return _logged(TransientModelError, reason, error, status)
    # A status the SDK has no class for: 5xx may pass, anything else won't.
    if isinstance(status, int) and status >= 500:
        return _logged(TransientModelError, "model_server_error", error, status)
    return _logged(PermanentModelError, "model_error", error, status)


def _reason(
    error: anthropic.APIError, table: dict[type[anthropic.APIError], str]
) -> str | None:
    return next((r for cls, r in table.items() if isinstance(error, cls)), None)


def _logged(
    kind: type[TransientModelError] | type[PermanentModelError],
    reason: str,
    error: anthropic.APIError,
    status: int | None,
) -> TransientModelError | PermanentModelError:
    transient = kind is TransientModelError
    logger.warning(
        MODEL_FAILED,
        extra={
            "reason": reason,
            "error_class": type(error).__name__,
            "status_code": status,
            "transient": transient,
        },
    )
    next_step = "it will be retried" if transient else "it will not be retried"
    return kind(
        f"Model call failed with {type(error).__name__}"
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
        )
