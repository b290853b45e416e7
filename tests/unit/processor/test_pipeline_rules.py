"""The processor pipeline's rules (functions/processor/pipeline.py) on the in-memory asset store.

The bytes still live in S3: the pipeline reads them by ranged GETs, copies them on an ETag condition
and deletes them, so S3 is moto (tests/unit/conftest.py's bucket, one per module, emptied before each
test); DynamoDB is not involved. The checks themselves are the real ones, in the real inspection worker."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from functions.core import assets, storage
from functions.core.identity import Identity
from functions.core.memory_store import MemoryAssetStore
from functions.core.models import AssetModel
from functions.core.schemas import UploadRequest
from functions.core.settings import Settings
from functions.processor import pipeline
from tests.media.generate import encode, jpeg, picture
from tests.unit.conftest import UNIT_BUCKET as BUCKET

SETTINGS = Settings(bucket_name=BUCKET)
OWNER = Identity("user-a")
PHOTO = jpeg(64, 48)
NOT_AN_IMAGE = b"plain text, declared as a JPEG" * 4


@pytest.fixture
def store() -> MemoryAssetStore:
    return MemoryAssetStore()


@pytest.fixture
def keys(bucket_s3: Any) -> Callable[[], set[str]]:
    return lambda: {entry["Key"] for entry in bucket_s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


@pytest.fixture
def posted(store: MemoryAssetStore, bucket_s3: Any) -> Callable[..., AssetModel]:
    """A pending record declared as a JPEG of `declared_size` bytes, and `data` posted to its upload key."""

    def post(data: bytes = PHOTO, declared_size: int | None = None, asset_format: str = "jpg") -> AssetModel:
        request = UploadRequest(
            name="photo.jpg", type="image", format=asset_format, size=declared_size or len(data)
        )
        item = assets.create_pending(OWNER, request, SETTINGS, store=store)
        bucket_s3.put_object(Bucket=BUCKET, Key=storage.upload_key(item.id), Body=data)
        return item

    return post


def settle(item: AssetModel, bucket_s3: Any, store: MemoryAssetStore) -> pipeline.Outcome | None:
    return pipeline.process_upload(storage.upload_key(item.id), SETTINGS, bucket_s3, store=store)


def test_checked_bytes_are_served_from_files_and_the_record_describes_them(posted, bucket_s3, store, keys):
    # given
    item = posted()

    # when
    outcome = settle(item, bucket_s3, store)

    # then
    record = store.get(item.id)
    assert outcome == pipeline.Outcome(item.id, "ready", asset_type="image")
    assert (record.status, record.width, record.height, record.format) == ("ready", 64, 48, "jpg")
    assert record.object_key == storage.file_key(item.id)
    assert record.thumbnail_key == storage.thumbnail_key(item.id)
    assert record.expires_at is None and record.etag
    assert keys() == {storage.file_key(item.id), storage.thumbnail_key(item.id)}


def test_bytes_that_are_not_what_was_declared_are_rejected_and_deleted(posted, bucket_s3, store, keys):
    # given
    item = posted(NOT_AN_IMAGE)

    # when
    outcome = settle(item, bucket_s3, store)

    # then
    record = store.get(item.id)
    assert outcome.status == record.status == "rejected"
    assert record.status_reason == outcome.reason and record.thumbnail_key is None
    assert keys() == set()


def test_bytes_of_another_size_than_declared_are_rejected(posted, bucket_s3, store):
    # given
    item = posted(declared_size=len(PHOTO) + 1)

    # when
    outcome = settle(item, bucket_s3, store)

    # then
    assert outcome.status == "rejected"
    assert outcome.reason == f"The file is {len(PHOTO)} bytes, but {len(PHOTO) + 1} were declared"


def test_a_key_outside_the_uploads_layout_is_ignored(bucket_s3, store):
    # when
    outcome = pipeline.process_upload("files/not-an-upload", SETTINGS, bucket_s3, store=store)

    # then
    assert outcome is None


def test_bytes_whose_record_is_gone_are_deleted(bucket_s3, store, keys):
    # given: bytes posted for an id no record has
    asset_id = "5f0c1c1e-8a8e-4b8e-9a3e-2f7d2b0c9d11"
    bucket_s3.put_object(Bucket=BUCKET, Key=storage.upload_key(asset_id), Body=PHOTO)

    # when
    outcome = pipeline.process_upload(storage.upload_key(asset_id), SETTINGS, bucket_s3, store=store)

    # then
    assert outcome == pipeline.Outcome(asset_id, "orphan-deleted")
    assert keys() == set()


def test_an_event_for_bytes_already_gone_is_skipped(posted, bucket_s3, store):
    # given
    item = posted()
    bucket_s3.delete_object(Bucket=BUCKET, Key=storage.upload_key(item.id))

    # when
    outcome = settle(item, bucket_s3, store)

    # then
    assert outcome == pipeline.Outcome(item.id, "skipped", "object is gone", "image")
    assert store.get(item.id).status == "pending"


def test_a_duplicate_event_changes_nothing(posted, bucket_s3, store):
    # given: settled once, and the upload put back as a failed delete would leave it
    item = posted()
    settle(item, bucket_s3, store)
    settled = store.get(item.id)
    bucket_s3.put_object(Bucket=BUCKET, Key=storage.upload_key(item.id), Body=PHOTO)

    # when
    outcome = settle(item, bucket_s3, store)

    # then: the leftover upload is finished off, the record untouched
    assert outcome == pipeline.Outcome(item.id, "skipped", "already ready", "image")
    assert store.get(item.id).version == settled.version


def test_bad_bytes_posted_again_to_a_ready_asset_leave_it_served(posted, bucket_s3, store, keys):
    # given
    item = posted()
    settle(item, bucket_s3, store)
    bucket_s3.put_object(
        Bucket=BUCKET, Key=storage.upload_key(item.id), Body=NOT_AN_IMAGE[: len(PHOTO)].ljust(len(PHOTO))
    )

    # when
    outcome = settle(item, bucket_s3, store)

    # then
    assert outcome.status == "kept"
    assert store.get(item.id).status == "ready"
    assert keys() == {storage.file_key(item.id), storage.thumbnail_key(item.id)}


class RacingStore(MemoryAssetStore):
    """A store where `meanwhile(record)` happens just before the pipeline's first conditional update."""

    def __init__(self, meanwhile: Callable[[MemoryAssetStore, AssetModel], None]) -> None:
        super().__init__()
        self.meanwhile: Callable[[MemoryAssetStore, AssetModel], None] | None = meanwhile

    def update(self, item, changes):
        if self.meanwhile is not None:
            happen, self.meanwhile = self.meanwhile, None
            happen(self, self.get(item.id))
        super().update(item, changes)


