"""The service's one structured logger and the names of its events.

Every step writes one JSON line whose `message` is a constant event name
below; the data is in keys. Runbooks and log queries match on these names,
so rename one only together with them.
"""

from aws_lambda_powertools import Logger

logger = Logger()

REQUEST_RECEIVED = "request_received"
REQUEST_REJECTED = "request_rejected"
REQUEST_ERRORED = "request_errored"
MODEL_CALLED = "model_called"
MODEL_FAILED = "model_failed"
REPLY_RECOVERED = "reply_recovered"
REQUEST_SUCCEEDED = "request_succeeded"
REQUEST_PENDING_RETRY = "request_pending_retry"
REQUEST_QUARANTINED = "request_quarantined"
REQUEST_FAILED = "request_failed"
ATTEMPT_CRASHED = "attempt_crashed"
REQUEST_INTERRUPTED = "request_interrupted"
RETRY_STARTED = "retry_started"
RETRY_SKIPPED = "retry_skipped"
RETRY_ORPHANED = "retry_orphaned"
RETRY_FAILED = "retry_failed"
RETRY_DEFERRED = "retry_deferred"
REQUEST_REPLAYED = "request_replayed"
MODEL_CALLS_STOPPED = "model_calls_stopped"
KILL_SWITCH_UNCLEAR = "kill_switch_unclear"
BUDGET_SOFT_LIMIT_REACHED = "budget_soft_limit_reached"
BUDGET_LIMIT_REACHED = "budget_limit_reached"
BUDGET_UPDATE_FAILED = "budget_update_failed"
BUDGET_HOLD_EXCEEDED = "budget_hold_exceeded"
BUDGET_SETTLE_REFUSED = "budget_settle_refused"
BUDGET_HOLD_RELEASE_FAILED = "budget_hold_release_failed"
CLIENTS_REBUILT = "clients_rebuilt"


def stamp_release(model_id: str, prompt_version: str) -> None:
    """Add the model and prompt version to every following log line."""
    logger.append_keys(model=model_id, prompt_version=prompt_version)
