"""Recovery: what the upload events left unfinished, found and finished on a schedule.

The event path (S3 → SQS → processor) settles an upload within seconds, but it can leave work behind:
a message dead-lettered after its last receive, an invocation that timed out, a delete that failed,
a record whose bytes never came. A pass of the sweep finds these by what they leave in the bucket
and the table, and ends each one as the processor would have.

When something is "past its deadline":

- **An upload with bytes** (an object under `uploads/`): when the object is older than the settle
  allowance, `max_receive_count × visibility timeout` of the uploads queue (5 × 180 s = 15 min): by
  then every receive the queue would give its message has had its full visibility timeout, so the
  message is settled or dead-lettered. The sweep then processes the object as a redelivered event
  would (`process_upload`): a pending record is settled (`ready` or `rejected`), bytes whose record is
  gone are deleted, a settled record is left as it is. If that raises, the record (when still pending)
  is marked `failed` with the reason, so nothing stays `pending` for ever. An object posted late by a
  presigned POST is at most the POST's life (10 min) younger than its record; the allowance is
  counted from the object's own time, so it is never cut short.
- **A record without bytes** (`pending`, nothing under `uploads/`): when its TTL attribute
  (`expiresAt`, a day after the upload started; removed when it settles) has passed. It is deleted on
  the condition that it is still `pending` and expired, so an upload that settles meanwhile is kept;
  DynamoDB TTL would delete it too, but only within days. Both the Scan and the conditional delete
  are the asset store's (`expired_pending`, `delete_expired`).
- **A stray object** (under `files/` or `thumbnails/`, naming no record, or no asset id at all): when
  it is older than a presigned POST lives. A record is always written before its POST is signed, and
  the processor writes `files/` and `thumbnails/` only for a record it has read, so an older object
  nobody names will never be claimed. (Under `uploads/`, the first rule covers them: processing
  deletes bytes whose record is gone, and a key that names no asset id is deleted once stale.)

Two scopes: `UPLOADS` (settle stale uploads: the bucket lifecycle keeps `uploads/` to a day's worth,
so it is cheap and runs every 15 minutes) and `FULL` (also expired records, by a filtered Scan, and
strays, by listing `files/` and `thumbnails/`: work in proportion to the table and the bucket, so
once a day in AWS; every minute on `make dev`'s small stack). A pass watches the time it has left and
stops before it runs out; what it did not reach, the next pass does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from functions.core import storage, topology
from functions.core.observability import logger
from functions.core.settings import Settings
from functions.core.storage import S3Client
from functions.core.store import AssetStore, default_store
from functions.processor.pipeline import mark_failed, process_upload
from functions.sweep.scope import Scope

SETTLE_ALLOWANCE = timedelta(
    seconds=topology.UPLOADS_QUEUE.max_receive_count * topology.UPLOADS_QUEUE.visibility_timeout_seconds
)
# What one more step may take: settling an upload costs at most an inspection's wall-clock budget,
# plus reading, copying and writing; listing and checking a page of keys much less.
RESERVE_SECONDS = 2 * max(budget.wall_seconds for budget in topology.INSPECTION_BUDGETS.values())
# The served and derived prefixes, each with the key an asset id gives there.
_ASSET_KEYS: dict[str, Callable[[str], str]] = {
    topology.FILES_PREFIX: storage.file_key,
    topology.THUMBNAILS_PREFIX: storage.thumbnail_key,
}


@dataclass
class SweepReport:
    settled: dict[str, str] = field(default_factory=dict)  # asset id → the outcome of processing it
    errors: dict[str, str] = field(default_factory=dict)  # asset id → why processing it raised
    expired_records: list[str] = field(default_factory=list)
    deleted_objects: list[str] = field(default_factory=list)
    out_of_time: bool = False

    def summary(self) -> dict[str, int | bool]:
        return {
            "settled": len(self.settled),
            "errors": len(self.errors),
            "expiredRecords": len(self.expired_records),
            "deletedObjects": len(self.deleted_objects),
            "outOfTime": self.out_of_time,
        }


@dataclass(frozen=True)
class _Object:
    key: str
    last_modified: datetime


def sweep(
    settings: Settings,
    *,
    scope: Scope = Scope.FULL,
    now: datetime | None = None,
    time_left: Callable[[], float] = lambda: math.inf,
    s3: S3Client | None = None,
    store: AssetStore | None = None,
    settle: Callable[..., Any] | None = None,
    fail: Callable[..., Any] | None = None,
) -> SweepReport:
    """One pass as of `now`; `time_left()` says how many seconds the caller may still run. Uploads
    are settled by `settle` and marked failed by `fail` (the processor's own steps on `store`, unless
    given), each called with the key or asset id, the settings and the S3 client. Records are read and
    removed through `store`."""
    store = store or default_store()
    run = _Pass(
        settings,
        now or datetime.now(UTC),
        time_left,
        s3 or storage.s3_client(settings),
        store,
        settle or partial(process_upload, store=store),
        fail or partial(mark_failed, store=store),
    )
    uploads = list(run.objects(topology.UPLOADS_PREFIX))
    run.settle_stale(uploads)
    if scope is Scope.FULL:
        with_bytes = {storage.asset_id_from_upload_key(upload.key) for upload in uploads}
        run.remove_expired(with_bytes)
        for prefix in _ASSET_KEYS:
            run.delete_strays(prefix)
    return run.report


@dataclass
class _Pass:
    settings: Settings
    now: datetime
    time_left: Callable[[], float]
    s3: S3Client
    store: AssetStore
    settle: Callable[..., Any]
    fail: Callable[..., Any]
    report: SweepReport = field(default_factory=SweepReport)

    def has_time(self) -> bool:
        if self.time_left() < RESERVE_SECONDS:
            self.report.out_of_time = True
        return not self.report.out_of_time

    def settle_stale(self, uploads: list[_Object]) -> None:
        """Process every upload older than the settle allowance, as a redelivered event would."""
        stale = {
            upload.key: storage.asset_id_from_upload_key(upload.key)
            for upload in uploads
            if upload.last_modified <= self.now - SETTLE_ALLOWANCE
        }
        self.delete([key for key, asset_id in stale.items() if asset_id is None])  # not a key Trove writes
        for key, asset_id in stale.items():
            if asset_id is None:
                continue
            if not self.has_time():
                return
            try:
                outcome = self.settle(key, self.settings, self.s3)
            except Exception as error:  # noqa: BLE001 - whatever it was, the record must not stay pending
                logger.exception("Settling a stale upload failed", extra={"asset_id": asset_id})
                self.report.errors[asset_id] = str(error)
                self.fail(asset_id, f"Processing did not finish, and retrying it failed: {error}", self.settings, self.s3)
                continue
            self.report.settled[asset_id] = outcome.status
            logger.info("Stale upload processed", extra={"asset_id": asset_id, "status": outcome.status})

    def remove_expired(self, with_bytes: set[str | None]) -> None:
        """Delete pending records past their TTL that have no bytes."""
        for asset_id in self.store.expired_pending(self.now):
            if not self.has_time():
                return
            if asset_id in with_bytes:
                continue  # bytes came: settle_stale settles them once they are stale
            if not self.store.delete_expired(asset_id, self.now):
                logger.info("A record settled while being swept: kept", extra={"asset_id": asset_id})
                continue
            # A record that never had bytes has no checked copy or thumbnail either; anything
            # else it left is a stray, which the stray pass below removes.
            self.report.expired_records.append(asset_id)

    def delete_strays(self, prefix: str) -> None:
        """Objects under `prefix`, older than a presigned POST lives, that name no existing record."""
        key_for = _ASSET_KEYS[prefix]
        old_enough = self.now - timedelta(seconds=self.settings.presign_expiry_seconds)
        for page in self.pages(prefix):
            if not self.has_time():
                return
            owners = {entry.key: _asset_id(entry.key, key_for) for entry in page if entry.last_modified <= old_enough}
            existing = self.existing_records({owner for owner in owners.values() if owner})
            self.delete([key for key, owner in owners.items() if owner not in existing])

    def existing_records(self, asset_ids: set[str]) -> set[str]:
        return {item.id for item in self.store.get_many(asset_ids)}

    def pages(self, prefix: str) -> Iterator[list[_Object]]:
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.settings.bucket_name, Prefix=prefix):
            yield [_Object(entry["Key"], entry["LastModified"]) for entry in page.get("Contents", [])]

    def objects(self, prefix: str) -> Iterator[_Object]:
        for page in self.pages(prefix):
            yield from page

    def delete(self, keys: list[str]) -> None:
        if keys:
            storage.delete_objects(keys, self.settings, self.s3)
            self.report.deleted_objects += keys


def _asset_id(key: str, key_for: Callable[[str], str]) -> str | None:
    """The asset id a key names, if it is exactly the key Trove writes for that id there."""
    stem = key.rsplit("/", 1)[-1].split(".", 1)[0]
    try:
        asset_id = str(UUID(stem))
    except ValueError:
        return None
    return asset_id if key_for(asset_id) == key else None
