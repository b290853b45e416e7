"""The constraints the API checks in code (validators, the type↔format↔media type table), stated in
the OpenAPI document's schemas, so that what the document calls valid is what the API accepts."""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

# Request bodies whose fields carry constraints checked by validators.
REQUEST_MODELS = (
    "UploadRequest", "LinkCreate", "AssetPatch", "LegacyAssetCreate", "LegacyAssetUpdate", "ScanRequest", "FileToCheck",
)

# One example request body each (seed 000's own for its routes): clients read them, and
# schemathesis's examples phase sends them.
REQUEST_EXAMPLES = {
    "LinkCreate": {"name": "Brand guidelines", "url": "https://example.com/brand", "clientId": "client-uuid-123",
                   "tags": ["brand"]},
    "AssetPatch": {"name": "Brand guidelines 2026", "tags": ["brand", "2026"], "projectId": "3"},
    "LegacyAssetCreate": {"name": "Flink SQL Helper Library", "description": "Reusable SQL templates for Flink jobs",
                      "reference_url": "https://github.com/org/flink-sql-helpers", "project_id": 1},
    "LegacyAssetUpdate": {"name": "Updated Name", "description": "Updated description",
                      "reference_url": "https://new-url.com/resource", "project_id": 2, "todo_id": None},
    "ScanRequest": {"path": "f/etl/daily/extract", "kind": "script", "language": "python",
                    "content": 'import wmill\ndb = wmill.get_resource("res://f/db")\n'},
    "ModeChange": {"mode": "read"},
    "UploadRequest": {"name": "logo.png", "type": "image", "format": "png", "size": 2048, "contentType": "image/png",
                      "clientId": "client-uuid-123"},
}

# A URL as the API stores it (`urls.ascii_url`): http(s), a DNS host (labels of at most 63
# characters, 253 in all), a port, then only characters RFC 3986 keeps as they are and
# percent-escapes, so the stored form has the length sent (2,048 at most). The API also takes
# internationalised hosts and paths, and stores their ASCII form; which Unicode labels IDNA allows
# is more than a pattern can say, so the document names the ASCII form.
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
_LABEL = r"[A-Za-z0-9_-]{1,63}"
_KEPT = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})"
_KEPT_IN_QUERY = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})"
HTTP_URL_PATTERN = (
    r"^[hH][tT][tT][pP][sS]?://"
    r"(?=[A-Za-z0-9_.-]{1,253}\.?(?:[:/?#]|$))"  # the host's length, before its labels
    rf"{_LABEL}(?:\.{_LABEL})*\.?(?::{_PORT})?"
    rf"(?:/{_KEPT}*)?(?:\?{_KEPT_IN_QUERY}*)?(?:#{_KEPT_IN_QUERY}*)?$"
)


@cache  # a walk over every code point
def text_pattern() -> str:
    """A name or tag: no control or formatting character (NUL, CR/LF, bidi overrides, zero-width
    spaces: `schemas._no_control_characters`), and something besides spaces."""
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


# The X-Trove-Consumer header's `format` (an annotation; its pattern decides what is valid).
CONSUMER_FORMAT = "trove-consumer"


def consumer_pattern() -> str:
    """`kind:path` with a path of at most MAX_CONSUMER_PATH characters (`consumers.Consumer.parse`), or
    nothing: an empty header names no consumer, as if absent."""
    from functions.lineage.consumers import CONSUMER_PATH_PATTERN, MAX_CONSUMER_PATH, ConsumerKind

    kinds = "|".join(kind.value for kind in ConsumerKind)
    path = CONSUMER_PATH_PATTERN.removeprefix("^").removesuffix("$")
    return f"^(({kinds}):(?=[A-Za-z0-9_.@/-]{{1,{MAX_CONSUMER_PATH}}}$){path})?$"


def document_request_constraints(schemas: dict) -> None:
    from functions.core.media import ALLOWED_EXTENSIONS
    from functions.lineage.detect import SUPPORTED_LANGUAGES

    text = text_pattern()
    for model in REQUEST_MODELS:
        for name, field in schemas.get(model, {}).get("properties", {}).items():
            _no_null_default(field)
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
    _document_upload_types(schemas)
    _document_upload_check(schemas)
    for model, example in REQUEST_EXAMPLES.items():
        schemas[model]["examples"] = [example]


