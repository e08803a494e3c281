"""The one error hierarchy of the service.

Where a request ends is decided by the class of its error: a transient model
error goes to the retry queue, an invalid output to quarantine, a permanent
model error to the dead-letter queue. Infrastructure errors are not caught:
they fail the invocation so that AWS retries it and alarms count it.
"""

from .pricing import Usage


class ServiceError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigurationError(ServiceError):
    """A setting is missing or invalid; the message names it and the fix."""


class StorageError(ServiceError):
    """An AWS call for the ledger, a queue, the bucket or the secret failed."""


class RecordConflictError(ServiceError):
    """A record was not in the state a write expected (already final)."""


class RecordBusyError(ServiceError):
    """A retry arrived while the API's own attempt had not recorded its end."""


class UnreadableMessageError(ServiceError):
    """A retry message is not {"request_id": "...", "attempt": n}."""


class UnknownEventError(ServiceError):
    """The worker was invoked with neither an SQS batch nor the sweep's event."""


class InvalidRequestError(ServiceError):
    """A caller's request body does not match the input model."""


class RequestTooLargeError(InvalidRequestError):
    """A body too large to keep; refused even where bad input is set aside."""


class InvalidHeaderError(ServiceError):
    """A request header is malformed; the body may be fine, so it is not kept."""


class ModelCallsStoppedError(ServiceError):
    """The cost guard stops model calls: budget spent, or kill switch on.

    `reason` is `budget_exhausted` or `kill_switch_on`; `retry_after_seconds`
    is how long a caller should wait before trying again.
    """

    def __init__(self, message: str, *, reason: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after_seconds = retry_after_seconds


class ModelError(ServiceError):
    """The model call did not produce a usable output.

    `reason` is a short constant code stored on records and logs; the
    message says what happened in words.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class TransientModelError(ModelError):
    """Rate limit, overload, server error, timeout: worth trying again later.

    `retry_after_seconds` is how long the provider asked to wait, when it did.
    """

    retry_after_seconds: float | None = None


class PermanentModelError(ModelError):
    """Bad request, authentication, permission, too large: retrying won't help."""


class InvalidOutputError(ModelError):
    """The model answered, but the answer is not a valid output.

    Carries what quarantine needs: the raw reply and why it was rejected.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        raw_reply: str,
        stop_reason: str | None = None,
        usage: Usage | None = None,
    ) -> None:
        super().__init__(message, reason=reason)
        self.raw_reply = raw_reply
        self.stop_reason = stop_reason
        # What the call that produced the reply cost, when one was made.
        self.usage = usage
