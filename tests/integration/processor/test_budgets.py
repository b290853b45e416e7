"""Budgets and isolation through the processor handler: a costly file is rejected on its first attempt
without holding up the others in its batch; what cannot finish before the invocation ends is retried,
and on its last attempt marked failed; bytes are served only once checked (the quarantine)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from functions.core import topology
from functions.core.topology import InspectionBudget
from tests.integration.conftest import LambdaContext
from tests.integration.processor.conftest import sqs_event
from tests.media import bombs
from tests.media.generate import jpeg_of_length, jpeg_scans


@pytest.fixture(scope="module")
def costly_png() -> bytes:
    """Within every decoder limit, but seconds of CPU to decode: 100 MP of 16-bit RGBA."""
    return bombs.png_rgba16_zeros()


@pytest.fixture
def batch(aws) -> Callable[..., dict]:
    """Hand the processor one SQS batch with a message per key, with `remaining_seconds` of invocation."""
    from functions.processor.handler import lambda_handler

    def send(keys: list[str], receive_count: int = 1, remaining_seconds: float = 30.0) -> dict:
        records = []
        for number, key in enumerate(keys):
            record = sqs_event(key, receive_count)["Records"][0]
            record["messageId"] = f"message-{number}"
            records.append(record)
        context = LambdaContext()
        context.remaining_seconds = remaining_seconds
        return lambda_handler({"Records": records}, context)

    return send


@pytest.fixture
def posted(upload, s3, bucket) -> Callable[..., dict]:
    """A pending upload of `data`, declared as it is, with its bytes posted to its upload key."""

    def post(data: bytes, user: str = "user-a", declared_type: str = "image", declared_format: str = "jpg") -> dict:
        asset = upload(user=user, name=f"file.{declared_format}", type=declared_type, format=declared_format, size=len(data))
        s3.put_object(Bucket=bucket, Key=f"uploads/{asset['id']}", Body=data)
        return asset

    return post


def keys_of(s3, bucket: str, asset_id: str) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []) if asset_id in item["Key"]}


@pytest.mark.parametrize(
    ("bomb", "fmt", "reason"),
    [
        (lambda costly: jpeg_scans(10_000, 400), "jpg", "the JPEG has more than 100 scans"),
        (lambda costly: costly, "png", "more than 1 s of CPU"),
    ],
    ids=["decoder-limit", "os-cpu-limit"],
)
def test_a_bomb_is_rejected_on_its_first_attempt_and_another_users_upload_in_its_batch_is_ready(
    batch, posted, record, corpus, s3, bucket, monkeypatch, costly_png, bomb, fmt, reason
):
    # given: images get one second of CPU, a bomb from user-a and a photo from user-b in one batch
    monkeypatch.setitem(topology.INSPECTION_BUDGETS, "image", InspectionBudget(cpu_seconds=1, memory_mb=576, wall_seconds=15))
    attack = posted(bomb(costly_png), user="user-a", declared_format=fmt)
    innocent = posted(corpus["photo.jpg"].read_bytes(), user="user-b")

    # when
    result = batch([f"uploads/{attack['id']}", f"uploads/{innocent['id']}"])

    # then
    assert result == {"batchItemFailures": []}
    refused = record(attack["id"], user="user-a")
    assert refused["status"] == "rejected"
    assert refused["statusReason"].startswith("Too costly to process: ") and reason in refused["statusReason"]
    assert keys_of(s3, bucket, attack["id"]) == set()
    assert record(innocent["id"], user="user-b")["status"] == "ready"


def test_a_file_the_invocation_has_no_time_left_for_is_retried_and_stays_pending(
    batch, posted, record, s3, bucket, costly_png
):
    # given: half a second of the invocation left after the settling reserve
    asset = posted(costly_png, declared_format="png")

    # when
    result = batch([f"uploads/{asset['id']}"], remaining_seconds=3.5)

    # then: retried later, not rejected for the invocation's lack of time
    assert result == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert record(asset["id"])["status"] == "pending"
    assert keys_of(s3, bucket, asset["id"]) == {f"uploads/{asset['id']}"}


def test_on_its_last_attempt_a_file_that_cannot_finish_is_marked_failed_not_left_pending(
    batch, posted, record, costly_png
):
    # given
    asset = posted(costly_png, declared_format="png")

    # when
    result = batch(
        [f"uploads/{asset['id']}"], receive_count=topology.UPLOADS_QUEUE.max_receive_count, remaining_seconds=3.5
    )

    # then
    assert result == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    settled = record(asset["id"])
    assert settled["status"] == "failed"
    assert settled["statusReason"] == (
        "Processing failed after repeated attempts: The invocation's time ran out before the file was checked"
    )


def test_records_not_reached_before_the_deadline_are_reported_for_retry_untouched(batch, posted, record, corpus):
    # given: less time left than settling a record needs
    photos = [posted(corpus["photo.jpg"].read_bytes()) for _ in range(3)]

    # when
    result = batch([f"uploads/{photo['id']}" for photo in photos], remaining_seconds=2.0)

    # then
    assert result == {"batchItemFailures": [{"itemIdentifier": f"message-{number}"} for number in range(3)]}
    assert [record(photo["id"])["status"] for photo in photos] == ["pending"] * 3


def test_checked_bytes_are_served_from_their_own_key_and_the_upload_is_removed(
    batch, posted, api, corpus, s3, bucket
):
    # given
    photo = corpus["photo.jpg"].read_bytes()
    asset = posted(photo)

    # when
    batch([f"uploads/{asset['id']}"])
    redirect = api("GET", f"/api/v2/assets/{asset['id']}")

    # then
    assert keys_of(s3, bucket, asset["id"]) == {f"files/{asset['id']}", f"thumbnails/{asset['id']}.jpg"}
    assert urlsplit(redirect.headers["location"]).path.endswith(f"/files/{asset['id']}")
    served = s3.get_object(Bucket=bucket, Key=f"files/{asset['id']}")
    assert served["Body"].read() == photo
    assert served["ContentType"] == "image/jpeg"


def test_bytes_posted_again_are_never_served_unchecked_and_refused_ones_leave_the_served_copy(
    batch, posted, api, record, corpus, s3, bucket
):
    # given: a ready photo, then other bytes (HTML) posted to its upload key with the same POST
    photo = corpus["photo.jpg"].read_bytes()
    asset = posted(photo)
    batch([f"uploads/{asset['id']}"])
    before = record(asset["id"])
    s3.put_object(Bucket=bucket, Key=f"uploads/{asset['id']}", Body=b"<html><script>alert(1)</script></html>")

    # when: read before and after the processor sees the new bytes
    location_before_check = api("GET", f"/api/v2/assets/{asset['id']}").headers["location"]
    result = batch([f"uploads/{asset['id']}"])

    # then
    assert urlsplit(location_before_check).path.endswith(f"/files/{asset['id']}")
    assert result == {"batchItemFailures": []}
    assert s3.get_object(Bucket=bucket, Key=f"files/{asset['id']}")["Body"].read() == photo
    after = record(asset["id"])
    assert (after["status"], after["width"], after["height"]) == ("ready", before["width"], before["height"])
    assert keys_of(s3, bucket, asset["id"]) == {f"files/{asset['id']}", f"thumbnails/{asset['id']}.jpg"}


def test_bytes_posted_again_that_pass_replace_the_served_copy(batch, posted, record, corpus, s3, bucket):
    # given: a ready 640×480 photo, then a 300×500 one posted to the same key
    photo = corpus["photo.jpg"].read_bytes()
    asset = posted(photo)
    batch([f"uploads/{asset['id']}"])
    other = jpeg_of_length(300, 500, len(photo))
    s3.put_object(Bucket=bucket, Key=f"uploads/{asset['id']}", Body=other)

    # when
    batch([f"uploads/{asset['id']}"])

    # then
    assert s3.get_object(Bucket=bucket, Key=f"files/{asset['id']}")["Body"].read() == other
    settled = record(asset["id"])
    assert (settled["status"], settled["width"], settled["height"]) == ("ready", 300, 500)
    assert keys_of(s3, bucket, asset["id"]) == {f"files/{asset['id']}", f"thumbnails/{asset['id']}.jpg"}


def test_an_object_of_another_size_than_declared_is_rejected(upload, batch, record, corpus, s3, bucket):
    # given: the client declared fewer bytes than it posted
    photo = corpus["photo.jpg"].read_bytes()
    asset = upload(name="photo.jpg", type="image", format="jpg", size=len(photo) - 100)
    s3.put_object(Bucket=bucket, Key=f"uploads/{asset['id']}", Body=photo)

    # when
    batch([f"uploads/{asset['id']}"])

    # then
    settled = record(asset["id"])
    assert (settled["status"], settled["statusReason"]) == (
        "rejected",
        f"The file is {len(photo)} bytes, but {len(photo) - 100} were declared",
    )
    assert keys_of(s3, bucket, asset["id"]) == set()

