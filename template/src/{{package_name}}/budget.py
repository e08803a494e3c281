"""The cost guard: month-to-date spend, its two limits, and the kill switch.

Before each model call `check` asks whether the kill switch is off and this
month's spend is under the budget; either "no" stops the call. After each
call `add_spend` adds what the reply cost to the month's total in one atomic
DynamoDB update, so concurrent functions never lose a sum. Months are UTC
calendar months, so a spent budget comes back at 00:00 UTC on the 1st.

Calls already in flight when the limit is crossed still finish: the budget
can be overshot by at most one call per concurrent function.
"""

import math
from datetime import UTC, datetime
from decimal import Decimal

from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import BotoCoreError, ClientError

from . import aws, telemetry
from .errors import ModelCallsStoppedError, StorageError
from .logs import (
    BUDGET_LIMIT_REACHED,
    BUDGET_SOFT_LIMIT_REACHED,
    BUDGET_UPDATE_FAILED,
    KILL_SWITCH_UNCLEAR,
    MODEL_CALLS_STOPPED,
    logger,
)
from .pricing import Usage
from .settings import get_settings

# How long a read of the kill switch is trusted: turning it on stops calls
# within this many seconds, without an SSM read per request.
KILL_SWITCH_CACHE_SECONDS = 30
# Nobody knows when an operator turns the switch off again; callers are
# asked back after the longest delay the retry queue can hold a message.
KILL_SWITCH_RETRY_AFTER_SECONDS = 900


def month_of(now: datetime) -> str:
    """Return the budget table's key for the UTC month of `now`: YYYY-MM."""
    return f"{now.astimezone(UTC):%Y-%m}"


def seconds_to_next_month(now: datetime) -> int:
    """Return the whole seconds from `now` to 00:00 UTC on the next 1st."""
    now = now.astimezone(UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    start = datetime(year, month, 1, tzinfo=UTC)
    return max(1, math.ceil((start - now).total_seconds()))


def check(now: datetime | None = None) -> None:
    """Raise ModelCallsStoppedError when no model call may be made now."""
    now = now or datetime.now(UTC)
    if kill_switch_on():
        _stop(
            "kill_switch_on",
            "Model calls are switched off by the operators (kill switch); "
            "try again later.",
            KILL_SWITCH_RETRY_AFTER_SECONDS,
        )
    settings = get_settings()
    spent = month_to_date(now)
    if spent >= settings.monthly_budget_usd:
        _stop(
            "budget_exhausted",
            f"This month's model budget of {settings.monthly_budget_usd:.2f} USD is "
            "spent; try again after it renews at 00:00 UTC on the 1st.",
            seconds_to_next_month(now),
        )


def _stop(reason: str, message: str, retry_after_seconds: int) -> None:
    telemetry.count(telemetry.BUDGET_EXHAUSTED)
    logger.warning(
        MODEL_CALLS_STOPPED,
        extra={"reason": reason, "retry_after_seconds": retry_after_seconds},
    )
    raise ModelCallsStoppedError(
        message, reason=reason, retry_after_seconds=retry_after_seconds
    )


def kill_switch_on() -> bool:
    """Read the kill switch: "off" lets calls through, anything else stops them."""
    name = get_settings().kill_switch_parameter
    try:
        value = aws.parameters().get(name, max_age=KILL_SWITCH_CACHE_SECONDS)
    except GetParameterError as error:
        raise StorageError(
            f"Failed to read the kill switch parameter {name}; check it exists "
            "(Terraform creates it as off) and the role may read it."
        ) from error
    state = str(value).strip().lower()
    if state not in ("on", "off"):
        # A typo must not turn the guard off: anything but "off" stops calls.
        logger.warning(KILL_SWITCH_UNCLEAR, extra={"value": str(value)[:40]})
    return state != "off"


def forget_kill_switch() -> None:
    """Make the next check read the kill switch from SSM, not from the cache."""
    # Powertools leaves clear_cache unannotated.
    aws.parameters().clear_cache()  # type: ignore[no-untyped-call]


def month_to_date(now: datetime) -> Decimal:
    """Return what this UTC month's model calls have cost so far."""
    month = month_of(now)
    try:
        found = aws.dynamodb_client().get_item(
            TableName=get_settings().budget_table,
            Key={"month": {"S": month}},
            ConsistentRead=True,
        )
    except (BotoCoreError, ClientError) as error:
        raise StorageError(
            f"Failed to read the spend of {month} from table "
            f"{get_settings().budget_table}; check the table exists and the "
            "role may read it."
        ) from error
    spent = aws.from_attributes(found.get("Item", {})).get("spent_usd", 0)
    return Decimal(spent)


def add_spend(usage: Usage, now: datetime | None = None) -> None:
    """Add one call's cost to the month, and say when a limit is crossed.

    A failure to count is logged, not raised: the call is made and paid for
    already, and failing the request now would only lose its result.
    """
    now = now or datetime.now(UTC)
    try:
        answer = aws.dynamodb_client().update_item(
            TableName=get_settings().budget_table,
            Key={"month": {"S": month_of(now)}},
            # Only what the guard needs; tokens are in the metrics, and each
            # record names the price table its cost was estimated with.
            UpdateExpression="ADD spent_usd :cost, model_calls :one",
            ExpressionAttributeValues=aws.to_attributes(
                {":cost": usage.cost_usd, ":one": 1}
            ),
            ReturnValues="UPDATED_NEW",
        )
    except (BotoCoreError, ClientError):
        logger.exception(
            BUDGET_UPDATE_FAILED, extra={"cost_usd": float(usage.cost_usd)}
        )
        return
    updated = aws.from_attributes(answer.get("Attributes", {}))
    total = Decimal(updated.get("spent_usd", 0))
    _report_crossings(total - usage.cost_usd, total)


def _report_crossings(before: Decimal, after: Decimal) -> None:
    # Exactly one call crosses each limit, since every total is distinct.
    settings = get_settings()
    details = {
        "spent_usd": float(after),
        "budget_usd": float(settings.monthly_budget_usd),
    }
    if before < settings.soft_limit_usd <= after:
        telemetry.count(telemetry.BUDGET_SOFT_LIMIT_REACHED)
        logger.warning(
            BUDGET_SOFT_LIMIT_REACHED,
            extra=details | {"soft_limit_percent": settings.budget_soft_limit_percent},
        )
    if before < settings.monthly_budget_usd <= after:
        logger.error(BUDGET_LIMIT_REACHED, extra=details)
