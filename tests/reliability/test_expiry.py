"""Pending uploads that never arrive expire: the TTL attribute is set when an upload starts (within
the configured window) and removed when it settles. The sweep (functions/sweep/recovery.py: a
scheduled function in AWS, infra/local/sweep.py on `make dev`, where moto never expires anything)
settles uploads the queue gave up on, removes expired records whose bytes never came, and cleans
stray objects. The CDK side (TTL enabled on the same attribute, the lifecycle rule on uploads/, the
schedules) is asserted by tests/infra/test_storage.py and tests/infra/test_sweep.py."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from functions.core import topology
from tests.reliability.conftest import World

pytestmark = pytest.mark.xdist_group("reliability-expiry")
TTL = topology.PENDING_TTL_SECONDS


@pytest.fixture
def world(aws, s3, bucket) -> World:
    return World(s3=s3, bucket=bucket)


@pytest.fixture
def raw_item(aws):
    """The item as DynamoDB stores it (TTL needs a Number of epoch seconds)."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    return lambda asset_id: client.get_item(TableName=topology.ASSETS_TABLE.name, Key={"id": {"S": asset_id}})["Item"]


def test_a_pending_upload_carries_its_ttl_within_the_window(ledger, upload, raw_item):
    # given
    before = time.time()

    # when
    asset = upload()

    # then
    item = raw_item(asset["id"])
    attribute = item.get(topology.ASSETS_TABLE.ttl_attribute, {})
    problems = [] if "N" in attribute else [f"TTL attribute missing or not a number: {attribute}"]
    expires = float(attribute.get("N", 0))
    if not before + TTL - 1 <= expires <= time.time() + TTL + 1:
        problems.append(f"expires at {expires}, not {TTL} s after the upload started")
    ledger("expiry").record("ttl/set-on-pending", passed=not problems, window_seconds=TTL,
                            problems="; ".join(problems))
    assert not problems, problems


@pytest.mark.parametrize(("sample", "fmt", "status"), [("photo.jpg", "jpg", "ready"), ("text.png", "png", "rejected"),
                                                       ("truncated.jpg", "jpg", "failed")])
def test_a_settled_upload_loses_its_ttl(ledger, world, upload, deliver, raw_item, corpus, sample, fmt, status):
    # given
    data = corpus[sample].read_bytes()
    asset = upload(name=sample, format=fmt, size=len(data))
    world.s3.put_object(Bucket=world.bucket, Key=f"uploads/{asset['id']}", Body=data)

    # when
    deliver(f"uploads/{asset['id']}")

    # then
    item = raw_item(asset["id"])
    problems = [] if item["status"]["S"] == status else [f"ended {item['status']['S']}"]
    problems += [f"still expires: {item[topology.ASSETS_TABLE.ttl_attribute]}"] if (
        topology.ASSETS_TABLE.ttl_attribute in item) else []
    ledger("expiry").record(f"ttl/removed-when-{status}", passed=not problems, problems="; ".join(problems))
    assert not problems, problems


def test_the_last_attempt_marking_an_upload_failed_removes_its_ttl(ledger, upload, raw_item):
    # given
    from functions.core.settings import get_settings
    from functions.processor.pipeline import mark_failed

    asset = upload()

    # when
    mark_failed(asset["id"], "Processing failed after repeated attempts: test", get_settings())

    # then
    item = raw_item(asset["id"])
    problems = [] if topology.ASSETS_TABLE.ttl_attribute not in item else ["a failed upload still expires"]
    ledger("expiry").record("ttl/removed-when-marked-failed", passed=not problems, problems="; ".join(problems))
    assert not problems, problems


def test_a_link_asset_never_expires(ledger, world, raw_item):
    # when
    link = world.api("POST", "/api/v2/assets", body={"name": "l", "url": "https://example.com"}).json()

    # then
    problems = [] if topology.ASSETS_TABLE.ttl_attribute not in raw_item(link["id"]) else ["a link expires"]
    ledger("expiry").record("ttl/none-on-links", passed=not problems, problems="; ".join(problems))
    assert not problems, problems


