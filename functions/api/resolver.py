"""The API's resolver, shared by the route modules, and its request-scoped dependencies."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Request, Response, content_types
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)

from functions.core.errors import Unauthenticated, UnsupportedMediaType
from functions.core.identity import Identity
from functions.core.media import parse_media_type
from functions.core.schemas import ascii_url
from functions.core.settings import get_settings


def parse_json_body(body: str) -> object:
    """json.loads, with every way a body can fail to parse reported as a JSON decode error (a 400):
    nesting deeper than the parser's recursion limit, or an integer past Python's digit limit, raise
    RecursionError and ValueError, which would otherwise escape as a crash."""
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        raise
    except (RecursionError, ValueError) as error:
        message = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise json.JSONDecodeError(message, body, 0) from None


def require_media_type(content_type: str | None, expected: str) -> dict[str, str]:
    """The parameters of a request body's Content-Type, which must be `expected` (a 415 otherwise)."""
    try:
        kind, parameters = parse_media_type(content_type or "")
    except ValueError:
        kind, parameters = "", {}
    if kind != expected:
        raise UnsupportedMediaType(f"Content-Type must be {expected}")
    return parameters


def require_json(content_type: str | None) -> None:
    """A body read into a model is JSON: `application/json`, in UTF-8 (RFC 8259 allows no other
    charset), or sent without a Content-Type, which powertools and most clients take as JSON."""
    if not content_type:
        return
    charset = require_media_type(content_type, content_types.APPLICATION_JSON).get("charset", "utf-8")
    if charset.lower() != "utf-8":
        raise UnsupportedMediaType(f"Content-Type must be {content_types.APPLICATION_JSON} (UTF-8)")


class JsonBodyValidation(OpenAPIRequestValidationMiddleware):
    """Request validation that reads bodies as JSON only. Powertools would also read a form or a
    multipart body into a route's model (and fail with a 500 on a multipart Content-Type without a
    boundary), where every route with a body model documents application/json alone; the multipart
    upload reads its own form."""

    def _get_body(self, app: APIGatewayHttpResolver) -> object:
        require_json(app.current_event.headers.get("content-type"))
        return self._parse_json_data(app)


# A response that fails its own schema is our bug: 500, never a 400 blamed on the caller.
app = APIGatewayHttpResolver(
    enable_validation=True, response_validation_error_http_code=500, json_body_deserializer=parse_json_body
)
# Powertools has no public hook for how bodies are read; its routes take this middleware when first built.
app._request_validation_middleware = JsonBodyValidation()
settings = get_settings()


@app.exception_handler(UnicodeDecodeError)
def handle_undecodable_body(_: UnicodeDecodeError) -> Response:
    """A base64-encoded body (API Gateway's binary bodies) whose bytes are not UTF-8 text, met when
    the body is read as JSON: the caller's error, in the `{"detail": ...}` shape of every error."""
    detail = json.dumps({"detail": "The request body is not valid UTF-8"})
    return Response(status_code=400, content_type=content_types.APPLICATION_JSON, body=detail)


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
        return ascii_url(settings.public_base_url)  # a custom domain may be internationalised
    return f"https://{request.resolved_event.request_context.domain_name}"
