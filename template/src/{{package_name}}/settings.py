"""The function's settings, read once from environment variables.

Terraform sets every variable below (infra/modules/service); a missing or
invalid one stops the function with a message that names the variable and
says what to set it to. The time budget of one request is checked here too,
at start-up, so a timeout that cannot be met fails the deployment rather
than a caller.
"""

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from . import provider
from .errors import ConfigurationError

T = TypeVar("T", int, float)

# API Gateway ends every synchronous request after 29 seconds.
API_GATEWAY_TIMEOUT_SECONDS = 29.0
# Lambda ends every invocation after 15 minutes.
LAMBDA_MAX_TIMEOUT_SECONDS = 900.0
# The longest the SDK waits before one of its in-call retries (claude.py
# holds it to this; a provider asking for longer gets no in-call retry).
IN_CALL_RETRY_WAIT_SECONDS = 1.0


@dataclass(frozen=True)
class Settings:
    """Everything the functions need to know about where they run."""

    records_table: str
    retry_queue_url: str
    dead_letter_queue_url: str
    quarantine_bucket: str
    idempotency_table: str
    budget_table: str
    kill_switch_parameter: str
    model_id: str
    # None with Bedrock, which signs calls with the function's role instead.
    model_api_key_secret_id: str | None
    model_timeout_seconds: float
    model_max_retries: int
    max_output_tokens: int
    retry_max_attempts: int
    monthly_budget_usd: Decimal
    budget_soft_limit_percent: int
    function_timeout_seconds: float
    record_retention_days: int

    @property
    def soft_limit_usd(self) -> Decimal:
        """The spend at which the cost guard starts to warn."""
        return self.monthly_budget_usd * self.budget_soft_limit_percent / 100


def _text(env: Mapping[str, str], name: str, what: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigurationError(
            f"{name} is not set; set it to {what} (Terraform sets it in "
            "infra/modules/service)."
        )
    return value


def _queue_url(env: Mapping[str, str], name: str, what: str) -> str:
    value = _text(env, name, what)
    if not value.startswith(("https://", "http://")):
        raise ConfigurationError(
            f'{name} is "{value}", which is not a queue URL; set it to {what}, '
            "such as https://sqs.eu-west-1.amazonaws.com/123456789012/name."
        )
    return value


def _number(
    env: Mapping[str, str],
    name: str,
    parse: Callable[[str], T],
    low: T,
    high: T,
) -> T:
    kind = "a whole number" if parse is int else "a number"
    raw = _text(env, name, f"{kind} from {low} to {high}")
    problem = ConfigurationError(
        f'{name} is "{raw}"; set it to {kind} from {low} to {high}.'
    )
    try:
        value = parse(raw)
    except ValueError:
        raise problem from None
    if not low <= value <= high:
        raise problem
    return value


def _secret_id(env: Mapping[str, str]) -> str | None:
    if provider.MODEL_PROVIDER == "bedrock":
        return None
    return _text(env, "MODEL_API_KEY_SECRET_ID", "the secret's name or ARN")


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build the settings from `env`, failing on the first bad variable."""
    budget = _number(env, "MONTHLY_BUDGET_USD", float, 0.01, 1_000_000.0)
    return Settings(
        records_table=_text(env, "RECORDS_TABLE", "the DynamoDB table name"),
        retry_queue_url=_queue_url(env, "RETRY_QUEUE_URL", "the retry queue URL"),
        dead_letter_queue_url=_queue_url(
            env, "DEAD_LETTER_QUEUE_URL", "the dead-letter queue URL"
        ),
        quarantine_bucket=_text(env, "QUARANTINE_BUCKET", "the bucket name"),
        idempotency_table=_text(
            env, "IDEMPOTENCY_TABLE", "the idempotency table's name"
        ),
        budget_table=_text(env, "BUDGET_TABLE", "the budget table's name"),
        kill_switch_parameter=_text(
            env, "KILL_SWITCH_PARAMETER", "the kill switch's SSM parameter name"
        ),
        model_id=_text(env, "MODEL_ID", "a Claude model id"),
        model_api_key_secret_id=_secret_id(env),
        model_timeout_seconds=_number(env, "MODEL_TIMEOUT_SECONDS", float, 0.1, 900.0),
        model_max_retries=_number(env, "MODEL_MAX_RETRIES", int, 0, 10),
        max_output_tokens=_number(env, "MAX_OUTPUT_TOKENS", int, 1, 128000),
        retry_max_attempts=_number(env, "RETRY_MAX_ATTEMPTS", int, 1, 20),
        # Through str, so 400.1 stays 400.1 and is not 400.09999...
        monthly_budget_usd=Decimal(str(budget)),
        budget_soft_limit_percent=_number(env, "BUDGET_SOFT_LIMIT_PERCENT", int, 1, 99),
        function_timeout_seconds=_number(
            env, "FUNCTION_TIMEOUT_SECONDS", float, 1.0, LAMBDA_MAX_TIMEOUT_SECONDS
        ),
        record_retention_days=_number(env, "RECORD_RETENTION_DAYS", int, 1, 3650),
    )


def check_time_budget(settings: Settings, ceiling_seconds: float) -> None:
    """Fail unless every model attempt, and the waits between, fit the timeout.

    `ceiling_seconds` is what the caller of the function waits at most: 29 s
    behind API Gateway, 900 s for the queue worker. An attempt counts as
    MODEL_TIMEOUT_SECONDS, which the SDK applies to each connect, write and
    read, not to a whole reply: a provider that sends a non-streamed reply a
    little at a time can hold it longer (a streamed one is stopped at the
    deadline between events). Lambda then ends the invocation, and the
    sweep ends the request `interrupted`. Known limit, until the SDK offers
    a deadline for a whole call.
    """
    attempts = settings.model_max_retries + 1
    waits = settings.model_max_retries * IN_CALL_RETRY_WAIT_SECONDS
    worst = settings.model_timeout_seconds * attempts + waits
    function = settings.function_timeout_seconds
    if not worst < function:
        raise ConfigurationError(
            f"{attempts} model call(s) of MODEL_TIMEOUT_SECONDS="
            f"{settings.model_timeout_seconds:g} (MODEL_MAX_RETRIES="
            f"{settings.model_max_retries}, plus the first)"
            f"{f' and up to {waits:g} s of waits before the retries' if waits else ''} "
            f"take up to {worst:g} s, not less than FUNCTION_TIMEOUT_SECONDS="
            f"{function:g}; lower the "
            "model timeout or the retries, or raise the function timeout, so "
            "the function can record how a request ended before it is stopped."
        )
    if function > ceiling_seconds:
        raise ConfigurationError(
            f"FUNCTION_TIMEOUT_SECONDS={function:g} is more than the "
            f"{ceiling_seconds:g} s its caller waits; lower it to at most "
            f"{ceiling_seconds:g}, with the model timeout and retries to match."
        )


@functools.cache
def get_settings() -> Settings:
    """Return the settings of this process, read on first use."""
    return load_settings(os.environ)