def renamed(store: MemoryAssetStore, record: AssetModel) -> None:
    record.name = "renamed meanwhile"
    store.save(record)


def deleted(store: MemoryAssetStore, record: AssetModel) -> None:
    store.delete(record)


def settled_elsewhere(store: MemoryAssetStore, record: AssetModel) -> None:
    # The same bytes: a simple PUT's ETag is the quoted MD5 of the body.
    store.update(record, {"status": "ready", "etag": f'"{hashlib.md5(PHOTO).hexdigest()}"'})


@pytest.mark.parametrize(
    ("meanwhile", "status", "record_status"),
    [
        (renamed, "ready", "ready"),  # a PATCH moves the version only: write again on the new one
        (deleted, "orphan-deleted", None),  # nothing made from the bytes may stay
        (settled_elsewhere, "skipped", "ready"),  # another delivery settled these bytes
    ],
)
def test_a_write_racing_the_settlement(bucket_s3, keys, meanwhile, status, record_status):
    # given
    store = RacingStore(meanwhile)
    request = UploadRequest(name="photo.jpg", type="image", format="jpg", size=len(PHOTO))
    item = assets.create_pending(OWNER, request, SETTINGS, store=store)
    bucket_s3.put_object(Bucket=BUCKET, Key=storage.upload_key(item.id), Body=PHOTO)

    # when
    outcome = settle(item, bucket_s3, store)

    # then
    record = store.get(item.id)
    assert outcome.status == status
    assert (record.status if record else None) == record_status
    if meanwhile is renamed:
        assert record.name == "renamed meanwhile"
    if meanwhile is deleted:
        assert keys() == set()


