"""The multipart upload through the API (`POST /api/v2/upload-asset`), and the answer of the upload
endpoints it replaced.

The multipart path is the presigned flow folded into one request: the same pending record
(`assets.create_pending`), the bytes put at the same key, then the processor's own code settles it
before the answer. Only the size limit differs: what API Gateway and Lambda can carry.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import PurePosixPath

from pydantic import TypeAdapter, ValidationError

from functions.core import assets, media, storage
from functions.core.errors import Gone, InvalidInput, PayloadTooLarge
from functions.core.models import AssetModel, AssetStatus
from functions.core.schemas import CamelModel, LinkId, Name, UploadRequest
from functions.core.settings import Settings
from functions.core.storage import S3Client
from functions.core.store import AssetStore
from functions.core.topology import MB

UPLOAD_ASSET_PATH = "/api/v2/upload-asset"
# What a form part says when it says nothing specific (curl does for extensions it doesn't know).
_GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
# Python's built-in table only, not the host's /etc/mime.types: the same name for a type everywhere.
_TYPE_NAMES = mimetypes.MimeTypes()
_LINK_ID: TypeAdapter[str] = TypeAdapter(LinkId)


@dataclass(frozen=True)
class UploadedFile:
    """The `file` part of the form."""

    filename: str
    content_type: str  # as the part declared it (application/octet-stream when it declared none)
    data: bytes


class UploadAssetForm(CamelModel):
    """The text fields of the form, as seed 002 lists them; `name` already defaulted to the file name.
    Unknown fields are refused (as in JSON bodies), so a misspelt `clientID` can't drop a link silently."""

    client_id: LinkId | None = None
    campaign_id: LinkId | None = None
    name: Name


def default_name(filename: str) -> str:
    """Seed 002: the name defaults to the file name (its last path segment, whatever the client sent)."""
    return PurePosixPath(filename.replace("\\", "/")).name


def api_upload_too_large_message(settings: Settings) -> str:
    return (
        f"File too large for this endpoint (max {settings.max_api_upload_bytes / MB:.1f}MB). "
        f"Upload larger files with POST /api/v2/uploads "
        f"(a presigned S3 POST, up to {settings.max_upload_bytes / MB:.0f}MB)."
    )


def check_api_upload_size(size: int, settings: Settings) -> None:
    if size > settings.max_api_upload_bytes:
        raise PayloadTooLarge(api_upload_too_large_message(settings))


def declared_media(file: UploadedFile) -> tuple[media.MediaFormat, str]:
    """The format the form declares and its media type: the part's Content-Type, or the file name's
    extension when the part says nothing specific. The bytes are checked against it by the processor."""
    try:
        part_type = media.parse_media_type(file.content_type)[0] if file.content_type else ""
    except ValueError:
        raise InvalidInput("file: the part's Content-Type is not a media type") from None
    if part_type not in _GENERIC_TYPES:
        declared = media.by_mime(part_type)
        if declared is None:
            raise InvalidInput(media.invalid_type_message(part_type))
        return declared, part_type
    declared = media.by_extension(PurePosixPath(file.filename).suffix)
    if declared is None:
        named = _TYPE_NAMES.guess_type(file.filename)[0] or part_type or "application/octet-stream"
        raise InvalidInput(media.invalid_type_message(named))
    return declared, declared.mime_types[0]


def store_upload(
    identity: assets.Identity,
    form: UploadAssetForm,
    file: UploadedFile,
    settings: Settings,
    s3: S3Client | None = None,
    *,
    store: AssetStore | None = None,
) -> AssetModel:
    """A pending record, as the presigned flow makes it, and the bytes at its key. The bytes are here,
    so their SHA-256 is declared for them: S3 verifies it and keeps it as the object's checksum, which
    the processor reads back instead of reading the bytes again."""
    check_api_upload_size(len(file.data), settings)
    declared, content_type = declared_media(file)
    sha256 = hashlib.sha256(file.data).hexdigest()
    request = UploadRequest(
        name=form.name,
        type=declared.asset_type.value,
        format=declared.format,
        size=len(file.data),
        content_type=content_type,
        client_id=form.client_id,
        campaign_id=form.campaign_id,
        sha256=sha256,
    )
    item = assets.create_pending(identity, request, settings, store=store)
    s3 = s3 or storage.s3_client(settings)
    s3.put_object(
        Bucket=settings.bucket_name,
        Key=storage.upload_key(item.id),
        Body=file.data,
        ContentType=item.content_type,
        # The value alone would do for S3; the algorithm too makes moto (the local stack) keep it.
        ChecksumAlgorithm="SHA256",
        ChecksumSHA256=storage.checksum_of_hex(sha256),
    )
    return item


def settled_upload(
    identity: assets.Identity,
    asset_id: str,
    settings: Settings,
    s3: S3Client | None = None,
    *,
    store: AssetStore | None = None,
) -> AssetModel:
    """The record once the processor is done with it. Read back rather than taken from the
    processor's outcome: the queued S3 notification may have settled it first.

    A rejected or failed upload answers 400 with the processor's reason, and nothing is kept: the
    caller never learnt an id, so a record left behind would be litter in its lists."""
    item = assets.get_owned(identity, asset_id, store=store)
    if item.status in (AssetStatus.REJECTED, AssetStatus.FAILED):
        assets.delete_asset(identity, item.id, settings, s3, store=store)
        raise InvalidInput(item.status_reason or f"The upload was {item.status}")
    return item


def removed_upload_endpoint(link_field: str, link_id: str) -> Gone:
    """Seed 002's retired `POST /api/{clients|campaigns}/{id}/assets`, pointing to its replacement."""
    try:
        shown = _LINK_ID.validate_python(link_id)
    except ValidationError:
        shown = "…"  # not echoed: it could never be a valid link anyway
    return Gone(f"This endpoint was removed. Use POST {UPLOAD_ASSET_PATH} with {link_field}={shown}")
