"""Metrics (CloudWatch EMF) and traces (X-Ray), with the names alarms read.

Metrics go out as one JSON line per invocation through the logs, in the
namespace POWERTOOLS_METRICS_NAMESPACE, with the dimension `service` only:
an alarm or dashboard on them must match on exactly that. None ships yet;
infra/README.md lists what to alarm on.
The model and prompt version ride along as metadata, so a change in a
metric can be traced to a release without multiplying the metrics.
"""

from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]
F = TypeVar("F", bound=Callable[..., Any])

metrics = Metrics()
# Building a Tracer imports the X-Ray SDK even when tracing is off, and
# outside Lambda that SDK builds its own botocore client too; so a Tracer is
# built only when Powertools would trace (inside Lambda, unless
# POWERTOOLS_TRACE_DISABLED). Only AWS calls are patched: the model call is
# traced by `traced` on claude.ask.
# Maintenance: the rule is Powertools' own, read through a private method;
# the exact pin in pyproject.toml holds it still, and every unit test
# imports this module, so a release that renames it fails them at once.
tracer: Tracer | None = (
    None if Tracer._is_tracer_disabled() else Tracer(patch_modules=["botocore"])
)

REQUEST_ACCEPTED = "RequestAccepted"
REQUEST_SUCCEEDED = "RequestSucceeded"
REQUEST_PENDING_RETRY = "RequestPendingRetry"
REQUEST_QUARANTINED = "RequestQuarantined"
REQUEST_FAILED = "RequestFailed"
REQUEST_INTERRUPTED = "RequestInterrupted"
PERMANENT_MODEL_ERROR = "PermanentModelError"
MODEL_LATENCY = "ModelLatency"
INPUT_TOKENS = "InputTokens"
OUTPUT_TOKENS = "OutputTokens"
ESTIMATED_COST_USD = "EstimatedCostUsd"
BUDGET_SOFT_LIMIT_REACHED = "BudgetSoftLimitReached"
BUDGET_EXHAUSTED = "BudgetExhausted"
RETRY_EXHAUSTED = "RetryExhausted"


def count(name: str, value: float = 1) -> None:
    """Add `value` to the counter `name` for this invocation."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def milliseconds(name: str, value: float) -> None:
    """Record a duration in milliseconds."""
    metrics.add_metric(name=name, unit=MetricUnit.Milliseconds, value=value)


def amount(name: str, value: float) -> None:
    """Record a quantity without a CloudWatch unit, such as US dollars."""
    metrics.add_metric(name=name, unit=MetricUnit.NoUnit, value=value)


def stamp_release(model_id: str, prompt_version: str) -> None:
    """Attach the model and prompt version to this invocation's metrics and trace."""
    metrics.add_metadata(key="model", value=model_id)
    metrics.add_metadata(key="prompt_version", value=prompt_version)
    if tracer is not None:
        tracer.put_annotation(key="model", value=model_id)
        tracer.put_annotation(key="prompt_version", value=prompt_version)


def traced(method: F) -> F:
    """Trace each call of `method` as a subsegment, without its return value."""
    if tracer is None:
        return method
    return tracer.capture_method(capture_response=False)(method)


def instrumented(handler: Handler) -> Handler:
    """Trace a Lambda handler and publish its metrics when it returns."""
    # Both decorators keep the signature but are typed as returning Any.
    flushed = cast(Handler, metrics.log_metrics(handler))
    if tracer is None:
        return flushed
    return cast(Handler, tracer.capture_lambda_handler(flushed, capture_response=False))
