"""The processor handler end to end on moto: every allowed format settles `ready` with its metadata
and thumbnail; hostile bytes settle `rejected` or `failed`; duplicates, late events and AWS faults
change nothing they should not."""

from __future__ import annotations

import io

import pytest
from botocore.exceptions import ClientError
from PIL import Image

from functions.core import topology

READY_CASES = [
    # corpus sample, declared type, declared format, stored format, expected fields
    ("photo.jpg", "image", "jpg", "jpg", {"width": 640, "height": 480}),
    ("large.jpeg", "image", "jpeg", "jpg", {"width": 4000, "height": 3000}),
    ("alpha.png", "image", "png", "png", {"width": 400, "height": 300}),
    ("animated.gif", "image", "gif", "gif", {"width": 480, "height": 240}),
    ("animated.webp", "image", "webp", "webp", {"width": 640, "height": 320}),
    ("rotated.jpg", "image", "jpg", "jpg", {"width": 480, "height": 640}),
    ("clip.mp4", "video", "mp4", "mp4", {"width": 320, "height": 240, "duration": 2.0}),
    ("portrait.mp4", "video", "mp4", "mp4", {"width": 240, "height": 320, "duration": 2.0}),
    ("clip.mov", "video", "mov", "mov", {"width": 320, "height": 240, "duration": 2.0}),
    ("tone.mp3", "audio", "mp3", "mp3", {"duration": 3.0}),
    ("tone.wav", "audio", "wav", "wav", {"duration": 2.5}),
    ("tone.wav", "audio", "mp3", "wav", {"duration": 2.5}),  # an "MP3" that is really WAV: the bytes win
    ("doc.pdf", "document", "pdf", "pdf", {"pageCount": 3}),
]


@pytest.mark.parametrize(("name", "declared_type", "declared_format", "stored_format", "expected"), READY_CASES)
def test_allowed_media_settles_ready_with_metadata_and_thumbnail(
    deliver, uploaded, record, s3, bucket, name, declared_type, declared_format, stored_format, expected
):
    # given
    asset = uploaded(name, declared_type, declared_format)

    # when
    result = deliver(f"uploads/{asset['id']}")

    # then
    assert result == {"batchItemFailures": []}
    settled = record(asset["id"])
    assert (settled["status"], settled["statusReason"], settled["format"]) == ("ready", None, stored_format)
    for field, value in expected.items():
        assert settled[field] == pytest.approx(value, abs=0.1), field
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    # The checked bytes moved out of the quarantine to the served key.
    assert f"files/{asset['id']}" in keys and f"uploads/{asset['id']}" not in keys
    if declared_type == "audio":
        assert keys == {f"files/{asset['id']}"}
    else:
        thumbnail = Image.open(io.BytesIO(s3.get_object(Bucket=bucket, Key=f"thumbnails/{asset['id']}.jpg")["Body"].read()))
        assert thumbnail.format == "JPEG" and max(thumbnail.size) == 320


HOSTILE_CASES = [
    # corpus sample, declared type, declared format, terminal status, words the reason must contain
    ("text.png", "image", "png", "rejected", "Invalid file type: text/plain"),
    ("polyglot.png", "image", "png", "rejected", "Invalid file type: text/html"),
    ("alpha.png", "video", "mp4", "rejected", "not the declared video"),
    ("bomb.png", "image", "png", "rejected", "pixels"),
    ("truncated.jpg", "image", "jpg", "failed", "jpg"),
    ("no-moov.mp4", "video", "mp4", "failed", "mp4"),
    ("truncated.mp4", "video", "mp4", "failed", "mp4"),
    ("encrypted.pdf", "document", "pdf", "failed", "encrypted"),
]


@pytest.mark.parametrize(("name", "declared_type", "declared_format", "status", "reason"), HOSTILE_CASES)
def test_hostile_media_settles_with_a_reason_and_nothing_stays_pending(
    deliver, uploaded, record, s3, bucket, name, declared_type, declared_format, status, reason
):
    # given
    asset = uploaded(name, declared_type, declared_format)

    # when
    result = deliver(f"uploads/{asset['id']}")

    # then
    assert result == {"batchItemFailures": []}
    settled = record(asset["id"])
    assert settled["status"] == status
    assert reason.lower() in settled["statusReason"].lower()
    kept = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert kept == ([] if status == "rejected" else [f"uploads/{asset['id']}"])


def test_zero_bytes_are_rejected(deliver, upload, record, s3, bucket):
    # given
    asset = upload()
    s3.put_object(Bucket=bucket, Key=f"uploads/{asset['id']}", Body=b"")

    # when
    deliver(f"uploads/{asset['id']}")

    # then
    assert (record(asset["id"])["status"], record(asset["id"])["statusReason"]) == ("rejected", "File is empty")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_duplicate_delivery_updates_once(deliver, uploaded, dynamodb_calls):
    # given
    asset = uploaded("photo.jpg", "image", "jpg")
    deliver(f"uploads/{asset['id']}")
    dynamodb_calls.clear()

    # when
    result = deliver(f"uploads/{asset['id']}")

    # then
    assert result == {"batchItemFailures": []}
    assert [name for name, _ in dynamodb_calls] == ["GetItem"]


