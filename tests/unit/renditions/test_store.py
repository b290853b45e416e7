"""ensure_rendition and forget_renditions on a MemoryAssetStore and moto's S3: made once, recorded on
the version read, never recorded from bytes replaced meanwhile, bounded, and forgotten whole."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from functions.core.errors import Conflict
from functions.core.memory_store import MemoryAssetStore
from functions.core.settings import Settings
from functions.renditions import RenditionSpec, ensure_rendition, forget_renditions, rendition_keys
from functions.renditions import store as rendition_store
from tests.media import generate

SETTINGS = Settings(bucket_name="renditions-test")


@pytest.fixture
def s3() -> Iterator:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=SETTINGS.bucket_name)
        yield client


@pytest.fixture
def store() -> MemoryAssetStore:
    return MemoryAssetStore()


@pytest.fixture
def photo(s3, store, ready_asset):
    """A ready 800×600 JPEG asset whose checked copy is in S3, its record in the store."""
    data = generate.jpeg(800, 600)
    item = ready_asset(format="jpg", size=len(data), object_key="files/0f8fad5b-d9cb-469f-a165-70867728950e")
    item.etag = s3.put_object(Bucket=SETTINGS.bucket_name, Key=item.object_key, Body=data)["ETag"]
    store.create(item)
    return item


def spec(width: int, format: str = "webp") -> RenditionSpec:
    return RenditionSpec.parse(width, None, None, format, None, None)


def objects(s3) -> list[str]:
    found = s3.list_objects_v2(Bucket=SETTINGS.bucket_name, Prefix="renditions/")
    return sorted(entry["Key"] for entry in found.get("Contents", []))


def test_made_once_then_read_from_the_record(s3, store, photo):
    # given
    made = ensure_rendition(photo, spec(320), SETTINGS, s3=s3, store=store)

    # when: the record read again; S3 now unreachable, so any call would fail
    again = ensure_rendition(store.get(photo.id), spec(320), SETTINGS, s3=object(), store=store)

    # then
    assert again == made
    assert (made.width, made.height, made.format, made.content_type) == (320, 240, "webp", "image/webp")
    recorded = store.get(photo.id).renditions.as_dict()["320x-inside-p1.webp"]
    assert (
        recorded["key"] == made.key
        and recorded["bytes"] == s3.head_object(Bucket=SETTINGS.bucket_name, Key=made.key)["ContentLength"]
    )


def test_a_rendition_of_bytes_replaced_meanwhile_is_not_recorded_and_its_object_goes(s3, store, photo):
    # given: the record as read before new bytes settled (another ETag, a newer version)
    read_before = store.get(photo.id)
    store.update(photo, {"etag": '"new-bytes"'})

    # when
    with pytest.raises(Conflict, match="changed while its rendition was made"):
        ensure_rendition(read_before, spec(320), SETTINGS, s3=s3, store=store)

    # then
    assert objects(s3) == []
    assert store.get(photo.id).renditions is None


def test_a_concurrent_write_of_the_same_bytes_is_merged(s3, store, photo):
    # given: a PATCH and another rendition recorded since this record was read
    read_before = store.get(photo.id)
    ensure_rendition(store.get(photo.id), spec(160), SETTINGS, s3=s3, store=store)

    # when
    ensure_rendition(read_before, spec(320), SETTINGS, s3=s3, store=store)

    # then
    assert set(store.get(photo.id).renditions.as_dict()) == {"160x-inside-p1.webp", "320x-inside-p1.webp"}


def test_at_most_max_recorded_the_first_by_name_making_room(s3, store, photo, monkeypatch):
    # given
    monkeypatch.setattr(rendition_store, "MAX_RECORDED", 2)
    for width in (160, 320):
        ensure_rendition(store.get(photo.id), spec(width), SETTINGS, s3=s3, store=store)

    # when
    ensure_rendition(store.get(photo.id), spec(640), SETTINGS, s3=s3, store=store)

    # then: "160x…" sorts first and went, object included
    kept = sorted(store.get(photo.id).renditions.as_dict())
    assert kept == ["320x-inside-p1.webp", "640x-inside-p1.webp"]
    assert objects(s3) == [f"renditions/{photo.id}/{name}" for name in kept]


def test_forget_clears_the_record_and_deletes_recorded_and_unrecorded_objects(s3, store, photo):
    # given: two recorded, one stored but never recorded (a request that died in between)
    for width in (160, 320):
        ensure_rendition(store.get(photo.id), spec(width), SETTINGS, s3=s3, store=store)
    s3.put_object(Bucket=SETTINGS.bucket_name, Key=f"renditions/{photo.id}/640x-inside-p1.png", Body=b"x")
    stale = photo  # read before the renditions were recorded: the version moved since

    # when
    forget_renditions(stale, SETTINGS, s3, store=store)

    # then
    assert objects(s3) == []
    assert store.get(photo.id).renditions is None
    assert rendition_keys(store.get(photo.id)) == []


def test_forget_with_nothing_made_writes_nothing(s3, store, photo):
    # given
    version = store.get(photo.id).version

    # when
    forget_renditions(store.get(photo.id), SETTINGS, s3, store=store)

    # then
    assert store.get(photo.id).version == version
