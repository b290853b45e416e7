"""Settle one uploaded object: check the bytes, describe them, thumbnail them, update the record.

Browsers post to `uploads/{id}`, a quarantine nothing ever serves. Bytes that pass the checks are
copied (server-side, on the condition that they are still the bytes checked) to `files/{id}`, the
only key a download URL names, and the upload is deleted. Bytes that fail are deleted.

Every path ends the record in a terminal state (`ready`, `rejected`, `failed`) or leaves it
`pending` only by raising, so the message is retried. Duplicate and late events are no-ops:
each write is conditioned on the record's status and version as read.

The record keeps the ETag of the bytes it was settled from. A presigned POST stays valid for
minutes, so other bytes can be posted to the same key after the first ones settled; their event
finds an upload whose ETag is not the record's, and those bytes are checked as a new version: they
replace the served copy only if they pass, and a `ready` asset stays served meanwhile.

Each attempt that reaches its checks is recorded on the asset (core/processing.py): its steps, their reads
and times, and how it ended; its log lines carry the attempt's correlation id, which the record shows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from botocore.exceptions import ClientError

from functions.core import processing, storage
from functions.core.models import AssetModel, AssetStatus, now
from functions.core.observability import logger
from functions.core.processing import AttemptLog
from functions.core.settings import Settings
from functions.core.storage import S3Client
from functions.core.store import AssetStore, StaleVersion, default_store
from functions.processor import checks
from functions.processor import inspect as inspection
from functions.renditions import forget_renditions

_SETTLE_ATTEMPTS = 5
_UPLOAD_CHANGED = "the upload changed while it was checked"


@dataclass(frozen=True)
class Outcome:
    asset_id: str
    status: str  # a terminal AssetStatus, or "skipped" / "orphan-deleted"
    reason: str | None = None
    asset_type: str | None = None  # the record's, when there is one: the processor counts outcomes per type


def process_message(
    keys: list[str],
    settings: Settings,
    *,
    deadline: float | None = None,
    last_attempt: bool = False,
    s3: S3Client | None = None,
    store: AssetStore | None = None,
) -> list[Outcome]:
    """The uploads one queue message names, in turn, each before `deadline` (time.monotonic()). An
    upload that cannot be finished raises, so the message is retried; on its last attempt the record is
    marked `failed` first, so no asset stays `pending` once its message goes to the DLQ."""
    store = store or default_store()
    outcomes = []
    for key in keys:
        if outcome := process_upload(key, settings, s3, deadline, store=store, last_attempt=last_attempt):
            outcomes.append(outcome)
    return outcomes


def process_upload(
    key: str,
    settings: Settings,
    s3: S3Client | None = None,
    deadline: float | None = None,
    *,
    store: AssetStore | None = None,
    last_attempt: bool = False,
) -> Outcome | None:
    """Process the object at `key` (already URL-decoded). None when the key is not an upload of ours.
    `deadline` (time.monotonic()) is when the caller must stop: a file not checked by then raises
    inspection.OutOfTime and is retried. Whatever raises is recorded as the attempt's error first, and
    on the `last_attempt` the record is marked `failed`."""
    s3 = s3 or storage.s3_client(settings)
    store = store or default_store()
    asset_id = storage.asset_id_from_upload_key(key)
    if asset_id is None:
        logger.warning("Ignoring an object outside the uploads layout", extra={"key": key})
        return None
    attempt = AttemptLog()
    # The API's synchronous upload runs this too: its request's correlation id comes back after.
    outer_correlation_id = logger.get_correlation_id()
    logger.set_correlation_id(attempt.correlation_id)
    try:
        if deadline is not None and time.monotonic() >= deadline:
            raise inspection.OutOfTime("The invocation's time ran out before this upload's turn")
        outcome = _process(asset_id, key, settings, s3, deadline, store, attempt)
    except Exception as error:
        attempt.fail(str(error))
        if last_attempt:
            reason = f"Processing failed after repeated attempts: {error}"
            mark_failed(asset_id, reason, settings, s3, store=store, attempt=attempt)
        else:
            processing.record_attempt(asset_id, attempt.finished("retried", str(error)), store)
        raise
    finally:
        logger.set_correlation_id(outer_correlation_id)
    if outcome.status in ("kept", "skipped") and attempt.begun:
        # Recorded with the terminal states otherwise; an attempt that found nothing to check is not.
        processing.record_attempt(asset_id, attempt.finished(outcome.status, outcome.reason), store)
    return outcome


def _process(
    asset_id: str,
    key: str,
    settings: Settings,
    s3: S3Client,
    deadline: float | None,
    store: AssetStore,
    attempt: AttemptLog,
) -> Outcome:
    for _ in range(_SETTLE_ATTEMPTS):
        item = store.get(asset_id)
        if item is None:
            # Deleted meanwhile, or never issued by us: nothing may keep its bytes.
            storage.delete_objects(_all_keys(asset_id), settings, s3)
            return Outcome(asset_id, "orphan-deleted")
        head = checks.object_head(s3, settings.bucket_name, key)
        if head is None:
            return Outcome(asset_id, "skipped", "object is gone", item.asset_type)
        size, etag = head
        if item.status != AssetStatus.PENDING and item.etag in (None, etag):
            # These bytes were settled already; a delete that failed left the upload behind: finish.
            if item.object_key != key:  # records from before the quarantine are served from uploads/
                storage.delete_objects([key], settings, s3)
            return Outcome(asset_id, "skipped", f"already {item.status}", item.asset_type)
        outcome = _settle(item, key, size, etag, settings, s3, deadline, store, attempt)
        if outcome.status != "skipped":
            return replace(outcome, asset_type=item.asset_type)
        # Settled by another delivery meanwhile: go round to check it settled the object that is there now.
    raise RuntimeError(f"Asset {asset_id} kept changing while it was being settled")


def _settle(
    item: AssetModel,
    key: str,
    size: int,
    etag: str,
    settings: Settings,
    s3: S3Client,
    deadline: float | None,
    store: AssetStore,
    attempt: AttemptLog,
) -> Outcome:
    try:
        detected, result, digest = checks.check_upload(item, key, size, etag, settings, s3, deadline, attempt)
    except ClientError as error:
        if not checks.upload_changed(error):
            raise
        # Other bytes replaced (or a delete removed) the upload while it was checked: their own event
        # settles them.
        attempt.fail(_UPLOAD_CHANGED)
        return Outcome(item.id, "skipped", _UPLOAD_CHANGED)
    except inspection.MediaError as problem:
        attempt.fail(problem.reason)
        if item.status == AssetStatus.READY:
            # Other bytes posted to a ready asset failed: the checked copy stays served.
            storage.delete_objects([key], settings, s3)
            logger.info(
                "Bytes posted again were refused", extra={"asset_id": item.id, "reason": problem.reason}
            )
            return Outcome(item.id, "kept", problem.reason)
        rejected = isinstance(problem, inspection.Rejected)
        status = AssetStatus.REJECTED if rejected else AssetStatus.FAILED
        attempt.begin("settle")
        outcome = _finish(
            item, status, settings, s3, store, reason=problem.reason, etag=etag, attempt=attempt
        )
        # Nothing made from earlier bytes stays. Rejected bytes go too; the bytes of a failed upload (an
        # allowed type that could not be read) stay in quarantine, never served, until the lifecycle rule.
        storage.delete_objects(_all_keys(item.id) if rejected else _all_keys(item.id)[1:], settings, s3)
        return outcome
    attempt.begin("settle")
    try:
        s3.copy_object(
            Bucket=settings.bucket_name,
            Key=storage.file_key(item.id),
            CopySource={"Bucket": settings.bucket_name, "Key": key},
            CopySourceIfMatch=etag,
            ContentType=detected.mime_types[0],
            MetadataDirective="REPLACE",
        )
    except ClientError as error:
        if not checks.upload_changed(error):
            raise
        attempt.fail(_UPLOAD_CHANGED)
        return Outcome(item.id, "skipped", _UPLOAD_CHANGED)
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
        "object_key": storage.file_key(item.id),
        "sha256": digest.sha256,
        "placeholder": result.placeholder,
    }
    replaced = item.etag is not None  # other bytes were settled before: what was made from them goes
    outcome = _finish(
        item, AssetStatus.READY, settings, s3, store, described=described, etag=etag, attempt=attempt
    )
    if outcome.status == AssetStatus.READY:
        storage.delete_objects([key], settings, s3)
        if replaced:
            forget_renditions(item, settings, s3, store=store)
    return outcome


def _all_keys(asset_id: str) -> list[str]:
    """The upload, then what is made from checked bytes: the served copy and the thumbnail."""
    return [storage.upload_key(asset_id), storage.file_key(asset_id), storage.thumbnail_key(asset_id)]


def _finish(
    item: AssetModel,
    status: AssetStatus,
    settings: Settings,
    s3: S3Client,
    store: AssetStore,
    *,
    reason: str | None = None,
    described: dict | None = None,
    etag: str | None = None,
    attempt: AttemptLog | None = None,
) -> Outcome:
    """Write the terminal state if the record is still as read (status and version). A concurrent
    PATCH moves the version only: re-read and write again. Another delivery that settled it meanwhile
    wins ("skipped"). A concurrent delete removes the record: clean up what we wrote."""
    actions_for = {
        "status": status.value,
        "status_reason": reason,
        "expires_at": None,
        "etag": etag,
        **(described or {}),
    }
    if status != AssetStatus.READY:
        # Nothing describes bytes that are not kept.
        actions_for |= dict.fromkeys(
            ("thumbnail_key", "width", "height", "duration", "page_count", "sha256", "placeholder")
        )
    for _ in range(_SETTLE_ATTEMPTS):
        if attempt is not None:
            actions_for["processing"] = processing.appended(
                item.processing, attempt.finished(status.value, reason)
            )
        try:
            store.update(item, {**actions_for, "updated_at": now()})
            logger.info(
                "Upload settled", extra={"asset_id": item.id, "status": status.value, "reason": reason}
            )
            return Outcome(item.id, status.value, reason)
        except StaleVersion:
            pass
        fresh = store.get(item.id)
        if fresh is None:
            storage.delete_objects(_all_keys(item.id), settings, s3)
            return Outcome(item.id, "orphan-deleted")
        if (fresh.status, fresh.etag) != (item.status, item.etag):
            return Outcome(item.id, "skipped", f"already {fresh.status}")
        item = fresh
    raise RuntimeError(f"Asset {item.id} kept changing while it was being settled")


def mark_failed(
    asset_id: str,
    reason: str,
    settings: Settings,
    s3: S3Client | None = None,
    *,
    store: AssetStore | None = None,
    attempt: AttemptLog | None = None,
) -> None:
    """The last attempt at a message failed: say so on the record rather than leave it pending. The
    attempt is recorded `failed` either way (a ready asset whose new bytes failed stays ready)."""
    store = store or default_store()
    item = store.get(asset_id)
    if item is not None and item.status == AssetStatus.PENDING:
        s3 = s3 or storage.s3_client(settings)
        _finish(item, AssetStatus.FAILED, settings, s3, store, reason=reason, attempt=attempt)
    elif attempt is not None:
        processing.record_attempt(asset_id, attempt.finished("failed", reason), store)
