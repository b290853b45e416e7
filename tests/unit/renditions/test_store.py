"""ensure_rendition and forget_renditions on a MemoryAssetStore and moto's S3: made once, recorded on
the version read, never recorded from bytes replaced meanwhile, bounded, and forgotten whole."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from functions.core.errors import Conflict
from functions.core.memory_store import MemoryAssetStore
from functions.core.settings import Settings
from functions.renditions import (
    RenditionSpec,
    RenditionUnavailable,
    ensure_rendition,
    forget_renditions,
    rendering,
    rendition_keys,
)
from functions.renditions import store as rendition_store
from functions.renditions.spec import content_version
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
    assert objects(s3) == [f"renditions/{photo.id}/{content_version(photo.etag)}/{name}" for name in kept]


def test_forget_removes_the_old_bytes_renditions_and_keeps_the_new_ones(s3, store, photo):
    # given: two renditions of the old bytes, one stored but never recorded (a request that died in
    # between) and one from before keys had versions; then new bytes settle, and a rendition of
    # them is made before the processor forgets the old ones
    for width in (160, 320):
        ensure_rendition(store.get(photo.id), spec(width), SETTINGS, s3=s3, store=store)
    old_version = content_version(photo.etag)
    for key in (f"renditions/{photo.id}/{old_version}/640x-inside-p1.png", f"renditions/{photo.id}/640x.png"):
        s3.put_object(Bucket=SETTINGS.bucket_name, Key=key, Body=b"x")
    stale = store.get(photo.id)
    settle_new_bytes(s3, store, photo.id, generate.jpeg(600, 800))
    new = ensure_rendition(store.get(photo.id), spec(320), SETTINGS, s3=s3, store=store)

    # when
    forget_renditions(stale, SETTINGS, s3, store=store)

    # then
    assert objects(s3) == [new.key]
    assert new.key.startswith(f"renditions/{photo.id}/{content_version(store.get(photo.id).etag)}/")
    assert rendition_keys(store.get(photo.id)) == [new.key]
    assert (new.width, new.height) == (320, 427)


def test_a_render_of_replaced_bytes_finishing_late_leaves_the_new_rendition_alone(s3, store, photo):
    # given: request A renders from the old bytes; while it stores its result, new bytes settle, the
    # old renditions are forgotten and request B makes the same spec from the new bytes
    other_s3 = boto3.client("s3", region_name="us-east-1")
    made_by_b = {}

    def meanwhile(params, **_) -> None:
        if params["Key"].startswith("renditions/") and not made_by_b:
            settle_new_bytes(other_s3, store, photo.id, generate.jpeg(600, 800))
            forget_renditions(store.get(photo.id), SETTINGS, other_s3, store=store)
            made_by_b["b"] = ensure_rendition(
                store.get(photo.id), spec(320), SETTINGS, s3=other_s3, store=store
            )

    s3.meta.events.register("before-parameter-build.s3.PutObject", meanwhile)

    # when
    with pytest.raises(Conflict, match="changed while its rendition was made"):
        ensure_rendition(store.get(photo.id), spec(320), SETTINGS, s3=s3, store=store)

    # then: B's record points at B's object, which is still there; A's object went
    b = made_by_b["b"]
    assert rendition_keys(store.get(photo.id)) == [b.key] and objects(s3) == [b.key]
    assert (b.width, b.height) == (320, 427)


def settle_new_bytes(s3, store, asset_id: str, data: bytes) -> None:
    """What the processor leaves when new bytes settle: the checked copy replaced, the record's ETag."""
    item = store.get(asset_id)
    etag = s3.put_object(Bucket=SETTINGS.bucket_name, Key=item.object_key, Body=data)["ETag"]
    store.update(item, {"etag": etag, "width": 600, "height": 800, "size": len(data)})


def test_forget_with_nothing_made_writes_nothing(s3, store, photo):
    # given
    version = store.get(photo.id).version

    # when
    forget_renditions(store.get(photo.id), SETTINGS, s3, store=store)

    # then
    assert store.get(photo.id).version == version


def test_a_request_for_a_spec_being_rendered_waits_for_it_instead_of_rendering_again(s3, store, photo):
    # given: while request A renders (between its lease and its read of the source), B asks the same
    answers, puts = {}, []
    s3.meta.events.register(
        "before-parameter-build.s3.PutObject", lambda params, **_: puts.append(params["Key"])
    )

    def b_asks(**_) -> None:
        if "b" not in answers:
            answers["b"] = None
            asking = threading.Thread(target=lambda: answers.update(b=ask()))
            asking.start()
            answers["thread"] = asking

    def ask():
        return ensure_rendition(store.get(photo.id), spec(320), SETTINGS, s3=s3, store=store)

    s3.meta.events.register("before-call.s3.HeadObject", b_asks)

    # when
    a = ask()
    answers["thread"].join()

    # then: one render, one object, the same answer
    assert answers["b"] == a
    assert puts == [a.key]


def test_a_spec_still_being_rendered_at_the_end_of_the_wait_is_a_503_with_retry_after(
    s3, store, photo, monkeypatch
):
    # given: another request's lease, still valid
    monkeypatch.setattr(rendering, "WAIT_SECONDS", 0.0)
    lease = {"version": content_version(photo.etag), "lease": "other", "until": int(time.time()) + 30}
    store.update(store.get(photo.id), {"renditions": {spec(320).name: lease}})

    # when
    with pytest.raises(RenditionUnavailable, match="being made by another request") as raised:
        ensure_rendition(store.get(photo.id), spec(320), SETTINGS, s3=s3, store=store)

    # then
    assert raised.value.retry_after is not None and raised.value.retry_after > 0
    assert objects(s3) == []


def test_an_expired_lease_is_taken_over(s3, store, photo):
    # given: a lease whose request died
    lease = {"version": content_version(photo.etag), "lease": "gone", "until": int(time.time()) - 1}
    store.update(store.get(photo.id), {"renditions": {spec(320).name: lease}})

    # when
    made = ensure_rendition(store.get(photo.id), spec(320), SETTINGS, s3=s3, store=store)

    # then
    assert objects(s3) == [made.key]
    assert rendition_keys(store.get(photo.id)) == [made.key]


def test_a_failure_of_the_moment_leaves_no_lease_behind(s3, store, photo):
    # given: a request with no time left
    # when
    with pytest.raises(RenditionUnavailable, match="within this request's time"):
        ensure_rendition(
            store.get(photo.id), spec(320), SETTINGS, s3=s3, store=store, deadline=time.monotonic()
        )

    # then: the next request renders at once
    assert store.get(photo.id).renditions is None
    assert ensure_rendition(store.get(photo.id), spec(320), SETTINGS, s3=s3, store=store).width == 320
