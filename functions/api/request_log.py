"""Per request, one log line (route, method, status, latency, caller's id) and two metrics per route
(a count and the latency), named by the route's template: ids in paths never become dimensions.

This wraps `app.resolve` rather than being one of the resolver's middlewares: powertools runs request
validation before any middleware and the exception handlers after them all, so a middleware would
see neither a 400 for bad input nor the status a raised domain error ends up as. Wrapping the handler
rather than the resolver keeps SnapStart's priming request (priming.py) out of the counts."""

from __future__ import annotations

import re
import time
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from functions.api.dependencies import token_claims
from functions.api.routing import routes_matching
from functions.core.observability import logger, metrics

PATH_PARAMETER = re.compile(r"<(\w+)>")  # powertools' `<asset_id>`, OpenAPI's `{asset_id}`
UNMATCHED = "unmatched"  # a path (or method) no route serves: one dimension, whatever the path


def resolve_and_record(app: APIGatewayHttpResolver, event: dict, context: Any) -> dict:
    started = time.perf_counter()
    status = 500  # what Lambda answers if resolving raises
    try:
        response = app.resolve(event, context)
        status = int(response["statusCode"])
        return response
    finally:
        _record(app, APIGatewayProxyEventV2(event), status, (time.perf_counter() - started) * 1000)


def route_template(app: APIGatewayHttpResolver, method: str, path: str) -> str:
    """`GET /api/v2/assets/{asset_id}` for any asset's id: the route the resolver matched, as the
    OpenAPI document spells it."""
    matched = [route for route in routes_matching(app, path) if route.method == method.upper()]
    if not matched:
        return UNMATCHED
    return matched[0].method + " " + PATH_PARAMETER.sub(r"{\1}", matched[0].path)


def _record(app: APIGatewayHttpResolver, request: APIGatewayProxyEventV2, status: int, latency_ms: float) -> None:
    route = route_template(app, request.http_method, request.path)
    subject = token_claims(request).get("sub")
    logger.info(
        "Request",
        extra={
            "route": route,
            "method": request.http_method,
            "status": status,
            "latency_ms": round(latency_ms, 1),
            # The token's subject only: never the token, nor any other claim.
            "user": subject if isinstance(subject, str) else None,
        },
    )
    metrics.add_dimension(name="route", value=route)
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=latency_ms)
