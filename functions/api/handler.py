"""API Lambda entry point: observability decorators around the resolver."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.api import errors as _errors  # noqa: F401 - registers the exception handlers
from functions.api.priming import register_hooks
from functions.api.resolver import app, settings
from functions.api.routes import assets as _assets  # noqa: F401 - registers the routes
from functions.api.routes import assets_v1 as _assets_v1  # noqa: F401
from functions.api.routes import cascades as _cascades  # noqa: F401
from functions.api.routes import openapi as _openapi  # noqa: F401
from functions.api.routes import upload_asset as _upload_asset  # noqa: F401
from functions.api.routes import uploads as _uploads  # noqa: F401
from functions.api.routes import usages as _usages  # noqa: F401
from functions.core import store
from functions.core.observability import logger, metrics, tracer

# Bound at cold start like the other handlers' stores, so that the connection SnapStart's priming
# makes before the snapshot is the one requests use (functions/api/priming.py).
store.configure(settings)
register_hooks(app, settings)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
