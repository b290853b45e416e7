"""Where bytes live in S3, and the presigned requests that move them.

Keys are built from the asset id only, never from anything a user typed.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from uuid import UUID

from functions.core import topology
from functions.core.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
else:
    S3Client = Any


def upload_key(asset_id: str) -> str:
    """Where the browser posts the bytes: quarantine, never served."""
    return f"{topology.UPLOADS_PREFIX}{UUID(asset_id)}"


def file_key(asset_id: str) -> str:
    """Where the bytes are served from, once they passed the processor's checks."""
    return f"{topology.FILES_PREFIX}{UUID(asset_id)}"


def thumbnail_key(asset_id: str) -> str:
    return f"{topology.THUMBNAILS_PREFIX}{UUID(asset_id)}.jpg"


def asset_id_from_upload_key(key: str) -> str | None:
    """The asset id an `uploads/` key names, or None for anything that is not one of ours."""
    if not key.startswith(topology.UPLOADS_PREFIX):
        return None
    try:
        return str(UUID(key.removeprefix(topology.UPLOADS_PREFIX)))
    except ValueError:
        return None


@lru_cache(maxsize=4)
def s3_client(settings: Settings) -> S3Client:
    import boto3
    from botocore.config import Config

    # SigV4 everywhere: SigV2 presigned URLs fail the browser's CORS preflight.
    config = Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"mode": "standard"})
    return boto3.client("s3", region_name=settings.region, endpoint_url=settings.s3_endpoint_url or None, config=config)


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]
    expires_at: datetime


def presign_upload(
    key: str,
    content_type: str,
    size: int,
    settings: Settings,
    s3: S3Client | None = None,
    *,
    sha256: str | None = None,
) -> PresignedPost:
    """A browser POST straight to S3 whose policy pins the key, the Content-Type and the size: exactly
    the bytes the client declared (the record's size), so S3 refuses a file that is not the one
    announced. With the file's `sha256` (hex), the policy pins S3's checksum fields too: S3 verifies
    the bytes against it on arrival (400 BadDigest otherwise) and keeps it with the object."""
    s3 = s3 or s3_client(settings)
    expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=settings.presign_expiry_seconds)
    fields = {"Content-Type": content_type}
    if sha256 is not None:
        fields |= {"x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-sha256": checksum_of_hex(sha256)}
    post = s3.generate_presigned_post(
        Bucket=settings.bucket_name,
        Key=key,
        Fields=fields,
        Conditions=[
            *({name: value} for name, value in fields.items()),
            ["content-length-range", size, size],
        ],
        ExpiresIn=settings.presign_expiry_seconds,
    )
    return PresignedPost(url=post["url"], fields=post["fields"], expires_at=expires_at)


def content_disposition(filename: str) -> str:
    """An inline disposition whose filename can't break out of the header (RFC 6266 / 5987)."""
    ascii_fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"inline; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def presign_download(
    key: str, settings: Settings, *, filename: str, content_type: str, s3: S3Client | None = None
) -> str:
    s3 = s3 or s3_client(settings)
    return s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.bucket_name,
            "Key": key,
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition(filename),
        },
        ExpiresIn=settings.download_expiry_seconds,
    )


def delete_objects(keys: list[str], settings: Settings, s3: S3Client | None = None) -> None:
    """Delete keys in chunks of S3's 1,000-key limit; missing keys are not an error."""
    s3 = s3 or s3_client(settings)
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        response = s3.delete_objects(
            Bucket=settings.bucket_name, Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True}
        )
        if errors := response.get("Errors"):
            raise StorageError(f"S3 refused to delete {len(errors)} object(s): {errors[0].get('Message')}")


def checksum_of_hex(sha256: str) -> str:
    """S3's form of a SHA-256 (`x-amz-checksum-sha256`, ChecksumSHA256): base64 of the digest."""
    return base64.b64encode(bytes.fromhex(sha256)).decode("ascii")


def hex_of_checksum(checksum: str) -> str | None:
    """The lowercase hex of S3's base64 SHA-256, or None when it is not one."""
    try:
        digest = base64.b64decode(checksum, validate=True)
    except (binascii.Error, ValueError):
        return None
    return digest.hex() if len(digest) == 32 else None


class StorageError(RuntimeError):
    """S3 did not do what was asked; the caller may retry."""