def test_an_event_for_a_deleted_asset_cleans_up_the_object(deliver, api, uploaded, s3, bucket):
    # given: the owner deleted the asset after the bytes arrived but before the event
    asset = uploaded("photo.jpg", "image", "jpg")
    from functions.core.models import AssetModel

    AssetModel.get(asset["id"]).delete()

    # when
    result = deliver(f"uploads/{asset['id']}")

    # then
    assert result == {"batchItemFailures": []}
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_an_object_we_never_issued_is_deleted(deliver, s3, bucket):
    # given
    stray = "uploads/2c9d0e4a-1b3f-4a5c-8d7e-9f0a1b2c3d4e"
    s3.put_object(Bucket=bucket, Key=stray, Body=b"who put this here")

    # when
    deliver(stray)

    # then
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_the_s3_test_event_is_ignored(aws):
    # given
    from functions.processor.handler import lambda_handler
    from tests.integration.conftest import LambdaContext, load_event

    # when
    result = lambda_handler(load_event("processor/s3_test_event.json"), LambdaContext())

    # then
    assert result == {"batchItemFailures": []}


def test_an_s3_error_reports_the_record_and_leaves_the_item_recoverable(deliver, uploaded, record, throttle_s3_gets):
    # given
    asset = uploaded("photo.jpg", "image", "jpg")
    throttle_s3_gets(times=1)

    # when
    first = deliver(f"uploads/{asset['id']}")

    # then
    assert first == {"batchItemFailures": [{"itemIdentifier": "00000000-0000-4000-8000-000000000000"}]}
    assert record(asset["id"])["status"] == "pending"
    second = deliver(f"uploads/{asset['id']}", receive_count=2)
    assert second == {"batchItemFailures": []}
    assert record(asset["id"])["status"] == "ready"


def test_a_dynamodb_error_reports_the_record_and_the_retry_settles_it(deliver, uploaded, record, monkeypatch):
    # given: the first UpdateItem is throttled
    from pynamodb.connection.base import Connection
    from pynamodb.exceptions import UpdateError

    asset = uploaded("photo.jpg", "image", "jpg")
    send, throttled = Connection.dispatch, []

    def throttle_first_update(self, operation_name, operation_kwargs):
        if operation_name == "UpdateItem" and not throttled:
            throttled.append(operation_name)
            raise UpdateError("Throttled", cause=ClientError({"Error": {"Code": "ThrottlingException"}}, "UpdateItem"))
        return send(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", throttle_first_update)

    # when
    first = deliver(f"uploads/{asset['id']}")
    second = deliver(f"uploads/{asset['id']}", receive_count=2)

    # then
    assert first["batchItemFailures"] and throttled == ["UpdateItem"]
    assert second == {"batchItemFailures": []}
    assert record(asset["id"])["status"] == "ready"


def test_the_last_attempt_marks_the_item_failed_before_the_message_goes_to_the_dlq(
    deliver, uploaded, record, throttle_s3_gets
):
    # given
    asset = uploaded("photo.jpg", "image", "jpg")
    throttle_s3_gets(times=1000)

    # when
    result = deliver(f"uploads/{asset['id']}", receive_count=topology.UPLOADS_QUEUE.max_receive_count)

    # then
    assert len(result["batchItemFailures"]) == 1
    settled = record(asset["id"])
    assert settled["status"] == "failed"
    assert "repeated attempts" in settled["statusReason"]


def test_a_40_mb_video_is_processed_reading_a_fraction_of_it(
    deliver, uploaded, record, corpus, processor_s3, s3, bucket, api
):
    # given: uploaded with its SHA-256, which S3 keeps with the object (no bytes need reading to hash it)
    asset = uploaded("big.mp4", "video", "mp4")
    data = corpus["big.mp4"].read_bytes()
    s3.put_object(Bucket=bucket, Key=f"uploads/{asset['id']}", Body=data, ChecksumAlgorithm="SHA256")
    fetched: list[int] = []
    processor_s3.meta.events.register(
        "after-call.s3.GetObject", lambda parsed, **_: fetched.append(int(parsed["ContentLength"]))
    )

    # when
    deliver(f"uploads/{asset['id']}")

    # then
    assert record(asset["id"])["status"] == "ready"
    assert len(data) > 35_000_000
    print(f"read {sum(fetched):,} of {len(data):,} bytes ({sum(fetched) / len(data):.1%}) in {len(fetched)} GETs")
    assert sum(fetched) < 0.25 * len(data)
    (attempt,) = api("GET", f"/api/v2/assets/{asset['id']}/processing").json()["attempts"]
    assert sum(step["bytesRead"] or 0 for step in attempt["steps"]) == sum(fetched)
    assert [step["bytesRead"] for step in attempt["steps"] if step["name"] == "hash"] == [0]


def test_a_40_mb_video_without_its_checksum_is_checked_reading_a_fraction_and_hashed_reading_it_once(
    deliver, uploaded, corpus, processor_s3, api
):
    # given
    asset = uploaded("big.mp4", "video", "mp4")
    size = corpus["big.mp4"].stat().st_size
    fetched: list[int] = []
    processor_s3.meta.events.register(
        "after-call.s3.GetObject", lambda parsed, **_: fetched.append(int(parsed["ContentLength"]))
    )

    # when
    deliver(f"uploads/{asset['id']}")

    # then
    (attempt,) = api("GET", f"/api/v2/assets/{asset['id']}/processing").json()["attempts"]
    read = {step["name"]: step["bytesRead"] for step in attempt["steps"]}
    checks = read["sniff"] + read["inspect"] + read["thumbnail"]
    print(f"checks read {checks:,} of {size:,} bytes ({checks / size:.1%}); the hash {read['hash']:,}")
    assert checks < 0.25 * size
    assert read["hash"] == size
    assert sum(fetched) == checks + size