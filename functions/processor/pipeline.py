"""Settle one uploaded object: check the bytes, describe them, thumbnail them, update the record.

Every path ends the record in a terminal state (`ready`, `rejected`, `failed`) or leaves it
`pending` only by raising, so the message is retried. Duplicate and late events are no-ops:
each write is conditioned on the record still being `pending` at the version we read.

The record keeps the ETag of the object it was settled from. A presigned POST stays valid for
minutes, so other bytes can be posted to the same key after the first ones settled; their event
finds an object whose ETag is not the record's, and those bytes are checked in turn (the record goes
back to `pending`, then settles again): what is stored is never bytes nobody checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError
from pynamodb.exceptions import UpdateError

from functions.core import media, storage
from functions.core.models import AssetModel, AssetStatus, now
from functions.core.observability import logger
from functions.core.settings import Settings
from functions.core.storage import S3Client
from functions.processor import inspect as inspection

_SETTLE_ATTEMPTS = 5


@dataclass(frozen=True)
class Outcome:
    asset_id: str
    status: str  # a terminal AssetStatus, or "skipped" / "orphan-deleted"
    reason: str | None = None


def process_upload(key: str, settings: Settings, s3: S3Client | None = None) -> Outcome | None:
    """Process the object at `key` (already URL-decoded). None when the key is not an upload of ours."""
    s3 = s3 or storage.s3_client(settings)
    asset_id = storage.asset_id_from_upload_key(key)
    if asset_id is None:
        logger.warning("Ignoring an object outside the uploads layout", extra={"key": key})
        return None
    for _ in range(_SETTLE_ATTEMPTS):
        item = _load(asset_id)
        if item is None:
            # Deleted meanwhile, or never issued by us: nothing may keep its bytes.
            storage.delete_objects([key, storage.thumbnail_key(asset_id)], settings, s3)
            return Outcome(asset_id, "orphan-deleted")
        head = _object_head(s3, settings.bucket_name, key)
        if head is None:
            return Outcome(asset_id, "skipped", "object is gone")
        size, etag = head
        if item.status != AssetStatus.PENDING:
            if item.etag is None or item.etag == etag:
                if item.status == AssetStatus.REJECTED:
                    # Settled, but deleting its bytes failed (the reason this message came back): finish.
                    storage.delete_objects([key, storage.thumbnail_key(asset_id)], settings, s3)
                return Outcome(asset_id, "skipped", f"already {item.status}")
            if not _reopen(item, settings, s3):
                continue  # the record changed meanwhile: look again
        outcome = _settle(item, key, size, etag, settings, s3)
        if outcome.status != "skipped":
            return outcome
        # Settled by another delivery meanwhile: go round to check it settled the object that is there now.
    raise RuntimeError(f"Asset {asset_id} kept changing while it was being settled")


def _reopen(item: AssetModel, settings: Settings, s3: S3Client) -> bool:
    """Other bytes arrived at a settled asset's key: back to `pending`, without what described the old
    bytes (their thumbnail goes too). False if the record changed meanwhile."""
    forgotten = ("status_reason", "thumbnail_key", "width", "height", "duration", "page_count", "etag")
    actions = [AssetModel.status.set(AssetStatus.PENDING.value), AssetModel.updated_at.set(now())]
    actions += [getattr(AssetModel, name).remove() for name in forgotten]
    try:
        # pynamodb adds the version condition: a PATCH or another delivery meanwhile makes this fail.
        item.update(actions=actions, condition=AssetModel.status == item.status)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    logger.info("Other bytes arrived at a settled upload: checking them", extra={"asset_id": item.id})
    storage.delete_objects([storage.thumbnail_key(item.id)], settings, s3)
    return True


def _settle(item: AssetModel, key: str, size: int, etag: str, settings: Settings, s3: S3Client) -> Outcome:
    if size > settings.max_upload_bytes:
        return _reject(item, media.too_large_message(settings.max_upload_bytes), etag, settings, s3)
    if size == 0:
        return _reject(item, "File is empty", etag, settings, s3)
    # Libraries read the object through ranged GETs, only as far as they need.
    reader = inspection.RangedObjectReader(s3, settings.bucket_name, key, size)
    try:
        detected, result = inspection.examine(reader, media.AssetType(item.asset_type), item.format or "")
    except inspection.Rejected as problem:
        return _reject(item, problem.reason, etag, settings, s3)
    except inspection.Broken as problem:
        return _finish(item, AssetStatus.FAILED, settings, s3, reason=problem.reason, etag=etag)
    thumbnail_key = None
    if result.thumbnail:
        thumbnail_key = storage.thumbnail_key(item.id)
        s3.put_object(
            Bucket=settings.bucket_name, Key=thumbnail_key, Body=result.thumbnail, ContentType="image/jpeg"
        )
    described = {
        "format": detected.format,
        "content_type": detected.mime_types[0],
        "size": size,
        "width": result.width,
        "height": result.height,
        "duration": result.duration,
        "page_count": result.page_count,
        "thumbnail_key": thumbnail_key,
    }
    return _finish(item, AssetStatus.READY, settings, s3, described=described, etag=etag)


def _reject(item: AssetModel, reason: str, etag: str, settings: Settings, s3: S3Client) -> Outcome:
    outcome = _finish(item, AssetStatus.REJECTED, settings, s3, reason=reason, etag=etag)
    # Rejected bytes are never kept.
    storage.delete_objects([storage.upload_key(item.id), storage.thumbnail_key(item.id)], settings, s3)
    return outcome


def _finish(
    item: AssetModel,
    status: AssetStatus,
    settings: Settings,
    s3: S3Client,
    *,
    reason: str | None = None,
    described: dict | None = None,
    etag: str | None = None,
) -> Outcome:
    """Write the terminal state if the record is still pending. A concurrent PATCH moves the version:
    re-read and write again. A concurrent delete removes the record: clean up what we wrote."""
    actions_for = {
        "status": status.value, "status_reason": reason, "expires_at": None, "etag": etag, **(described or {})
    }
    for _ in range(_SETTLE_ATTEMPTS):
        actions = [
            getattr(AssetModel, name).set(value) if value is not None else getattr(AssetModel, name).remove()
            for name, value in actions_for.items()
        ]
        actions.append(AssetModel.updated_at.set(now()))
        try:
            item.update(actions=actions, condition=AssetModel.status == AssetStatus.PENDING.value)
            logger.info("Upload settled", extra={"asset_id": item.id, "status": status.value, "reason": reason})
            return Outcome(item.id, status.value, reason)
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
        fresh = _load(item.id)
        if fresh is None:
            storage.delete_objects([storage.upload_key(item.id), storage.thumbnail_key(item.id)], settings, s3)
            return Outcome(item.id, "orphan-deleted")
        if fresh.status != AssetStatus.PENDING:
            return Outcome(item.id, "skipped", f"already {fresh.status}")
        item = fresh
    raise RuntimeError(f"Asset {item.id} kept changing while it was being settled")


def mark_failed(asset_id: str, reason: str, settings: Settings, s3: S3Client | None = None) -> None:
    """The last attempt at a message failed: say so on the record rather than leave it pending."""
    item = _load(asset_id)
    if item is not None and item.status == AssetStatus.PENDING:
        _finish(item, AssetStatus.FAILED, settings, s3 or storage.s3_client(settings), reason=reason)


def _load(asset_id: str) -> AssetModel | None:
    try:
        return AssetModel.get(asset_id, consistent_read=True)
    except AssetModel.DoesNotExist:
        return None


def _object_head(s3: S3Client, bucket: str, key: str) -> tuple[int, str] | None:
    """The object's size and ETag, or None when there is no object."""
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        return head["ContentLength"], head["ETag"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
