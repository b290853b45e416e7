"""S3 events as they really arrive: duplicated, late, reordered, after a delete, after the bytes
were replaced, and poison messages that must end in the DLQ with their asset `failed`.

"Double effects" are counted from what DynamoDB and S3 were asked to do: more than one settling
write per upload, a record changed by an event that should have been a no-op, or objects left
behind. The poison messages go through moto's SQS with the topology's redrive policy."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError
from PIL import Image

from functions.core import topology
from tests.integration.conftest import LambdaContext
from tests.media.generate import jpeg_of_length
from tests.reliability.conftest import orphan_keys, sqs_event

pytestmark = pytest.mark.xdist_group("reliability-events")


@dataclass
class Writes:
    """The settling writes DynamoDB accepted (conditional UpdateItems of the status that succeeded), per
    asset. A delivery that finds the upload settled by another adds an attempt to the processing record:
    an UpdateItem too, but not a settling one."""

    settled: dict[str, int]

    def of(self, asset_id: str) -> int:
        return self.settled.get(asset_id, 0)


def _sets_status(update: dict) -> bool:
    """Whether an UpdateItem writes the status (every update is conditioned on it, so it is named anyway)."""
    names = [
        name
        for name, attribute in update.get("ExpressionAttributeNames", {}).items()
        if attribute == "status"
    ]
    return any(f"{name} = " in update.get("UpdateExpression", "") for name in names)


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Writes:
    from pynamodb.connection.base import Connection

    counts: dict[str, int] = {}
    lock = threading.Lock()
    send = Connection.dispatch

    def counting(self: Connection, operation_name: str, operation_kwargs: dict) -> dict:
        result = send(self, operation_name, operation_kwargs)
        if operation_name == "UpdateItem" and _sets_status(operation_kwargs):
            asset_id = operation_kwargs["Key"]["id"]["S"]
            with lock:
                counts[asset_id] = counts.get(asset_id, 0) + 1
        return result

    monkeypatch.setattr(Connection, "dispatch", counting)
    return Writes(counts)


@pytest.fixture
def ready_upload(uploaded_bytes, deliver, record) -> Callable[..., dict]:
    def make(name: str = "photo.jpg", **declared: str) -> dict:
        asset = uploaded_bytes(name, **declared)
        assert deliver(f"uploads/{asset['id']}") == {"batchItemFailures": []}
        return record(asset["id"])

    return make


@pytest.fixture
def uploaded_bytes(upload, s3, bucket, corpus) -> Callable[..., dict]:
    """A pending asset whose bytes (a corpus sample, or `data`) are in S3."""

    def put(
        name: str = "photo.jpg", data: bytes | None = None, type: str = "image", format: str = "jpg"
    ) -> dict:
        body = corpus[name].read_bytes() if data is None else data
        asset = upload(name=name, type=type, format=format, size=len(body))
        s3.put_object(Bucket=bucket, Key=f"uploads/{asset['id']}", Body=body)
        return asset

    return put


def keys(s3, bucket) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def batch(*keys_and_counts: tuple[str, int]) -> dict:
    """One SQS batch of S3 notifications, a record per (key, receive count), each with its own id."""
    records = []
    for index, (key, count) in enumerate(keys_and_counts):
        record = sqs_event(key, count)["Records"][0]
        record["messageId"] = f"00000000-0000-4000-8000-{index:012d}"
        records.append(record)
    return {"Records": records}


def handle(event: dict) -> dict:
    from functions.processor.handler import lambda_handler

    return lambda_handler(event, LambdaContext())


def note(ledger, case: str, problems: list[str], double_effects: int = 0, **figures: object) -> None:
    ledger("events").record(
        case, passed=not problems, double_effects=double_effects, problems="; ".join(problems), **figures
    )
    assert not problems, problems


# ---- duplicates ----


def test_a_duplicate_event_settles_once(ledger, ready_upload, deliver, record, writes, s3, bucket):
    # given
    settled = ready_upload()

    # when
    result = deliver(f"uploads/{settled['id']}")

    # then
    after = record(settled["id"])
    problems = [] if result == {"batchItemFailures": []} else [f"failed: {result}"]
    problems += [] if after == settled else ["the duplicate changed the record"]
    problems += [] if writes.of(settled["id"]) == 1 else [f"settled {writes.of(settled['id'])} times"]
    note(
        ledger,
        "duplicate/sequential",
        problems,
        double_effects=writes.of(settled["id"]) - 1,
        settling_writes=writes.of(settled["id"]),
    )


def test_the_same_event_twice_in_one_batch_settles_once(ledger, uploaded_bytes, record, writes, s3, bucket):
    # given
    asset = uploaded_bytes()
    key = f"uploads/{asset['id']}"

    # when
    result = handle(batch((key, 1), (key, 1)))

    # then
    problems = [] if result == {"batchItemFailures": []} else [f"failed: {result}"]
    problems += [] if record(asset["id"])["status"] == "ready" else ["not ready"]
    problems += [] if writes.of(asset["id"]) == 1 else [f"settled {writes.of(asset['id'])} times"]
    note(
        ledger,
        "duplicate/same-batch",
        problems,
        double_effects=writes.of(asset["id"]) - 1,
        settling_writes=writes.of(asset["id"]),
    )


@pytest.fixture
def atomic_dynamodb(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies each request atomically (a condition is checked and the write made as one);
    moto's in-memory tables do not between threads, so two conditional updates racing through moto can
    both pass. One request at a time through moto's DynamoDB, as the real service behaves per item."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    moto_answers = BotocoreStubber.__call__

    def one_at_a_time(self, event_name: str, request, **kwargs):
        if ".dynamodb." not in event_name:
            return moto_answers(self, event_name, request, **kwargs)
        with lock:
            return moto_answers(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", one_at_a_time)


def test_duplicates_delivered_at_once_settle_once(
    ledger, uploaded_bytes, record, writes, processor_s3, s3, bucket, atomic_dynamodb, api
):
    # given: four pollers receive the same notification at the same moment
    asset = uploaded_bytes()
    key = f"uploads/{asset['id']}"
    start = threading.Barrier(4)
    results: list[dict] = []

    def poller() -> None:
        start.wait()
        results.append(handle(sqs_event(key)))

    # when
    threads = [threading.Thread(target=poller) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # then
    settled = record(asset["id"])
    problems = [f"failed: {result}" for result in results if result != {"batchItemFailures": []}]
    problems += [] if settled["status"] == "ready" else [f"ended {settled['status']}"]
    problems += [f"orphans {orphan_keys(keys(s3, bucket))}"] if orphan_keys(keys(s3, bucket)) else []
    problems += [] if writes.of(asset["id"]) == 1 else [f"settled {writes.of(asset['id'])} times"]
    attempts = api("GET", f"/api/v2/assets/{asset['id']}/processing", user="user-a").json()["attempts"]
    outcomes = [attempt["outcome"] for attempt in attempts]
    problems += [] if outcomes.count("ready") == 1 else [f"processing record says {outcomes}"]
    note(
        ledger,
        "duplicate/concurrent-x4",
        problems,
        double_effects=writes.of(asset["id"]) - 1,
        settling_writes=writes.of(asset["id"]),
    )


# ---- late and reordered ----


def test_a_late_event_after_a_patch_changes_nothing(ledger, api, ready_upload, deliver, record, writes):
    # given
    settled = ready_upload()
    patched = api(
        "PATCH", f"/api/v2/assets/{settled['id']}", body={"name": "renamed.jpg", "tags": ["late"]}
    ).json()
    before = writes.of(settled["id"])

    # when
    result = deliver(f"uploads/{settled['id']}")

    # then
    after = record(settled["id"])
    problems = [] if result == {"batchItemFailures": []} else [f"failed: {result}"]
    problems += [] if after == patched else [f"changed: {after}"]
    problems += [] if writes.of(settled["id"]) == before else ["the late event wrote"]
    note(ledger, "late/after-patch", problems, double_effects=writes.of(settled["id"]) - before)


def test_a_late_event_after_the_asset_was_deleted_leaves_nothing(
    ledger, api, ready_upload, deliver, s3, bucket
):
    # given
    settled = ready_upload()
    assert api("DELETE", f"/api/v2/assets/{settled['id']}").status == 200

    # when
    result = deliver(f"uploads/{settled['id']}")

    # then
    problems = [] if result == {"batchItemFailures": []} else [f"failed: {result}"]
    problems += [f"left {keys(s3, bucket)}"] if keys(s3, bucket) else []
    problems += [] if api("GET", f"/api/v2/assets/{settled['id']}").status == 404 else ["resurrected"]
    note(ledger, "late/after-delete", problems)


def test_an_event_that_arrives_after_the_owner_deleted_the_pending_asset(
    ledger, api, uploaded_bytes, deliver, s3, bucket
):
    # given: bytes landed, the owner deleted the asset, then the notification arrives
    asset = uploaded_bytes()
    assert api("DELETE", f"/api/v2/assets/{asset['id']}").status == 200

    # when
    result = deliver(f"uploads/{asset['id']}")

    # then
    problems = [] if result == {"batchItemFailures": []} else [f"failed: {result}"]
    problems += [f"left {keys(s3, bucket)}"] if keys(s3, bucket) else []
    note(ledger, "out-of-order/delete-before-event", problems)


def test_bytes_posted_again_after_a_delete_are_removed(
    ledger, api, ready_upload, deliver, s3, bucket, corpus
):
    # given: the presigned POST is still valid after the owner deleted the asset; it is used again
    settled = ready_upload()
    assert api("DELETE", f"/api/v2/assets/{settled['id']}").status == 200
    s3.put_object(Bucket=bucket, Key=f"uploads/{settled['id']}", Body=corpus["photo.jpg"].read_bytes())

    # when
    result = deliver(f"uploads/{settled['id']}")

    # then
    problems = [] if result == {"batchItemFailures": []} else [f"failed: {result}"]
    problems += [f"left {keys(s3, bucket)}"] if keys(s3, bucket) else []
    note(ledger, "out-of-order/post-after-delete", problems)


def test_a_reordered_batch_settles_every_upload(ledger, uploaded_bytes, record, writes):
    # given: three uploads, notified newest first, with a test event and foreign keys among them
    assets = [
        uploaded_bytes(name, type=kind, format=fmt)
        for name, kind, fmt in (
            ("photo.jpg", "image", "jpg"),
            ("tone.wav", "audio", "wav"),
            ("doc.pdf", "document", "pdf"),
        )
    ]
    event = batch(
        *[(f"uploads/{asset['id']}", 1) for asset in reversed(assets)],
        ("thumbnails/not-ours.jpg", 1),
        ("uploads/not-a-uuid", 1),
    )

    # when
    result = handle(event)

    # then
    statuses = [record(asset["id"])["status"] for asset in assets]
    problems = [] if result == {"batchItemFailures": []} else [f"failed: {result}"]
    problems += [] if statuses == ["ready"] * 3 else [f"ended {statuses}"]
    double = sum(max(0, writes.of(asset["id"]) - 1) for asset in assets)
    problems += [f"{double} extra settling writes"] if double else []
    note(ledger, "reordered/batch-newest-first", problems, double_effects=double)


HTML = b"<html><script>alert(1)</script></html>"
REPLACEMENTS = [
    # what the owner posts again (made from the first bytes), the first upload, how it must end, and
    # which bytes are served then ("first", "again", or none)
    ("html-over-ready", lambda first: HTML, "photo.jpg", "ready", "first"),
    (
        "other-size-over-ready",
        lambda first: jpeg_of_length(300, 500, len(first) + 100),
        "photo.jpg",
        "ready",
        "first",
    ),
    ("jpeg-over-ready", lambda first: jpeg_of_length(300, 500, len(first)), "photo.jpg", "ready", "again"),
    ("jpeg-over-rejected", lambda first: jpeg_of_length(16, 16, len(first)), "text.png", "ready", "again"),
    ("html-over-rejected", lambda first: HTML, "text.png", "rejected", None),
    ("html-over-failed", lambda first: HTML, "truncated.jpg", "rejected", None),
]


@pytest.mark.parametrize(
    ("case", "again", "first", "final", "served"), REPLACEMENTS, ids=[r[0] for r in REPLACEMENTS]
)
def test_bytes_posted_again_to_a_settled_upload_are_checked_again(
    ledger, uploaded_bytes, deliver, record, s3, bucket, corpus, case, again, first, final, served
):
    """The presigned POST stays valid for minutes: the owner (or anyone holding it) can post other
    bytes to the same key after the first ones settled. What is served must never be bytes nobody
    checked: the second notification checks them as a new version, which replaces the served copy
    only if it passes (S3 refuses bytes of another length than declared; so does the processor)."""
    # given
    asset = uploaded_bytes(first, type="image", format=first.rsplit(".", 1)[1])
    deliver(f"uploads/{asset['id']}")
    first_bytes = corpus[first].read_bytes()
    replacement = again(first_bytes)
    s3.put_object(Bucket=bucket, Key=f"uploads/{asset['id']}", Body=replacement)

    # when
    result = deliver(f"uploads/{asset['id']}")

    # then
    settled = record(asset["id"])
    problems = [] if result == {"batchItemFailures": []} else [f"failed: {result}"]
    problems += (
        [] if settled["status"] == final else [f"ended {settled['status']} ({settled['statusReason']})"]
    )
    stored = keys(s3, bucket)
    if served:
        body = s3.get_object(Bucket=bucket, Key=f"files/{asset['id']}")["Body"].read()
        expected = {"first": first_bytes, "again": replacement}[served]
        problems += [] if body == expected else [f"serves other bytes than the {served} ones"]
        width = Image.open(io.BytesIO(expected)).size[0]
        problems += [] if settled["width"] == width else [f"metadata of other bytes: {settled}"]
    problems += [f"orphans {orphan_keys(stored)}"] if orphan_keys(stored) else []
    wrongly = int(settled["status"] == "ready" and final != "ready")
    ledger("events").record(
        f"replaced/{case}",
        passed=not problems,
        wrongly_accepted=wrongly,
        orphans=len(orphan_keys(stored)),
        problems="; ".join(problems),
    )
    assert not problems, problems


# ---- poison messages through SQS with the topology's redrive policy ----


@pytest.fixture
def queues(aws):
    """The uploads queue and its DLQ as the topology declares them (redrive after max_receive_count)."""
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    spec = topology.UPLOADS_QUEUE
    dlq = sqs.create_queue(QueueName=spec.dlq_name)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec.max_receive_count}
    queue = sqs.create_queue(
        QueueName=spec.name,
        Attributes={
            "RedrivePolicy": json.dumps(redrive),
            "VisibilityTimeout": str(spec.visibility_timeout_seconds),
        },
    )["QueueUrl"]
    return sqs, queue, dlq


def drain(sqs, queue: str, rounds: int) -> list[dict]:
    """Lambda's event source mapping, `rounds` times: receive a batch, invoke, delete what succeeded,
    make the failures visible again at once (instead of after the visibility timeout)."""
    from infra.local.poller import sqs_event as lambda_event

    results = []
    for _ in range(rounds):
        messages = sqs.receive_message(
            QueueUrl=queue,
            MaxNumberOfMessages=topology.UPLOADS_QUEUE.batch_size,
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            continue
        result = handle(
            lambda_event(messages, "arn:aws:sqs:us-east-1:123456789012:trove-uploads", "us-east-1")
        )
        results.append(result)
        failed = {failure["itemIdentifier"] for failure in result["batchItemFailures"]}
        for message in messages:
            if message["MessageId"] in failed:
                sqs.change_message_visibility(
                    QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return results


def notification(key: str) -> str:
    """The S3 notification's body, as S3 sends it to the queue."""
    return sqs_event(key)["Records"][0]["body"]


