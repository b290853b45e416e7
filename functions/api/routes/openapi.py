"""GET /api/openapi.json: the API's OpenAPI document, generated from the routes. No token needed."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import Response, content_types

from functions.api.resolver import app
from functions.core.topology import OPENAPI_PATH

API_TITLE = "Trove"
API_VERSION = "2.0.0"


# Ids are checked as version-4 UUIDs before any lookup (400 otherwise); the document says so, so a
# client (or a fuzzer) knows which ids are well-formed.
UUID4_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# API Gateway's JWT authorizer answers {"message": "Unauthorized"}; the API itself {"detail": ...}.
UNAUTHORIZED_SCHEMA = {
    "title": "Unauthorized",
    "type": "object",
    "properties": {"message": {"type": "string"}, "detail": {"type": "string"}},
}
EVERY_OPERATION = {
    "400": "Bad input: a body, query or path parameter (the detail names the field and the problem)",
    "401": "No token, or one that can't be trusted",
    "404": "No such resource, or a path no route matches (e.g. a path parameter with a slash in it)",
    "503": "The asset store or the file storage is unavailable for now; try again",
}
REMOVED_OPERATION = {"410": "This endpoint was removed; the detail says what to use instead"}
BODY_OPERATION = {"415": "The body is not in the media type the operation reads (application/json)"}
CONSUMER_HEADER = "x-trove-consumer"
ASSET_OPERATION = {"403": "The asset belongs to someone else", "404": "No such asset"}
CHANGING_OPERATION = {"409": "The asset changed meanwhile, or something still uses it (the detail says which)"}


def openapi_document() -> str:
    # Powertools' OpenAPI models (~0.1 s to import) serve this document only; request validation does
    # not load them, so they are imported here rather than at every cold start.
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    document = app.get_openapi_json_schema(
        title=API_TITLE,
        version=API_VERSION,
        description=(
            "Serverless asset service: images, videos, audio, PDFs and links, owner-only. "
            'Errors are {"detail": "..."} with 400, 401, 403, 404, 409.'
        ),
        security_schemes={"bearer": HTTPBearer(bearerFormat="JWT")},
        security=[{"bearer": []}],
    )
    return json.dumps(document_errors(json.loads(document)), indent=2)


# Request bodies: constraints the API checks in code (validators), stated in the document too.
REQUEST_MODELS = ("UploadRequest", "LinkCreate", "AssetPatch", "AssetV1Create", "AssetV1Update", "ScanRequest")
# `schemas.ascii_url` takes internationalised hosts too (and stores their IDNA form); which Unicode
# labels IDNA allows is more than a pattern can say, so the document names plain DNS hosts and ports.
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
HTTP_URL_PATTERN = (
    r"^[hH][tT][tT][pP][sS]?://[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?(:" + _PORT + r")?"
    r"([/?#][^\s\x00-\x1f\x7f-\x9f]*)?$"
)


def _text_pattern() -> str:
    """A name or tag: no control or formatting character (NUL, CR/LF, bidi overrides, zero-width
    spaces: `schemas._no_control_characters`), and something besides spaces."""
    import sys
    import unicodedata

    forbidden, start = [], None
    for code in range(sys.maxunicode + 2):
        inside = code <= sys.maxunicode and unicodedata.category(chr(code)) in ("Cc", "Cf")
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            forbidden.append(chr(start) if start == code - 1 else f"{chr(start)}-{chr(code - 1)}")
            start = None
    excluded = "".join(forbidden)
    return f"^[^{excluded}]*[^{excluded}\\s][^{excluded}]*$"


def _document_request_constraints(schemas: dict) -> None:
    from functions.core.media import ALLOWED_EXTENSIONS
    from functions.lineage.detect import SUPPORTED_LANGUAGES

    text = _text_pattern()
    for model in REQUEST_MODELS:
        for name, field in schemas.get(model, {}).get("properties", {}).items():
            branches = [branch for branch in field.get("anyOf", [field]) if branch.get("type") == "string"]
            for branch in branches:
                if name in ("url", "reference_url"):
                    branch["pattern"] = HTTP_URL_PATTERN
                elif name == "name":
                    branch["pattern"] = text
                elif name == "format":
                    branch["enum"] = sorted(ALLOWED_EXTENSIONS)
                elif name == "language":
                    branch["enum"] = sorted(SUPPORTED_LANGUAGES)
            if name == "tags":
                for branch in field.get("anyOf", [field]):
                    if branch.get("type") == "array":
                        branch["items"]["pattern"] = text


def _consumer_pattern() -> str:
    from functions.lineage.usages import CONSUMER_PATH_PATTERN, ConsumerKind

    kinds = "|".join(kind.value for kind in ConsumerKind)
    return f"^({kinds}):{CONSUMER_PATH_PATTERN.removeprefix('^')}"


def document_errors(document: dict) -> dict:
    """The answers the API really gives, in place of what powertools generates: 400 (not 422) with
    `{"detail": ...}` for bad input, 401, 403/404 on an asset's routes, 409 where it can conflict, 503
    when AWS fails; every error body as `{"detail": ...}`; asset ids as the UUIDs they must be."""
    document["components"]["schemas"]["Error"] = ERROR_SCHEMA
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            responses.pop("422", None)
            wanted = dict(EVERY_OPERATION)
            if "{asset_id}" in path:
                wanted |= ASSET_OPERATION
                if method in ("put", "patch", "delete"):
                    wanted |= CHANGING_OPERATION
            if "{usage_id}" in path:
                wanted["404"] = "No such usage"
            if operation.get("deprecated"):
                wanted |= REMOVED_OPERATION
            if "requestBody" in operation:
                wanted |= BODY_OPERATION
            for code, description in wanted.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code.startswith(("4", "5")) and code != "500":
                    schema = UNAUTHORIZED_SCHEMA if code == "401" else {"$ref": "#/components/schemas/Error"}
                    response["content"] = {"application/json": {"schema": schema}}
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "asset_id":
                    parameter["schema"] = {"type": "string", "format": "uuid", "pattern": UUID4_PATTERN,
                                           "title": "Asset Id"}
                if parameter["in"] == "header" and parameter["name"] == CONSUMER_HEADER:
                    parameter["schema"] = {"type": "string", "maxLength": 300, "pattern": _consumer_pattern(),
                                           "title": "X-Trove-Consumer"}
    _document_request_constraints(document["components"]["schemas"])
    text = json.dumps(document["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{unused}" not in text:
            document["components"]["schemas"].pop(unused, None)
    return document


@app.get(OPENAPI_PATH, include_in_schema=False)
def get_openapi() -> Response[str]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document())
