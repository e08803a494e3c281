"""The cost guard: month-to-date spend, its two limits, and the kill switch.

Before each model call `reserve` checks the kill switch and holds the
call's worst-case cost against this month's budget, in one conditional
DynamoDB update: the hold is refused when what is spent plus what calls in
flight may still spend would pass the budget. When the reply comes back
`settle` replaces the hold with what the reply cost; a call that ends
without a reply gives its hold back (`Hold` does that when its block ends
unsettled). So calls running side by side in many functions cannot
together spend past the budget, and no sum is lost to a race.

The budget item keeps `spent_usd` (what replies cost, the figure reported
and compared with the soft limit), `committed_usd` (spent plus the holds
still out, the figure the budget is guarded on), `model_calls`, and one
attribute `hold_<time>_<id>` per hold still out, holding its amount. Each write
is conditional on that attribute (absent to hold, present to settle or
give back), so a write botocore sends again after a lost reply is refused
instead of counted twice. A function that dies between its hold and its
settlement leaves its attribute in the item and the hold counted until an
operator gives it back (`ops holds --give-back-stale`, README "Operating
it") or the month ends: the guard errs towards stopping early, and the
attribute shows what is held and since when. Months are
UTC calendar months, so a spent budget comes back at 00:00 UTC on the 1st;
a call is counted in the month its hold was taken.
"""

import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any, NoReturn, Self, cast

from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import BotoCoreError, ClientError

