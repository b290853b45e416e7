"""What an uploaded object is: its size and ETag, and the checks its bytes must pass before they are
served (the size rules, the inspection in the worker within the type's budget, the SHA-256), each a
step of the processing record."""

from __future__ import annotations

from botocore.exceptions import ClientError

from functions.core import media
from functions.core.models import AssetModel, AssetStatus
from functions.core.processing import AttemptLog
from functions.core.settings import Settings
from functions.core.storage import S3Client
from functions.processor import hashing
from functions.processor import inspect as inspection


def check_upload(
    item: AssetModel,
    key: str,
    size: int,
    etag: str,
    settings: Settings,
    s3: S3Client,
    deadline: float | None,
    attempt: AttemptLog,
) -> tuple[media.MediaFormat, inspection.Inspection, hashing.HashResult]:
    """What the bytes are and hold, within the type's inspection budget, and their SHA-256; MediaError
    when they fail."""
    # Libraries read the object through ranged GETs, only as far as they need.
    reader = inspection.RangedObjectReader(s3, settings.bucket_name, key, size, etag=etag)
    attempt.begin("sniff", reader.read_so_far)
    if size > settings.max_upload_bytes:
        raise inspection.Rejected(media.too_large_message(settings.max_upload_bytes))
    if size == 0:
        raise inspection.Rejected("File is empty")
    if item.size is not None and size != item.size:
        # S3 enforces the declared size on the presigned POST; a store that did not is caught here.
        raise inspection.Rejected(f"The file is {size} bytes, but {item.size} were declared")
    try:
        detected, result = inspection.examine_within_budget(
            reader, media.AssetType(item.asset_type), item.format or "", deadline=deadline, attempt=attempt
        )
    finally:
        # A failed GET that a library swallowed, or reported as corrupt input, is still an AWS error.
        reader.raise_failure()
    attempt.begin("hash")
    # The hash a client declared with its upload is checked; a ready asset's is that of the bytes served.
    declared = item.sha256 if item.status == AssetStatus.PENDING else None
    digest = hashing.object_sha256(s3, settings.bucket_name, key, size=size, etag=etag, declared=declared)
    attempt.end(read=(digest.bytes_read, digest.gets))
    return detected, result, digest


def upload_changed(error: ClientError) -> bool:
    """S3's answer when the upload is no longer the bytes we started from: replaced (412) or gone."""
    return error.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412", "NoSuchKey", "404")


def object_head(s3: S3Client, bucket: str, key: str) -> tuple[int, str] | None:
    """The object's size and ETag, or None when there is no object."""
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        return head["ContentLength"], head["ETag"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