def test_the_last_attempt_marks_the_record_failed_before_raising(posted, bucket_s3, store):
    # given: an S3 that cannot be read
    item = posted()

    class Unreadable:
        def __getattr__(self, name):
            return getattr(bucket_s3, name)

        def head_object(self, **_: object):
            raise ConnectionError("S3 is unreachable")

    # when
    with pytest.raises(ConnectionError):
        pipeline.process_message(
            [storage.upload_key(item.id)], SETTINGS, last_attempt=True, s3=Unreadable(), store=store
        )

    # then
    record = store.get(item.id)
    assert record.status == "failed"
    assert record.status_reason == "Processing failed after repeated attempts: S3 is unreachable"


def test_an_earlier_attempt_leaves_the_record_pending_for_the_retry(posted, bucket_s3, store):
    # given
    item = posted()

    class Unreadable:
        def __getattr__(self, name):
            return getattr(bucket_s3, name)

        def head_object(self, **_: object):
            raise ConnectionError("S3 is unreachable")

    # when
    with pytest.raises(ConnectionError):
        pipeline.process_message([storage.upload_key(item.id)], SETTINGS, s3=Unreadable(), store=store)

    # then
    assert store.get(item.id).status == "pending"


def test_marking_failed_leaves_a_settled_record_as_it_is(posted, bucket_s3, store):
    # given
    item = posted()
    settle(item, bucket_s3, store)

    # when
    pipeline.mark_failed(item.id, "too late", SETTINGS, bucket_s3, store=store)

    # then
    assert store.get(item.id).status == "ready"


def test_a_png_declared_as_png_is_ready(posted, bucket_s3, store):
    # given
    item = posted(encode(picture(20, 10), "PNG"), asset_format="png")

    # when
    outcome = settle(item, bucket_s3, store)

    # then
    assert outcome.status == "ready"
    assert (store.get(item.id).width, store.get(item.id).height) == (20, 10)


def test_ready_bytes_are_described_by_their_sha256_and_placeholder_and_refused_ones_by_neither(
    posted, bucket_s3, store
):
    # given
    ready, refused = posted(), posted(NOT_AN_IMAGE)

    # when
    settle(ready, bucket_s3, store)
    settle(refused, bucket_s3, store)

    # then
    assert store.get(ready.id).sha256 == hashlib.sha256(PHOTO).hexdigest()
    assert store.get(ready.id).placeholder
    assert (store.get(refused.id).sha256, store.get(refused.id).placeholder) == (None, None)


def test_new_bytes_settled_for_an_asset_forget_the_renditions_of_the_old_ones(posted, bucket_s3, store, keys):
    # given: a ready asset with a rendition made from its bytes, then other bytes posted to it
    item = posted()
    settle(item, bucket_s3, store)
    rendition = f"renditions/{item.id}/320x-inside-p1.webp"
    bucket_s3.put_object(Bucket=BUCKET, Key=rendition, Body=b"RIFF")
    record = store.get(item.id)
    store.update(
        record, {"renditions": {"320x-inside-p1.webp": {"key": rendition, "width": 64, "height": 48}}}
    )
    other = jpeg(48, 64)
    store.update(store.get(item.id), {"size": len(other)})
    bucket_s3.put_object(Bucket=BUCKET, Key=storage.upload_key(item.id), Body=other)

    # when
    outcome = settle(item, bucket_s3, store)

    # then
    assert outcome.status == "ready"
    assert (store.get(item.id).width, store.get(item.id).renditions) == (48, None)
    assert keys() == {storage.file_key(item.id), storage.thumbnail_key(item.id)}
