"""POST /api/v2/upload-asset: seed 002's multipart upload, processed before the answer.

The size is checked before anything is parsed (Content-Length, then the bytes): above what API
Gateway and Lambda can carry, a 413 points to the presigned flow. The form is parsed with
`multipart` (defnull's), the record and object are made as the presigned flow makes them, and the
processor's own `process_upload` settles the record synchronously. The S3 notification for the
object reaches the processor later and finds the record no longer pending: a no-op.
"""

from __future__ import annotations

import base64
import io

import multipart
from aws_lambda_powertools.event_handler import Request
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from pydantic import ValidationError

from functions.api.dependencies import AssetRecords, BaseUrl, CurrentUser, settings
from functions.api.resolver import require_media_type
from functions.core import multipart_upload, storage
from functions.core.errors import InvalidInput
from functions.core.schemas import Asset, to_asset

FILE_FIELD = "file"
MULTIPART_FORM = "multipart/form-data"
_MAX_PARTS = 16  # file, clientId, campaignId, name, and room for refusing unknown ones by name

router = Router()


@router.post(
    multipart_upload.UPLOAD_ASSET_PATH,
    status_code=201,
    summary="Upload a small file as multipart/form-data (file, clientId, campaignId, name); processed before the answer",
    tags=["uploads"],
    responses={
        201: {"description": "The asset, processed: ready, or rejected with its reason"},
        400: {"description": "Bad form, type not allowed, or the processor rejected the bytes"},
        413: {"description": "Larger than this path carries: use POST /api/v2/uploads"},
        415: {"description": "The body is not multipart/form-data"},
    },
)
def upload_asset(
    user: CurrentUser,
    base: BaseUrl,
    request: Request,
    records: AssetRecords,
) -> Asset:
    form, file = _read_form(request.resolved_event)
    item = multipart_upload.store_upload(user, form, file, settings, store=records)
    # Imported here: the media libraries load only when an upload arrives, not on every cold start.
    from functions.processor.pipeline import process_upload

    process_upload(storage.upload_key(item.id), settings, store=records)
    return to_asset(multipart_upload.settled_upload(user, item.id, settings, store=records), base)


def _read_form(event: APIGatewayProxyEventV2) -> tuple[multipart_upload.UploadAssetForm, multipart_upload.UploadedFile]:
    body = _body_within_limit(event)
    fields, file = _parse_multipart(event.headers.get("content-type") or "", body)
    if file is None:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body", FILE_FIELD), "msg": "Field required"}]
        )
    fields.setdefault("name", multipart_upload.default_name(file.filename))
    try:
        return multipart_upload.UploadAssetForm.model_validate(fields), file
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_url=False, include_context=False)) from None


def _body_within_limit(event: APIGatewayProxyEventV2) -> bytes:
    # The declared length first, so an oversized body is refused before it is decoded.
    declared = event.headers.get("content-length") or ""
    if declared.isdigit():
        multipart_upload.check_api_upload_size(int(declared), settings)
    raw = event.body or ""
    # API Gateway base64-encodes binary bodies (multipart always is), so the bytes are exact.
    body = base64.b64decode(raw) if event.is_base64_encoded else raw.encode()
    multipart_upload.check_api_upload_size(len(body), settings)
    return body


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], multipart_upload.UploadedFile | None]:
    options = require_media_type(content_type, MULTIPART_FORM)
    if not options.get("boundary"):
        raise InvalidInput(f"{MULTIPART_FORM} without a boundary")
    parser = multipart.MultipartParser(
        io.BytesIO(body),
        options["boundary"],
        content_length=len(body),
        part_limit=_MAX_PARTS,
        # The body is already in memory and within the limit: keep the parts there too.
        spool_limit=len(body) + 1,
        memory_limit=len(body) + 1,
    )
    fields: dict[str, str] = {}
    file = None
    try:
        for part in parser:
            if part.name in fields or (part.name == FILE_FIELD and file is not None):
                raise InvalidInput(f"{part.name}: sent more than once")
            if part.name == FILE_FIELD:
                if part.filename is None:
                    raise InvalidInput(f"{FILE_FIELD}: must be a file, not a text field")
                file = multipart_upload.UploadedFile(
                    filename=part.filename, content_type=part.content_type, data=part.raw
                )
            else:
                fields[part.name] = part.value
    except multipart.MultipartError as error:
        raise InvalidInput(f"Malformed multipart/form-data body: {error}") from None
    return fields, file
