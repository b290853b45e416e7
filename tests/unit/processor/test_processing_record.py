"""The processing record (functions/core/processing.py) the pipeline keeps on each asset: one entry per
attempt, with its steps, their reads and the outcome. On the in-memory store, S3 on moto, the checks
in the real inspection worker."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from functions.core import assets, processing, storage
from functions.core.identity import Identity
from functions.core.memory_store import MemoryAssetStore
from functions.core.models import AssetModel
from functions.core.schemas import UploadRequest
from functions.core.settings import Settings
from functions.processor import pipeline
from tests.media.generate import cut, jpeg, wav
from tests.unit.conftest import UNIT_BUCKET as BUCKET

SETTINGS = Settings(bucket_name=BUCKET)
OWNER = Identity("user-a")
PHOTO = jpeg(640, 480)
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def store() -> MemoryAssetStore:
    return MemoryAssetStore()


@pytest.fixture
def posted(store: MemoryAssetStore, bucket_s3: Any) -> Callable[..., AssetModel]:
    """A pending record declared as `name` (its extension the format), and `data` posted to its upload key."""

    def post(data: bytes = PHOTO, name: str = "photo.jpg", asset_type: str = "image") -> AssetModel:
        request = UploadRequest(name=name, type=asset_type, format=name.rsplit(".", 1)[1], size=len(data))
        item = assets.create_pending(OWNER, request, SETTINGS, store=store)
        bucket_s3.put_object(Bucket=BUCKET, Key=storage.upload_key(item.id), Body=data)
        return item

    return post


class FlakyS3:
    """S3 whose first ranged GET answers 503 SlowDown, as S3 does under load; then the real moto."""

    def __init__(self, bucket_s3: Any) -> None:
        self.bucket_s3 = bucket_s3
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.bucket_s3, name)

    def get_object(self, **request: Any) -> Any:
        if not self.failed:
            self.failed = True
            raise ClientError(
                {"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}}, "GetObject"
            )
        return self.bucket_s3.get_object(**request)


def settle(item: AssetModel, bucket_s3: Any, store: MemoryAssetStore) -> pipeline.Outcome | None:
    return pipeline.process_upload(storage.upload_key(item.id), SETTINGS, bucket_s3, store=store)


def attempts_of(item: AssetModel, store: MemoryAssetStore) -> list[dict]:
    return processing.processing_record(store.get(item.id)).model_dump(by_alias=True)["attempts"]


def test_a_ready_upload_records_each_step_with_its_reads(posted, bucket_s3, store):
    # given
    item = posted()

    # when
    settle(item, bucket_s3, store)

    # then
    (attempt,) = attempts_of(item, store)
    assert (attempt["attempt"], attempt["outcome"], attempt["error"]) == (1, "ready", None)
    assert UUID.match(attempt["correlationId"]) and ISO_MS.match(attempt["startedAt"])
    assert attempt["peakMemoryBytes"] > 1024 * 1024  # the worker's resident peak while it checked the file
    steps = {step["name"]: step for step in attempt["steps"]}
    assert [step["name"] for step in attempt["steps"]] == ["sniff", "inspect", "thumbnail", "hash", "settle"]
    assert all(step["outcome"] == "ok" and step["error"] is None for step in attempt["steps"])
    assert all(ISO_MS.match(step["startedAt"]) and step["durationMs"] >= 0 for step in attempt["steps"])
    assert steps["sniff"]["bytesRead"] > 0 and steps["sniff"]["gets"] >= 1
    # No checksum was posted with the bytes: the hash reads them all.
    assert (steps["hash"]["bytesRead"], steps["hash"]["gets"]) == (len(PHOTO), 1)
    assert (steps["settle"]["bytesRead"], steps["settle"]["gets"]) == (None, None)  # S3 copies server-side
    read_by_checks = sum(steps[name]["bytesRead"] for name in ("sniff", "inspect", "thumbnail"))
    assert read_by_checks == len(PHOTO)  # the decoder read the picture once, whichever step it was in


def test_a_file_without_a_thumbnail_records_no_thumbnail_step(posted, bucket_s3, store):
    # given
    item = posted(wav(), name="tone.wav", asset_type="audio")

    # when
    settle(item, bucket_s3, store)

    # then
    (attempt,) = attempts_of(item, store)
    assert [step["name"] for step in attempt["steps"]] == ["sniff", "inspect", "hash", "settle"]


def test_a_rejected_upload_records_the_step_that_refused_it(posted, bucket_s3, store):
    # given: text declared as a JPEG
    item = posted(b"plain text, declared as a JPEG" * 4)

    # when
    settle(item, bucket_s3, store)

    # then
    record = store.get(item.id)
    (attempt,) = attempts_of(item, store)
    assert (attempt["outcome"], attempt["error"]) == ("rejected", record.status_reason)
    sniff, settled = attempt["steps"]
    assert (sniff["name"], sniff["outcome"], sniff["error"]) == ("sniff", "error", record.status_reason)
    assert sniff["bytesRead"] == 120 and sniff["gets"] == 1
    assert (settled["name"], settled["outcome"]) == ("settle", "ok")


def test_a_broken_file_records_a_failed_attempt(posted, bucket_s3, store):
    # given: a JPEG cut short
    item = posted(cut(PHOTO, 0.5))

    # when
    settle(item, bucket_s3, store)

    # then
    record = store.get(item.id)
    (attempt,) = attempts_of(item, store)
    assert record.status == "failed"
    assert (attempt["outcome"], attempt["error"]) == ("failed", record.status_reason)
    failing = next(step for step in attempt["steps"] if step["outcome"] == "error")
    assert failing["name"] in ("inspect", "thumbnail") and failing["error"] == record.status_reason
    assert attempt["steps"][-1]["name"] == "settle"
    assert attempt["peakMemoryBytes"] > 0


def test_a_transient_aws_error_is_recorded_as_retried_then_the_retry_succeeds(posted, bucket_s3, store):
    # given: the first attempt's first GET answers 503
    item = posted()
    with pytest.raises(ClientError):
        settle(item, FlakyS3(bucket_s3), store)

    # when: the message comes back
    settle(item, bucket_s3, store)

    # then
    first, second = attempts_of(item, store)
    assert (first["attempt"], first["outcome"]) == (1, "retried")
    assert "SlowDown" in first["error"]
    (sniff,) = first["steps"]
    assert (sniff["name"], sniff["outcome"], sniff["gets"]) == ("sniff", "error", 0)
    assert "SlowDown" in sniff["error"]
    assert (second["attempt"], second["outcome"], second["error"]) == (2, "ready", None)
    assert first["correlationId"] != second["correlationId"]
    assert store.get(item.id).status == "ready"


def test_the_last_attempt_records_its_error_as_failed(posted, bucket_s3, store):
    # given
    item = posted()

    # when
    with pytest.raises(ClientError):
        pipeline.process_message(
            [storage.upload_key(item.id)],
            SETTINGS,
            last_attempt=True,
            s3=FlakyS3(bucket_s3),
            store=store,
        )

    # then
    (attempt,) = attempts_of(item, store)
    assert attempt["outcome"] == "failed"
    assert attempt["error"] == store.get(item.id).status_reason
    assert attempt["error"].startswith("Processing failed after repeated attempts: ")


def test_bad_bytes_posted_again_to_a_ready_asset_are_recorded_as_kept(posted, bucket_s3, store):
    # given
    item = posted()
    settle(item, bucket_s3, store)
    bucket_s3.put_object(
        Bucket=BUCKET, Key=storage.upload_key(item.id), Body=b"not a picture".ljust(len(PHOTO))
    )

    # when
    settle(item, bucket_s3, store)

    # then
    first, second = attempts_of(item, store)
    assert first["outcome"] == "ready"
    assert second["outcome"] == "kept" and second["error"]
    assert [step["name"] for step in second["steps"]] == ["sniff"]


def test_an_event_for_bytes_already_settled_adds_no_attempt(posted, bucket_s3, store):
    # given: settled, and the upload put back as a failed delete would leave it
    item = posted()
    settle(item, bucket_s3, store)
    bucket_s3.put_object(Bucket=BUCKET, Key=storage.upload_key(item.id), Body=PHOTO)

    # when
    settle(item, bucket_s3, store)

    # then
    assert [attempt["outcome"] for attempt in attempts_of(item, store)] == ["ready"]


def test_the_log_lines_of_an_attempt_carry_the_correlation_id_it_records(posted, bucket_s3, store, log_lines):
    # given
    item = posted()

    # when
    settle(item, bucket_s3, store)

    # then
    (attempt,) = attempts_of(item, store)
    (settled,) = [line for line in log_lines() if line["message"] == "Upload settled"]
    assert settled["correlation_id"] == attempt["correlationId"]
    assert settled["asset_id"] == item.id


def test_the_record_keeps_the_last_attempts_and_cuts_long_texts():
    # given: more attempts than are kept, each with more steps and longer errors than are kept
    record = None
    for _ in range(processing.MAX_ATTEMPTS + 15):
        attempt = processing.AttemptLog()
        for _ in range(processing.MAX_STEPS + 5):
            attempt.begin("inspect")
            attempt.fail("x" * 5000)
        record = processing.appended(record, attempt.finished("retried", "y" * 5000))

    # then
    assert [entry["attempt"] for entry in record] == list(range(16, processing.MAX_ATTEMPTS + 16))
    assert all(len(entry["steps"]) == processing.MAX_STEPS for entry in record)
    assert all(
        len(entry["error"]) == processing.MAX_TEXT and entry["error"].endswith("…") for entry in record
    )
    assert all(len(step["error"]) == processing.MAX_TEXT for entry in record for step in entry["steps"])
    # Far below DynamoDB's 400 KB item limit, whatever the attempts held.
    assert len(json.dumps(record).encode()) < 64 * 1024
