"""The API's resolver, shared by the route modules, and its request-scoped dependencies."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Request

from functions.core.assets import Identity
from functions.core.errors import Unauthenticated
from functions.core.settings import get_settings

# A response that fails its own schema is our bug: 500, never a 400 blamed on the caller.
app = APIGatewayHttpResolver(enable_validation=True, response_validation_error_http_code=500)
settings = get_settings()


def current_identity(request: Request) -> Identity:
    """The caller as the JWT authorizer vouched for it (`requestContext.authorizer.jwt.claims`)."""
    authorizer = request.resolved_event.request_context.authorizer
    claims = (authorizer.jwt_claim if authorizer else None) or {}
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Unauthenticated("Not authenticated")
    user_id = str(claims.get("custom:userId", ""))
    return Identity(sub=subject, user_id=int(user_id) if user_id.isdigit() else None)


def base_url(request: Request) -> str:
    """Where the API answers: configured, or the host this request came in on."""
    if settings.public_base_url:
        return settings.public_base_url
    return f"https://{request.resolved_event.request_context.domain_name}"