def test_the_sweep_settles_stuck_uploads_and_removes_expired_records_and_strays_only(
    ledger, world, upload, make_ready
):
    # given: an upload whose bytes came but never settled, one whose bytes never came (past its TTL),
    # a fresh pending upload, a ready asset, and stray objects no record names
    from functions.core.models import AssetModel
    from functions.core.settings import get_settings
    from functions.sweep.recovery import SETTLE_ALLOWANCE, sweep

    stuck, never, fresh, ready = (upload()["id"] for _ in range(4))
    make_ready(ready)
    kept = set(world.object_keys())
    world.s3.put_object(Bucket=world.bucket, Key=f"uploads/{stuck}", Body=b"never settled")
    strays = ["uploads/2c9d0e4a-1b3f-4a5c-8d7e-9f0a1b2c3d4e", "thumbnails/3c9d0e4a-1b3f-4a5c-8d7e-9f0a1b2c3d4e.jpg",
              "files/3c9d0e4a-1b3f-4a5c-8d7e-9f0a1b2c3d4e", "uploads/not-an-asset"]
    for key in strays:
        world.s3.put_object(Bucket=world.bucket, Key=key, Body=b"stray")
    item = AssetModel.get(never)
    item.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    item.save()

    # when: just after the queue would have given up on the stuck upload's message, then an hour later
    report = sweep(get_settings(), now=datetime.now(UTC) + SETTLE_ALLOWANCE + timedelta(seconds=5))
    again = sweep(get_settings(), now=datetime.now(UTC) + timedelta(hours=1))

    # then
    statuses = {item.id: item.status for item in AssetModel.scan()}
    keys = set(world.object_keys())
    problems = []
    if statuses != {stuck: "rejected", fresh: "pending", ready: "ready"}:
        problems.append(f"records left: {statuses}")
    if keys != kept:
        problems.append(f"objects left: {sorted(keys)}, not {sorted(kept)}")
    if report.expired_records != [never] or report.settled.get(stuck) != "rejected":
        problems.append(f"reported {report}")
    if again.expired_records or again.deleted_objects:
        problems.append(f"a second sweep still found {again}")
    ledger("expiry").record("sweep/in-process", passed=not problems, expired=len(report.expired_records),
                            deleted_objects=len(report.deleted_objects), problems="; ".join(problems))
    assert not problems, problems


def test_the_sweep_keeps_an_upload_that_settles_meanwhile(ledger, world, upload):
    """The record is deleted on the condition that it is still pending and expired, before its objects."""
    from functions.core.models import AssetModel
    from functions.core.settings import get_settings
    from functions.core.store import default_store
    from functions.sweep.recovery import sweep

    asset_id = upload()["id"]
    item = AssetModel.get(asset_id)
    item.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    item.save()

    class SettledBeforeTheDelete:
        """The asset store as the sweep sees it, with the processor settling the record between the
        sweep's Scan and its delete."""

        def __init__(self, store: object) -> None:
            self.store = store

        def __getattr__(self, name: str) -> object:
            return getattr(self.store, name)

        def delete_expired(self, expired_id: str, now: datetime) -> bool:
            settled = AssetModel.get(asset_id)
            settled.status, settled.expires_at = "ready", None
            settled.save()
            return self.store.delete_expired(expired_id, now)

    # when
    report = sweep(get_settings(), now=datetime.now(UTC) + timedelta(seconds=1),
                   store=SettledBeforeTheDelete(default_store()))

    # then
    problems = [] if not report.expired_records else [f"swept {report.expired_records}"]
    problems += [] if AssetModel.get(asset_id).status == "ready" else ["the record went"]
    ledger("expiry").record("sweep/settled-meanwhile-kept", passed=not problems, problems="; ".join(problems))
    assert not problems, problems


@pytest.mark.e2e
@pytest.mark.xdist_group("local_stack")
def test_the_sweep_expires_pending_uploads_on_the_local_stack(ledger, stack, stack_client, stack_s3):
    # given: alice starts an upload and never sends the bytes; a stray thumbnail; a ready upload
    from functions.core import storage
    from tests.media.samples import corpus_sample

    alice = stack_client("expiry-alice")
    started = alice.api("POST", "/api/v2/uploads", json={"name": "never.png", "type": "image", "format": "png",
                                                         "size": 10}).json()["asset"]
    ready = alice.upload(corpus_sample("photo.jpg"))
    settled = alice.wait_until_settled(ready["id"], 60)
    stray = "thumbnails/4c9d0e4a-1b3f-4a5c-8d7e-9f0a1b2c3d4e.jpg"
    stack_s3.put_object(Bucket=stack.state["bucket"], Key=stray, Body=b"stray")

    # when: the sweep, as if the TTL window had passed
    as_of = (datetime.now(UTC) + timedelta(seconds=TTL + 60)).isoformat()
    run = subprocess.run(
        [sys.executable, "-m", "infra.local.sweep", "--state-file", str(stack.state_file), "--as-of", as_of],
        capture_output=True, text=True, timeout=60, check=False,
    )

    # then
    problems = [] if run.returncode == 0 else [f"sweep exited {run.returncode}: {run.stderr[-300:]}"]
    gone = alice.record(started["id"])
    kept = alice.record(ready["id"])
    keys = [item["Key"] for item in stack_s3.list_objects_v2(Bucket=stack.state["bucket"]).get("Contents", [])]
    problems += [] if gone.status_code == 404 else [f"the expired upload answered {gone.status_code}"]
    problems += [] if kept.status_code == 200 and kept.json()["status"] == settled["status"] else ["a ready upload went"]
    problems += [f"the stray is still there: {stray}"] if stray in keys else []
    served = {storage.upload_key(ready["id"]), storage.file_key(ready["id"])}  # before and after the quarantine
    problems += [] if served & set(keys) else ["the ready upload's bytes went"]
    ledger("expiry").record("sweep/local-stack", passed=not problems, output=run.stderr.strip()[-200:],
                            problems="; ".join(problems))
    assert not problems, problems
