"""GET /api/openapi.json: the API's OpenAPI document, generated from the routes. No token needed."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types

from functions.api.resolver import app
from functions.core.topology import OPENAPI_PATH

API_TITLE = "Trove"
API_VERSION = "2.0.0"


def openapi_document() -> str:
    # Powertools' OpenAPI models (~0.1 s to import) serve this document only; request validation does
    # not load them, so they are imported here rather than at every cold start.
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    return app.get_openapi_json_schema(
        title=API_TITLE,
        version=API_VERSION,
        description=(
            "Serverless asset service: images, videos, audio, PDFs and links, owner-only. "
            'Errors are {"detail": "..."} with 400, 401, 403, 404, 409.'
        ),
        security_schemes={"bearer": HTTPBearer(bearerFormat="JWT")},
        security=[{"bearer": []}],
    )


@app.get(OPENAPI_PATH, include_in_schema=False)
def get_openapi() -> Response[str]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document())