from . import aws, telemetry
from .errors import ConfigurationError, ModelCallsStoppedError, StorageError
from .logs import (
    BUDGET_HOLD_EXCEEDED,
    BUDGET_HOLD_RELEASE_FAILED,
    BUDGET_LIMIT_REACHED,
    BUDGET_SETTLE_REFUSED,
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


@dataclass
class Hold:
    """A call's worst-case cost, counted against `month` until settled.

    Used as a context manager around everything between the hold and the
    model call: leaving the block without `settle` gives the hold back.
    """

    month: str
    usd: Decimal
    # The item's attribute for this hold: the UTC time it was taken, then a
    # random part, so a leaked hold shows its age.
    name: str = field(
        default_factory=lambda: (
            f"hold_{datetime.now(UTC):%Y%m%dT%H%M%S}_{uuid.uuid4().hex[:8]}"
        )
    )
    open: bool = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.open:
            release(self)


# The guard's condition: what is committed leaves room for this hold (a
# month with nothing committed has room for any hold up to the budget, which
# reserve checks first). An item written before holds existed has spent_usd
# only; it is brought forward once (`_count_holds_from`) and the hold asked
# for again.
_ROOM_FOR_HOLD = (
    "attribute_not_exists(#hold) AND (committed_usd <= :ceiling OR "
    "(attribute_not_exists(committed_usd) AND attribute_not_exists(spent_usd)))"
)


def reserve(worst_case_usd: Decimal, now: datetime | None = None) -> Hold:
    """Hold a model call's worst-case cost, or raise ModelCallsStoppedError.

    Stops the call when the kill switch is on, or when this month's
    committed spend plus `worst_case_usd` would pass the budget.
    """
    now = now or datetime.now(UTC)
    budget_usd = get_settings().monthly_budget_usd
    if worst_case_usd > budget_usd:
        # Waiting would never help, so this is no stop with a Retry-After
        # (not even the kill switch's): the API answers 500, and the log
        # names the values to change.
        raise ConfigurationError(
            f"This request may cost up to {worst_case_usd:.4f} USD, more than the "
            f"whole MONTHLY_BUDGET_USD={budget_usd:.2f}; raise the budget or "
            "lower MAX_OUTPUT_TOKENS."
        )
    if kill_switch_on():
        _stop(
            "kill_switch_on",
            "Model calls are switched off by the operators (kill switch); "
            "try again later.",
            KILL_SWITCH_RETRY_AFTER_SECONDS,
        )
    hold = Hold(month_of(now), worst_case_usd)
    try:
        found = _hold(hold)
        if found is not None and "committed_usd" not in found and "spent_usd" in found:
            _count_holds_from(hold.month, Decimal(found["spent_usd"]))
            found = _hold(hold)
    except StorageError:
        # The hold may have landed with its reply lost; giving it back is
        # conditional on it, so this is safe either way.
        release(hold)
        raise
    if found is not None:
        _refuse(found, worst_case_usd, now)
    return hold


def hold_amount(value: Any) -> Decimal | None:
    """A hold attribute's amount, or None when it holds no positive number.

    The functions write only positive amounts; anything else was written by
    hand or by another tool, and counts as no hold in flight.
    """
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        return None
    return value


def held_since(name: str) -> datetime:
    """The UTC time in a hold attribute's name (hold_YYYYMMDDTHHMMSS_<id>).

    A name that does not read as one (written by hand) counts as old.
    """
    try:
        return datetime.strptime(name[5:20], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _refuse(found: dict[str, Any], worst_case_usd: Decimal, now: datetime) -> NoReturn:
    budget_usd = get_settings().monthly_budget_usd
    spent = Decimal(found.get("spent_usd", 0))
    committed = Decimal(found.get("committed_usd", spent))
    message = f"This month's model budget of {budget_usd:.2f} USD "
    if spent + worst_case_usd > budget_usd:
        if spent >= budget_usd:
            message += "is spent"
        else:
            message += (
                f"has {budget_usd - spent:.2f} USD left, less than this request "
                f"may cost ({worst_case_usd:.4f} USD)"
            )
        _stop(
            "budget_exhausted",
            f"{message}; try again after it renews at 00:00 UTC on the 1st.",
            seconds_to_next_month(now),
        )
    # Not spent: holds stand in the way. Those of calls still running end
    # within a function's timeout; older ones were left by functions that
    # died mid-call, and stay until an operator gives them back.
    timeout = get_settings().function_timeout_seconds
    live_since = datetime.now(UTC) - timedelta(seconds=timeout + 60)
    live = sum(
        (
            amount
            for name, value in found.items()
            if name.startswith("hold_")
            and held_since(name) >= live_since
            and (amount := hold_amount(value)) is not None
        ),
        Decimal(0),
    )
    if committed - live + worst_case_usd > budget_usd:
        _stop(
            "budget_exhausted",
            message + f"is held by calls that ended without settling "
            f"({committed - spent - live:.2f} USD; the operators can give "
            "it back); try again after it renews at 00:00 UTC on the 1st.",
            seconds_to_next_month(now),
        )
    _stop(
        "budget_exhausted",
        message + f"is held by calls in flight ({live:.2f} USD) until they "
        "end; try again shortly.",
        math.ceil(timeout),
    )


def _hold(hold: Hold) -> dict[str, Any] | None:
    """Add the hold to the month's commitments if there is room.

    Returns None when held (or found held already, by a first attempt of
    this write whose reply was lost), or the month's item as it was when
    there was no room.
    """
    settings = get_settings()
    try:
        aws.dynamodb_client().update_item(
            TableName=settings.budget_table,
            Key={"month": {"S": hold.month}},
            UpdateExpression="SET #hold = :hold ADD committed_usd :hold",
            ConditionExpression=_ROOM_FOR_HOLD,
            ExpressionAttributeNames={"#hold": hold.name},
            ExpressionAttributeValues=aws.to_attributes(
                {":hold": hold.usd, ":ceiling": settings.monthly_budget_usd - hold.usd}
            ),
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if not aws.condition_failed(error):
            raise _unreadable(hold.month) from error
        found = aws.from_attributes(
            cast(dict[str, Any], error.response.get("Item", {}))
        )
        return None if hold.name in found else found
    except BotoCoreError as error:
        raise _unreadable(hold.month) from error
    return None


def _count_holds_from(month: str, spent: Decimal) -> None:
    """Start an older item's commitments at what it has spent."""
    try:
        aws.dynamodb_client().update_item(
            TableName=get_settings().budget_table,
            Key={"month": {"S": month}},
            UpdateExpression="SET committed_usd = :spent",
            ConditionExpression="attribute_not_exists(committed_usd)",
            ExpressionAttributeValues=aws.to_attributes({":spent": spent}),
        )
    except ClientError as error:
        # Another function brought it forward first: nothing left to do.
        if not aws.condition_failed(error):
            raise _unreadable(month) from error
    except BotoCoreError as error:
        raise _unreadable(month) from error


def _unreadable(month: str) -> StorageError:
    table = get_settings().budget_table
    return StorageError(
        f"Failed to hold a model call's cost against {month} in table {table}; "
        "check the table exists and the role may update it."
    )


def _stop(reason: str, message: str, retry_after_seconds: int) -> NoReturn:
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


def settle(hold: Hold, usage: Usage) -> None:
    """Replace a call's hold with what its reply cost, and report crossings.

    A failure to count is logged, not raised: the call is made and paid for
    already, and failing the request now would only lose its result. The
    hold then stays counted, so the guard errs towards stopping early.
    """
    # Only what the guard needs; tokens are in the metrics, and each record
    # names the price table its cost was estimated with.
    table = get_settings().budget_table
    try:
        updated = _end_hold(
            hold,
            ending(
                table,
                hold,
                "spent_usd :cost, committed_usd :change, model_calls :one",
                {
                    ":cost": usage.cost_usd,
                    ":change": usage.cost_usd - hold.usd,
                    ":one": 1,
                },
            ),
        )
    except (BotoCoreError, ClientError):
        logger.exception(
            BUDGET_UPDATE_FAILED,
            extra={"cost_usd": float(usage.cost_usd), "hold": hold.name},
        )
        return
    if updated is None:
        # A first attempt of this write landed and its reply was lost
        # (counted once already), or an operator gave the hold back by hand
        # while the call ran (not counted).
        logger.info(
            BUDGET_SETTLE_REFUSED,
            extra={"cost_usd": float(usage.cost_usd), "hold": hold.name},
        )
        return
    if usage.cost_usd > hold.usd:
        # The worst case was not the worst: the spend is still exact, but
        # calls in flight could have passed the budget by the difference.
        logger.warning(
            BUDGET_HOLD_EXCEEDED,
            extra={"hold_usd": float(hold.usd), "cost_usd": float(usage.cost_usd)},
        )
    total = Decimal(updated.get("spent_usd", 0))
    _report_crossings(total - usage.cost_usd, total)


def release(hold: Hold) -> None:
    """Give back the hold of a call that ended without a reply to pay for."""
    try:
        # None (gone already) means a first attempt landed, as in settle.
        _end_hold(hold, giving_back(get_settings().budget_table, hold))
    except (BotoCoreError, ClientError):
        # Raising here would hide the error that ended the call.
        logger.exception(
            BUDGET_HOLD_RELEASE_FAILED,
            extra={"hold_usd": float(hold.usd), "hold": hold.name},
        )


def _end_hold(hold: Hold, update: dict[str, Any]) -> dict[str, Any] | None:
    """Send `update` (from `ending`), which ends the hold while it is there.

    Returns the attributes the write changed, or None when the hold was gone
    already; a write sent again after a lost reply lands in the None case.
    """
    hold.open = False
    try:
        answer = aws.dynamodb_client().update_item(**update)
    except ClientError as error:
        if aws.condition_failed(error):
            return None
        raise
    return aws.from_attributes(answer.get("Attributes", {}))


def ending(
    table: str, hold: Hold, adds: str, values: dict[str, Decimal | int]
) -> dict[str, Any]:
    """The UpdateItem that removes a hold's attribute and ADDs `adds`.

    Conditional on the attribute, so it counts once however often it is
    sent. The functions and the operators' `ops holds` both end holds with it.
    """
    return {
        "TableName": table,
        "Key": {"month": {"S": hold.month}},
        "UpdateExpression": f"REMOVE #hold ADD {adds}",
        "ConditionExpression": "attribute_exists(#hold)",
        "ExpressionAttributeNames": {"#hold": hold.name},
        "ExpressionAttributeValues": aws.to_attributes(values),
        "ReturnValues": "UPDATED_NEW",
    }


def giving_back(table: str, hold: Hold) -> dict[str, Any]:
    """The UpdateItem that gives a hold back: nothing spent, nothing held."""
    return ending(table, hold, "committed_usd :change", {":change": -hold.usd})


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