def count(sqs, queue: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_a_poison_message_reaches_the_dlq_and_its_asset_ends_failed(
    ledger, queues, uploaded_bytes, record, processor_s3
):
    # given: every read of one object fails; another upload in the same batches is fine
    sqs, queue, dlq = queues
    poison, healthy = uploaded_bytes(), uploaded_bytes("alpha.png", format="png")

    def broken_reads(params: dict, **_: object) -> None:
        if params.get("Key") == f"uploads/{poison['id']}":
            raise ClientError(
                {"Error": {"Code": "InternalError", "Message": "We encountered an internal error"}},
                "GetObject",
            )

    processor_s3.meta.events.register("before-parameter-build.s3.GetObject", broken_reads)
    for asset in (poison, healthy):
        sqs.send_message(QueueUrl=queue, MessageBody=notification(f"uploads/{asset['id']}"))

    # when: more receives than the redrive policy allows
    rounds = drain(sqs, queue, topology.UPLOADS_QUEUE.max_receive_count + 2)

    # then
    failed, fine = record(poison["id"]), record(healthy["id"])
    problems = []
    problems += [] if count(sqs, dlq) == 1 else [f"{count(sqs, dlq)} in the DLQ"]
    problems += [] if count(sqs, queue) == 0 else [f"{count(sqs, queue)} still queued"]
    problems += (
        []
        if failed["status"] == "failed" and "repeated attempts" in (failed["statusReason"] or "")
        else [f"poison asset ended {failed['status']} ({failed['statusReason']})"]
    )
    problems += [] if fine["status"] == "ready" else [f"healthy asset ended {fine['status']}"]
    note(
        ledger,
        "poison/s3-always-fails",
        problems,
        receives=len(rounds),
        dlq=count(sqs, dlq),
        pending=int(failed["status"] == "pending"),
    )


def test_a_malformed_message_reaches_the_dlq_without_hurting_its_batch(
    ledger, queues, uploaded_bytes, record
):
    # given
    sqs, queue, dlq = queues
    healthy = uploaded_bytes()
    sqs.send_message(QueueUrl=queue, MessageBody="this is not an S3 notification {")
    sqs.send_message(QueueUrl=queue, MessageBody=notification(f"uploads/{healthy['id']}"))

    # when
    drain(sqs, queue, topology.UPLOADS_QUEUE.max_receive_count + 2)

    # then
    problems = []
    problems += [] if count(sqs, dlq) == 1 else [f"{count(sqs, dlq)} in the DLQ"]
    problems += [] if record(healthy["id"])["status"] == "ready" else ["the healthy upload did not settle"]
    note(ledger, "poison/malformed-body", problems, dlq=count(sqs, dlq))


def test_a_dynamodb_outage_through_every_attempt_leaves_the_message_in_the_dlq(
    ledger, queues, uploaded_bytes, record, monkeypatch
):
    """The worst case: DynamoDB refuses every write through all attempts, so even marking the asset
    failed fails. The message lands in the DLQ (to redrive once DynamoDB is back) and the asset stays
    pending until it is redriven or its TTL removes it (see test_expiry)."""
    from pynamodb.connection.base import Connection
    from pynamodb.exceptions import UpdateError

    sqs, queue, dlq = queues
    asset = uploaded_bytes()
    send = Connection.dispatch

    def outage(self, operation_name, operation_kwargs):
        if operation_name == "UpdateItem":
            raise UpdateError(
                "outage", cause=ClientError({"Error": {"Code": "InternalServerError"}}, "UpdateItem")
            )
        return send(self, operation_name, operation_kwargs)

    sqs.send_message(QueueUrl=queue, MessageBody=notification(f"uploads/{asset['id']}"))
    monkeypatch.setattr(Connection, "dispatch", outage)

    # when: the outage lasts through every attempt, then DynamoDB is back and the DLQ is redriven
    drain(sqs, queue, topology.UPLOADS_QUEUE.max_receive_count + 1)
    in_dlq = count(sqs, dlq)
    monkeypatch.setattr(Connection, "dispatch", send)
    message = sqs.receive_message(QueueUrl=dlq)["Messages"][0]
    sqs.send_message(QueueUrl=queue, MessageBody=message["Body"])
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
    drain(sqs, queue, 1)

    # then
    problems = [] if in_dlq == 1 else [f"{in_dlq} in the DLQ"]
    problems += (
        []
        if record(asset["id"])["status"] == "ready"
        else [f"after redrive: {record(asset['id'])['status']}"]
    )
    note(
        ledger,
        "poison/dynamodb-outage-then-redrive",
        problems,
        dlq=in_dlq,
        lost=int(record(asset["id"])["status"] != "ready"),
    )
