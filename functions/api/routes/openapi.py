"""GET /api/openapi.json: the API's OpenAPI document, generated from the routes. No token needed."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api.openapi_schemas import (
    CONSUMER_FORMAT,
    consumer_pattern,
    document_renditions,
    document_request_constraints,
    text_pattern,
)
from functions.core.multipart_upload import UPLOAD_ASSET_PATH
from functions.core.schemas import LINK_ID_PATTERN
from functions.core.topology import OPENAPI_PATH

API_TITLE = "Trove"
API_VERSION = "2.0.0"

router = Router()


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
# No token: a signed rendition URL (CloudFront's `/renditions/*` in AWS) carries its right in its signature.
PUBLIC_OPERATIONS = frozenset({"getSignedRendition"})
CHANGING_OPERATION = {"409": "The asset changed meanwhile, or something still uses it (the detail says which)"}


def openapi_document() -> str:
    # Powertools' OpenAPI models (~0.1 s to import) serve this document only; request validation does
    # not load them, so they are imported here rather than at every cold start.
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    app = router.api_resolver  # the resolver this router is included in, with every other route
    if app is None:
        raise RuntimeError("the OpenAPI router is not included in the API's resolver (functions/api/app.py)")
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


def document_errors(document: dict) -> dict:
    """The answers the API really gives, in place of what powertools generates: 400 (not 422) with
    `{"detail": ...}` for bad input, 401, 403/404 on an asset's routes, 409 where it can conflict, 503
    when AWS fails; every error body as `{"detail": ...}`; asset ids as the UUIDs they must be. No
    500: a server error is never an answer the API means to give."""
    document["components"]["schemas"]["Error"] = ERROR_SCHEMA
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for generated in ("422", "500"):
                responses.pop(generated, None)
            wanted = dict(EVERY_OPERATION)
            if operation.get("operationId") in PUBLIC_OPERATIONS:
                operation["security"] = []
                del wanted["401"]
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
                    parameter["schema"] = {"type": "string", "maxLength": 300, "pattern": consumer_pattern(),
                                           "format": CONSUMER_FORMAT, "title": "X-Trove-Consumer"}
                if parameter["in"] == "query" and parameter["name"] == "tag":  # a Tag, as in bodies
                    for branch in parameter["schema"].get("anyOf", [parameter["schema"]]):
                        if branch.get("type") == "string":
                            branch["pattern"] = text_pattern()
            if path == UPLOAD_ASSET_PATH:
                operation["requestBody"] = _upload_form()
    document_request_constraints(document["components"]["schemas"])
    document_renditions(document)
    text = json.dumps(document["paths"])
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        if f"#/components/schemas/{unused}" not in text:
            document["components"]["schemas"].pop(unused, None)
    return document


def _upload_form() -> dict:
    """`POST /api/v2/upload-asset` reads its multipart form itself (`upload_asset._read_form`)."""
    link_id = {"type": "string", "minLength": 1, "maxLength": 128, "pattern": LINK_ID_PATTERN}
    fields = {
        "file": {"type": "string", "contentMediaType": "application/octet-stream",
                 "description": "The file; its part's Content-Type, or else its name's extension, declares the format"},
        "clientId": link_id,
        "campaignId": link_id,
        "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": text_pattern(),
                 "description": "Defaults to the file's name"},
    }
    schema = {"type": "object", "properties": fields, "required": ["file"], "additionalProperties": False}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


@router.get(OPENAPI_PATH, include_in_schema=False)
def get_openapi() -> Response[str]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document())
