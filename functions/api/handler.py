"""API Lambda entry point: observability decorators around the resolver (functions/api/app.py)."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.api.app import app
from functions.api.dependencies import settings
from functions.api.priming import register_hooks
from functions.api.request_log import resolve_and_record
from functions.core import store
from functions.core.observability import logger, metrics, tracer
from functions.lineage import store as lineage_store

# Bound at cold start like the other handlers' stores, so that the connection SnapStart's priming
# makes before the snapshot is the one requests use (functions/api/priming.py).
store.configure(settings)
lineage_store.configure(settings)
register_hooks(app, settings)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return resolve_and_record(app, event, context)
