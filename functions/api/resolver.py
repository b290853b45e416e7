"""How the API's resolver is made: request validation on, and request bodies read as JSON only."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, content_types
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)

from functions.core.errors import UnsupportedMediaType
from functions.core.media import parse_media_type


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


def new_resolver() -> APIGatewayHttpResolver:
    """The API's resolver, without routes: validation on, bodies read as JSON only."""
    # A response that fails its own schema is our bug: 500, never a 400 blamed on the caller.
    app = APIGatewayHttpResolver(
        enable_validation=True, response_validation_error_http_code=500, json_body_deserializer=parse_json_body
    )
    # Powertools has no public hook for how bodies are read; its routes take this middleware when first built.
    app._request_validation_middleware = JsonBodyValidation()
    return app
