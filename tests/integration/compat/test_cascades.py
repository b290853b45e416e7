"""Cascade deletes (seed 002, "Cascading Deletes"): DELETE /api/v2/clients/{id} and /campaigns/{id}."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from uuid import uuid4

import pytest
from botocore.exceptions import ClientError

from functions.core import storage

# 1,000 assets of a client, as its files would be: mostly images, some videos, audio, PDFs and links.
TYPE_CYCLE = ["image", "image", "image", "image", "video", "video", "audio", "audio", "document", "link"]
THUMBNAILED = {"image", "video", "document"}


@pytest.fixture
def make_assets(aws, s3, bucket) -> Callable[..., list[str]]:
    """Records written straight to the table (batch writes) with their objects and thumbnails in S3:
    the state the API and processor leave, made fast enough for thousands."""
    from functions.core.models import AssetModel, now

    def make(count: int, owner: str = "user-a", status: str = "ready", **links: str) -> list[str]:
        ids = []
        with AssetModel.batch_write() as batch:
            for number in range(count):
                asset_type = TYPE_CYCLE[number % len(TYPE_CYCLE)]
                moment = now()
                item = AssetModel(
                    str(uuid4()),
                    owner=owner,
                    asset_type=asset_type,
                    status=status,
                    name=f"{asset_type}-{number}",
                    uploaded_at=moment,
                    created_at=moment,
                    updated_at=moment,
                    **links,
                )
                if asset_type == "link":
                    item.url = "https://example.com/"
                else:
                    item.object_key = storage.upload_key(item.id)
                    s3.put_object(Bucket=bucket, Key=item.object_key, Body=b"x")
                if asset_type in THUMBNAILED and status == "ready":
                    item.thumbnail_key = storage.thumbnail_key(item.id)
                    s3.put_object(Bucket=bucket, Key=item.thumbnail_key, Body=b"t")
                item.refresh_index_keys()  # what save() does; batch writes don't call it
                batch.save(item)
                ids.append(item.id)
        return ids

    return make


def remaining(ids: list[str]) -> set[str]:
    from functions.core.models import AssetModel

    return {item.id for item in AssetModel.batch_get(ids)}


def objects_of(s3, bucket: str, ids: list[str]) -> set[str]:
    wanted = set(ids)
    keys = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            asset_id = entry["Key"].split("/", 1)[1].removesuffix(".jpg")
            if asset_id in wanted:
                keys.add(entry["Key"])
    return keys


def test_deleting_a_client_deletes_the_callers_linked_assets_objects_and_thumbnails(
    call, make_assets, s3, bucket
):
    # given
    linked = make_assets(12, client_id="c-1")
    with_campaign = make_assets(3, client_id="c-1", campaign_id="k-1")
    other_client = make_assets(5, client_id="c-2")
    campaign_only = make_assets(4, campaign_id="k-1")
    someone_elses = make_assets(6, owner="user-b", client_id="c-1")
    kept = other_client + campaign_only + someone_elses
    kept_objects = objects_of(s3, bucket, kept)

    # when
    response = call("DELETE", "/api/v2/clients/c-1")

    # then
    assert response.status == 200
    assert response.json() == {
        "success": True,
        "deleted": 15,
        "message": "Deleted 15 assets linked to client c-1",
    }
    assert remaining(linked + with_campaign) == set()
    assert objects_of(s3, bucket, linked + with_campaign) == set()
    assert remaining(kept) == set(kept)
    assert objects_of(s3, bucket, kept) == kept_objects


def test_deleting_a_campaign_deletes_its_assets_and_a_second_call_deletes_none(call, make_assets):
    # given
    linked = make_assets(7, campaign_id="k-1") + make_assets(2, client_id="c-1", campaign_id="k-1")
    kept = make_assets(3, client_id="c-1") + make_assets(2, owner="user-b", campaign_id="k-1")

    # when
    first = call("DELETE", "/api/v2/campaigns/k-1")
    second = call("DELETE", "/api/v2/campaigns/k-1")

    # then
    assert first.json() == {
        "success": True,
        "deleted": 9,
        "message": "Deleted 9 assets linked to campaign k-1",
    }
    assert second.status == 200
    assert second.json() == {
        "success": True,
        "deleted": 0,
        "message": "Deleted 0 assets linked to campaign k-1",
    }
    assert remaining(linked) == set()
    assert remaining(kept) == set(kept)


def test_a_thousand_assets_go_in_one_call_in_a_few_batched_requests(
    call, make_assets, aws_calls, s3, bucket, record_property
):
    # given: 1,000 assets of client c-1, 300 of client c-2, and another user's 50 of c-1
    linked = make_assets(1000, client_id="c-1")
    other_client = make_assets(300, client_id="c-2")
    someone_elses = make_assets(50, owner="user-b", client_id="c-1")
    kept_objects = objects_of(s3, bucket, other_client + someone_elses)
    # per 10 assets: 9 files (a link has none) and 7 thumbnails (audio and links have none)
    assert len(kept_objects) == 270 + 210 + 45 + 35
    aws_calls.dynamodb.clear()
    aws_calls.s3.clear()

    # when
    started = time.perf_counter()
    response = call("DELETE", "/api/v2/clients/c-1")
    seconds = time.perf_counter() - started
    calls = aws_calls.count()

    # then
    assert response.status == 200
    assert response.json()["deleted"] == 1000
    assert remaining(linked) == set()
    assert objects_of(s3, bucket, linked) == set()
    assert remaining(other_client + someone_elses) == set(other_client + someone_elses)
    assert objects_of(s3, bucket, other_client + someone_elses) == kept_objects
    assert calls["BatchWriteItem"] <= 10 * math.ceil(1000 / 250)  # 25 deletes each
    assert calls["Query"] <= 3  # pages of 500, and the empty one that ends the query
    # Three keys an asset (its upload, its checked copy, its thumbnail), up to 1,000 a call, in chunks
    # of 500 assets: 1,500 keys a chunk.
    assert calls["s3:DeleteObjects"] <= 4
    assert set(calls) == {"Query", "BatchWriteItem", "s3:DeleteObjects"}  # no Scan, no per-item call
    # Recorded, not asserted (moto in-process; the figure in docs/api.md comes from here).
    figure = f"cascade of 1000 assets: {seconds:.2f} s, {dict(calls)}"
    record_property("cascade_1000", figure)
    print(figure)


def test_a_rerun_after_a_failure_midway_finishes_the_job(call, make_assets, monkeypatch, s3, bucket):
    # given: 1,000 linked assets, and DynamoDB failing the 25th batch write (the 2nd chunk's 5th) once
    from pynamodb.connection.base import Connection

    linked = make_assets(1000, client_id="c-1")
    kept = make_assets(100, client_id="c-2")
    dispatch = Connection.dispatch
    batch_writes = []

    def flaky(self: Connection, operation_name: str, operation_kwargs: dict) -> dict:
        if operation_name == "BatchWriteItem":
            batch_writes.append(operation_name)
            if len(batch_writes) == 25:
                error = {"Error": {"Code": "InternalServerError", "Message": "injected"}}
                raise ClientError(error, operation_name)
        return dispatch(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", flaky)

    # when
    failed = call("DELETE", "/api/v2/clients/c-1")
    left_after_failure = remaining(linked)
    objects_after_failure = objects_of(s3, bucket, linked)
    rerun = call("DELETE", "/api/v2/clients/c-1")

    # then: the failure left records (whose objects were already gone, which is harmless), never
    # objects without a record; the re-run deleted exactly those records
    assert failed.status == 503
    assert len(left_after_failure) == 1000 - 24 * 25
    assert objects_after_failure == set()
    assert rerun.status == 200
    assert rerun.json()["deleted"] == len(left_after_failure)
    assert remaining(linked) == set()
    assert remaining(kept) == set(kept)


def test_a_thumbnail_written_by_the_processor_during_the_cascade_is_swept_too(call, make_assets, s3, bucket):
    # given: a pending upload whose processor writes the thumbnail just after the cascade's DeleteObjects
    from functions.core.settings import get_settings

    [asset_id] = make_assets(1, status="pending", client_id="c-1")
    events = storage.s3_client(get_settings()).meta.events
    written = []

    def processor_writes_thumbnail(**_: object) -> None:
        if not written:
            written.append(True)
            s3.put_object(Bucket=bucket, Key=storage.thumbnail_key(asset_id), Body=b"t")

    events.register("after-call.s3.DeleteObjects", processor_writes_thumbnail, unique_id="race")
    try:
        # when
        response = call("DELETE", "/api/v2/clients/c-1")
    finally:
        events.unregister("after-call.s3.DeleteObjects", unique_id="race")

    # then
    assert response.json()["deleted"] == 1
    assert written and objects_of(s3, bucket, [asset_id]) == set()


def test_the_late_notification_of_a_cascaded_upload_deletes_its_bytes(call, make_assets, s3, bucket):
    # given: a pending upload deleted by the cascade before its bytes arrived
    from functions.core.settings import get_settings
    from functions.processor.pipeline import process_upload

    [asset_id] = make_assets(1, status="pending", client_id="c-1")
    call("DELETE", "/api/v2/clients/c-1")
    s3.put_object(Bucket=bucket, Key=storage.upload_key(asset_id), Body=b"late bytes")

    # when
    outcome = process_upload(storage.upload_key(asset_id), get_settings())

    # then
    assert outcome.status == "orphan-deleted"
    assert objects_of(s3, bucket, [asset_id]) == set()


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/v2/clients/a%23b", 400), ("/api/v2/campaigns/" + "x" * 200, 400)],
)
def test_malformed_ids_are_400(call, path, status):
    # when
    response = call("DELETE", path)

    # then
    assert response.status == status


@pytest.mark.parametrize("path", ["/api/v2/clients/c-1", "/api/v2/campaigns/k-1"])
def test_without_identity_it_is_401(call, make_assets, path):
    # given
    ids = make_assets(2, client_id="c-1", campaign_id="k-1")

    # when
    response = call("DELETE", path, user=None)

    # then
    assert response.status == 401
    assert remaining(ids) == set(ids)
