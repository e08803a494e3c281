"""Start-up: check the settings, build the clients, rebuild them after a restore.

Inside Lambda each handler module calls `prepare` when it is imported, so a
time budget that cannot be met stops the function's first start with a
message naming the values, and no request pays for building clients. With
SnapStart, Lambda snapshots the function after that and restores copies of
it; `rebuild_after_restore` then runs in each copy, so no two copies share
connections or credentials from the moment of the snapshot.
"""

import functools
import gc
import os

from . import aws, claude, idempotency, logs, telemetry
from .logs import CLIENTS_REBUILT, logger
from .prompts import load_prompt
from .settings import Settings, check_time_budget, get_settings


def in_lambda() -> bool:
    """Say whether this process is a Lambda execution environment."""
    return "AWS_LAMBDA_FUNCTION_NAME" in os.environ


@functools.cache
def prepare(ceiling_seconds: float) -> Settings:
    """Check the settings against the caller's wait, and build the clients."""
    settings = get_settings()
    check_time_budget(settings, ceiling_seconds)
    load_prompt()
    claude.check_budget_covers_a_call()
    aws.build_clients()
    resume_garbage_collection()
    return settings


def resume_garbage_collection() -> None:
    """Turn the collector back on, leaving out everything start-up made.

    Only where the package's `__init__` turned it off, in Lambda. Freezing
    moves the start-up objects (modules, classes, clients) to a generation
    no collection walks: they live as long as the function anyway, and a
    full collection over them took 0.12 s on the template's build machine,
    a pause a warm request would otherwise meet now and then. The garbage
    start-up left, under a thousand objects, is frozen with them.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def stamp_release() -> None:
    """Stamp the model and prompt version on this invocation's logs and metrics."""
    model_id, version = get_settings().model_id, load_prompt().version
    logs.stamp_release(model_id, version)
    telemetry.stamp_release(model_id, version)


def forget_clients() -> None:
    """Drop every client and cached setting, so the next use builds them anew."""
    aws.clear_clients()
    claude.get_client.cache_clear()
    idempotency.reset()


def rebuild_after_restore() -> None:
    """Build fresh clients in a copy of the function restored from a snapshot."""
    forget_clients()
    aws.build_clients()
    logger.info(CLIENTS_REBUILT)


def register_restore_hook() -> bool:
    """Ask the Lambda runtime to call `rebuild_after_restore` after a restore.

    Returns False where the runtime's hook library is absent (outside
    Lambda's managed Python runtime), since nothing is restored there.
    """
    try:
        from snapshot_restore_py import register_after_restore
    except ImportError:
        return False
    register_after_restore(rebuild_after_restore)
    return True


register_restore_hook()
