"""One pass of the sweep on moto: what is past its deadline is settled or removed, nothing else."""

from __future__ import annotations

import pytest

from functions.core import storage
from functions.core.models import AssetModel
from functions.core.settings import get_settings
from functions.core.store import default_store
from functions.sweep.recovery import sweep
from functions.sweep.scope import Scope
from tests.integration.sweep.conftest import EXPIRED, STALE, later

STRAY_ID = "2c9d0e4a-1b3f-4a5c-8d7e-9f0a1b2c3d4e"


def status(asset_id: str) -> str | None:
    try:
        return AssetModel.get(asset_id, consistent_read=True).status
    except AssetModel.DoesNotExist:
        return None


@pytest.mark.parametrize(("sample", "asset_format", "expected"), [("photo.jpg", "jpg", "ready"),
                                                                   ("text.png", "png", "rejected")])
def test_a_stale_pending_upload_is_settled_from_its_bytes(posted, sample, asset_format, expected):
    # given: bytes posted, and no event ever settled them
    asset_id = posted(sample, asset_format)

    # when: as of just after the queue would have given up on its message
    report = sweep(get_settings(), scope=Scope.UPLOADS, now=later(STALE))

    # then
    assert status(asset_id) == expected
    assert report.settled == {asset_id: expected}
    assert not report.out_of_time


def test_a_rejected_uploads_bytes_go(posted, keys):
    # given
    asset_id = posted("text.png", "png")

    # when
    sweep(get_settings(), scope=Scope.UPLOADS, now=later(STALE))

    # then
    assert storage.upload_key(asset_id) not in keys()


def test_an_upload_within_its_allowance_is_left_to_the_queue(posted, keys):
    # given: bytes just posted, their record past its TTL even (as when the TTL is short)
    asset_id = posted("photo.jpg", "jpg")
    item = AssetModel.get(asset_id)
    item.expires_at = later(-1)
    item.save()

    # when
    report = sweep(get_settings(), now=later(1))

    # then
    assert status(asset_id) == "pending"
    assert storage.upload_key(asset_id) in keys()
    assert report.settled == {} and report.expired_records == []


def test_when_settling_raises_the_record_is_marked_failed_with_the_reason(posted):
    # given
    asset_id = posted("photo.jpg", "jpg")

    def broken(key: str, settings: object, s3: object) -> None:
        raise TimeoutError("inspection worker did not answer")

    # when
    report = sweep(get_settings(), scope=Scope.UPLOADS, now=later(STALE), settle=broken)

    # then
    item = AssetModel.get(asset_id, consistent_read=True)
    assert item.status == "failed"
    assert item.status_reason == (
        "Processing did not finish, and retrying it failed: inspection worker did not answer"
    )
    assert item.expires_at is None
    assert report.errors == {asset_id: "inspection worker did not answer"}


def test_a_pending_record_without_bytes_past_its_ttl_is_removed(upload):
    # given: one upload whose bytes never came, past its TTL as of the pass, and one started later
    never = upload()["id"]

    # when
    report = sweep(get_settings(), now=later(EXPIRED))

    # then
    assert status(never) is None
    assert report.expired_records == [never]


def test_a_pending_record_within_its_ttl_is_untouched(upload):
    # given
    waiting = upload()["id"]

    # when
    report = sweep(get_settings(), now=later(STALE))

    # then
    assert status(waiting) == "pending"
    assert report.expired_records == []


def test_the_uploads_scope_leaves_records_to_the_full_pass(upload):
    # given
    never = upload()["id"]

    # when
    sweep(get_settings(), scope=Scope.UPLOADS, now=later(EXPIRED))

    # then
    assert status(never) == "pending"


def test_a_record_that_settles_meanwhile_is_kept(upload):
    # given: the processor settles the record between the sweep's Scan and its delete
    asset_id = upload()["id"]

    class SettlingFirst:
        def __init__(self, store):
            self.store = store

        def __getattr__(self, name):
            return getattr(self.store, name)

        def delete_expired(self, expired_id, now):
            item = AssetModel.get(asset_id)
            item.status, item.expires_at = "ready", None
            item.save()
            return self.store.delete_expired(expired_id, now)

    # when
    report = sweep(get_settings(), now=later(EXPIRED), store=SettlingFirst(default_store()))

    # then
    assert status(asset_id) == "ready"
    assert report.expired_records == []


def test_stray_objects_are_deleted_and_named_ones_kept(served, s3, bucket, keys):
    # given: a ready asset, and objects no record names (one under no asset id at all)
    kept = served()
    strays = {
        storage.upload_key(STRAY_ID),
        storage.file_key(STRAY_ID),
        storage.thumbnail_key(STRAY_ID),
        "uploads/not-an-asset",
        "files/not-an-asset",
        f"{storage.file_key(STRAY_ID)}.old",
    }
    for key in strays:
        s3.put_object(Bucket=bucket, Key=key, Body=b"stray")

    # when
    sweep(get_settings(), now=later(STALE))

    # then
    assert keys() == {storage.file_key(kept), storage.thumbnail_key(kept)}
    assert status(kept) == "ready"


def test_young_objects_are_kept_even_when_no_record_names_them(s3, bucket, keys):
    # given: objects whose records may still be on their way
    young = {storage.upload_key(STRAY_ID), storage.file_key(STRAY_ID), storage.thumbnail_key(STRAY_ID)}
    for key in young:
        s3.put_object(Bucket=bucket, Key=key, Body=b"young")

    # when
    report = sweep(get_settings(), now=later(1))

    # then
    assert keys() == young
    assert report.deleted_objects == []


def test_a_pass_out_of_time_stops_and_leaves_the_rest_for_the_next(posted):
    # given
    asset_id = posted("photo.jpg", "jpg")

    # when
    report = sweep(get_settings(), now=later(EXPIRED), time_left=lambda: 1.0)

    # then
    assert report.out_of_time
    assert status(asset_id) == "pending"
    assert report.settled == {}