def _no_null_default(field: dict) -> None:
    """An optional field that takes no null (a PATCH's name): absent is its default, not null."""
    nullable = any(branch.get("type") == "null" for branch in field.get("anyOf", [field]))
    if field.get("default", ...) is None and not nullable:
        del field["default"]


def _document_upload_check(schemas: dict) -> None:
    """POST /api/v2/uploads/check: each file's size up to the upload limit (`find_duplicates` checks it)."""
    from functions.core.topology import MAX_UPLOAD_BYTES

    if "FileToCheck" in schemas:
        schemas["FileToCheck"]["properties"]["size"] |= {"maximum": MAX_UPLOAD_BYTES}


def document_renditions(document: dict) -> None:
    """The rendition routes' values as they are accepted (RenditionSpec.parse reads them as text, the
    signed path as signing.parse_rendition_path does), and getRendition's JSON answer (the route answers
    a Response, so the document has no model for it otherwise)."""
    from functions.renditions.schemas import Rendition
    from functions.renditions.signing import NAME_PATTERN, VERSION_PATTERN
    from functions.renditions.spec import AUTO, FITS, FORMATS, MAX_PAGE, SIDES

    side = {"type": "integer", "enum": list(SIDES)}
    query = {
        "w": side,
        "h": side,
        "fit": {"type": "string", "enum": list(FITS)},
        "format": {"type": "string", "enum": [*FORMATS, AUTO]},
        "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    }
    # JSON Schema patterns have no named groups.
    path = {"version": VERSION_PATTERN, "name": re.sub(r"\?P<\w+>", "", NAME_PATTERN)}
    for operations in document["paths"].values():
        for operation in operations.values():
            if "renditions" not in operation.get("tags", []):
                continue
            for parameter in operation.get("parameters", []):
                name, schema = parameter["name"], parameter["schema"]
                if parameter["in"] == "query" and name in query:
                    parameter["schema"] = query[name] | {"title": schema["title"]}
                elif parameter["in"] == "path" and name in path:
                    schema["pattern"] = f"^{path[name]}$"
            if operation.get("operationId") == "getRendition":
                answer = {"schema": {"$ref": "#/components/schemas/Rendition"}}
                operation["responses"]["200"]["content"] = {"application/json": answer}
    document["components"]["schemas"]["Rendition"] = Rendition.model_json_schema(mode="serialization")


def _document_upload_types(schemas: dict) -> None:
    """POST /api/v2/uploads as a union discriminated by `type`: each type names its own formats, and
    each format its own media types (`assets._declared_media` refuses `audio` + `gif`, or `png`
    declared as image/jpeg). The size is 1 byte to the upload limit."""
    from functions.core.media import FILE_ASSET_TYPES, MEDIA_FORMATS
    from functions.core.topology import MAX_UPLOAD_BYTES

    base = schemas.pop("UploadRequest")
    base["properties"]["size"] |= {"minimum": 1, "maximum": MAX_UPLOAD_BYTES}
    variants = {}
    for asset_type in FILE_ASSET_TYPES:
        formats = [media for media in MEDIA_FORMATS if media.asset_type == asset_type]
        name = f"{asset_type.value.capitalize()}UploadRequest"
        properties = dict(base["properties"])
        properties["type"] = {"type": "string", "const": asset_type.value, "title": "Type"}
        properties["format"] = {
            "type": "string", "enum": sorted(ext for media in formats for ext in media.extensions), "title": "Format",
        }
        properties["contentType"] = {
            "anyOf": [{"type": "string", "enum": [mime for media in formats for mime in media.mime_types]},
                      {"type": "null"}],
            "title": "Contenttype",
        }
        pairs = [
            {"properties": {"format": {"enum": list(media.extensions)},
                            "contentType": {"enum": [*media.mime_types, None]}}}
            for media in formats
        ]
        variants[asset_type.value] = name
        schemas[name] = base | {"title": name, "properties": properties, **({"oneOf": pairs} if len(pairs) > 1 else {})}
    schemas["UploadRequest"] = {
        "title": "UploadRequest",
        "description": base.get("description", ""),
        "oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in variants.values()],
        "discriminator": {
            "propertyName": "type",
            "mapping": {value: f"#/components/schemas/{name}" for value, name in variants.items()},
        },
    }
