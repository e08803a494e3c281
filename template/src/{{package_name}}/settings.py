"""The function's settings, read once from environment variables.

Terraform sets every variable below (infra/modules/service); a missing or
invalid one stops the function with a message that names the variable and
says what to set it to.
"""

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from .errors import ConfigurationError

T = TypeVar("T", int, float)


@dataclass(frozen=True)
class Settings:
    """Everything the functions need to know about where they run."""

    records_table: str
    retry_queue_url: str
    dead_letter_queue_url: str
    quarantine_bucket: str
    model_id: str
    model_api_key_secret_id: str
    model_timeout_seconds: float
    model_max_retries: int
    max_output_tokens: int
    retry_max_attempts: int


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


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build the settings from `env`, failing on the first bad variable."""
    return Settings(
        records_table=_text(env, "RECORDS_TABLE", "the DynamoDB table name"),
        retry_queue_url=_queue_url(env, "RETRY_QUEUE_URL", "the retry queue URL"),
        dead_letter_queue_url=_queue_url(
            env, "DEAD_LETTER_QUEUE_URL", "the dead-letter queue URL"
        ),
        quarantine_bucket=_text(env, "QUARANTINE_BUCKET", "the bucket name"),
        model_id=_text(env, "MODEL_ID", "a Claude model id"),
        model_api_key_secret_id=_text(
            env, "MODEL_API_KEY_SECRET_ID", "the secret's name or ARN"
        ),
        model_timeout_seconds=_number(env, "MODEL_TIMEOUT_SECONDS", float, 0.1, 900.0),
        model_max_retries=_number(env, "MODEL_MAX_RETRIES", int, 0, 10),
        max_output_tokens=_number(env, "MAX_OUTPUT_TOKENS", int, 1, 128000),
        retry_max_attempts=_number(env, "RETRY_MAX_ATTEMPTS", int, 1, 20),
    )


@functools.cache
def get_settings() -> Settings:
    """Return the settings of this process, read on first use."""
    return load_settings(os.environ)
