"""Which of the resolver's routes a request's path matches: for the 405's `Allow` and the route
template requests are logged and counted under."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.api_gateway import Route


def routes_matching(app: APIGatewayHttpResolver, path: str) -> list[Route]:
    """Every route whose rule matches `path`, in the order the resolver tries them."""
    # Powertools keeps its routes (compiled rules) in these lists, and offers no public lookup.
    return [route for route in app._static_routes + app._dynamic_routes if route.rule.match(path)]
