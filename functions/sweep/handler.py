"""Sweep Lambda: invoked by EventBridge schedules with `{"scope": "uploads"}` (every 15 minutes) and
`{"scope": "full"}` (once a day); the work is in functions/sweep/recovery.py."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.core import store
from functions.core.observability import logger, metrics, tracer
from functions.core.settings import get_settings
from functions.sweep.recovery import sweep
from functions.sweep.scope import Scope

# Cold start: a missing setting fails here, naming the variable; the store is bound once.
settings = get_settings()
asset_store = store.configure(settings)


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    scope = Scope(event.get("scope", Scope.UPLOADS))
    report = sweep(
        settings, scope=scope, time_left=lambda: context.get_remaining_time_in_millis() / 1000, store=asset_store
    )
    summary = report.summary()
    for name, value in summary.items():
        metrics.add_metric(name=f"Sweep_{name}", unit="Count", value=int(value))
    logger.info("Sweep done", extra={"scope": scope.value, **summary})
    return {"scope": scope.value, **summary}
