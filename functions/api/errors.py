"""The one mapping from domain errors to HTTP answers: `{"detail": ...}` with seed 002's codes."""

from __future__ import annotations

import json
import math
from http import HTTPStatus

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from functions.api.routing import routes_matching
from functions.core import errors
from functions.core.observability import logger
from functions.core.storage import StorageError
from functions.renditions.errors import RenditionUnavailable

STATUS_BY_ERROR: dict[type[errors.TroveError], HTTPStatus] = {
    errors.InvalidInput: HTTPStatus.BAD_REQUEST,
    errors.Unauthenticated: HTTPStatus.UNAUTHORIZED,
    errors.Forbidden: HTTPStatus.FORBIDDEN,
    errors.NotFound: HTTPStatus.NOT_FOUND,
    errors.Conflict: HTTPStatus.CONFLICT,
    errors.Gone: HTTPStatus.GONE,
    errors.PayloadTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    errors.UnsupportedMediaType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    RenditionUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
}


def error_response(status: HTTPStatus, detail: str) -> Response:
    return Response(status_code=int(status), content_type=content_types.APPLICATION_JSON, body=json.dumps({"detail": detail}))


def handle_domain_error(error: errors.TroveError) -> Response:
    status = next((code for kind, code in STATUS_BY_ERROR.items() if isinstance(error, kind)), None)
    if status is None:
        # A domain error this table does not know is our bug: a 500 that hides its detail, logged.
        logger.error("Unmapped domain error", extra={"error_type": type(error).__name__, "detail": error.detail})
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal server error")
    response = error_response(status, error.detail)
    if isinstance(error, RenditionUnavailable) and error.retry_after is not None:
        response.headers["Retry-After"] = str(math.ceil(error.retry_after))
    return response


def handle_undecodable_body(_: UnicodeDecodeError) -> Response:
    """A base64-encoded body (API Gateway's binary bodies) whose bytes are not UTF-8 text, met when
    the body is read as JSON: the caller's error, in the `{"detail": ...}` shape of every error."""
    return error_response(HTTPStatus.BAD_REQUEST, "The request body is not valid UTF-8")


def handle_invalid_request(error: RequestValidationError) -> Response:
    # Seed 002 answers bad input with 400, not 422; say which field and why.
    problems = []
    for problem in error.errors():
        # Drop the leading location ("body", "query", ...) only: a field may itself be called `path`.
        parts = list(problem.get("loc", ()))
        parts = parts[1:] if parts and parts[0] in ("body", "query", "path", "header") else parts
        location = ".".join(str(part) for part in parts)
        message = problem.get("msg", "is invalid")
        problems.append(f"{location}: {message}" if location else message)
    return error_response(HTTPStatus.BAD_REQUEST, "; ".join(problems) or "Invalid request")


def handle_store_error(_: PynamoDBException) -> Response:
    logger.exception("DynamoDB call failed")
    return error_response(HTTPStatus.SERVICE_UNAVAILABLE, "The asset store is unavailable; try again")


def handle_storage_error(_: Exception) -> Response:
    # S3 throttled, failed or was unreachable after the SDK's own retries: every route that touches
    # S3 (presigning is local and never gets here) is safe to repeat, so say so rather than crash.
    logger.exception("S3 call failed")
    return error_response(HTTPStatus.SERVICE_UNAVAILABLE, "File storage is unavailable; try again")


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    """Answer every error the routes raise, and every path no route serves, in the `{"detail": ...}` shape."""
    app.exception_handler(errors.TroveError)(handle_domain_error)
    app.exception_handler(UnicodeDecodeError)(handle_undecodable_body)
    app.exception_handler(RequestValidationError)(handle_invalid_request)
    app.exception_handler(PynamoDBException)(handle_store_error)
    app.exception_handler([ClientError, BotoCoreError, StorageError])(handle_storage_error)

    @app.not_found
    def handle_unknown_route(_: Exception) -> Response:
        """404 for a path no route has; 405 with `Allow` (RFC 9110 §15.5.6) for a path that has routes,
        but not for this method (API Gateway's `ANY /api/{proxy+}` brings every method here)."""
        allowed = sorted({route.method for route in routes_matching(app, app.current_event.path)})
        if not allowed:
            return error_response(HTTPStatus.NOT_FOUND, "Not found")
        response = error_response(HTTPStatus.METHOD_NOT_ALLOWED, f"Method not allowed; allowed: {', '.join(allowed)}")
        response.headers["Allow"] = ", ".join(allowed)
        return response
