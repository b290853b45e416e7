"""AWS faults at each step of processing and of cascades: throttling, 5xx and conditional-check
failures from S3 and DynamoDB, as a blip (one call fails: the SDK's retries absorb it) and as an
outage (every call of that step fails through a whole delivery or request: the message is redelivered,
the client retries). Each ends eventually consistent: the terminal status the bytes deserve, 0 lost,
0 orphan objects, nothing left pending.

Faults are real HTTP answers given instead of moto's (its request handler is wrapped), so botocore
parses and retries them exactly as it would S3's and DynamoDB's own, and a failed call changes
nothing; only botocore's backoff sleeps are skipped."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.reliability.conftest import World, orphan_keys

pytestmark = pytest.mark.xdist_group("reliability-faults")

BLIP, OUTAGE = 1, 10_000  # calls that fail


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: object):
        yield self.body


@dataclass(frozen=True)
class Fault:
    service: str  # "s3" or "dynamodb"
    operation: str
    code: str
    status: int

    @property
    def label(self) -> str:
        return f"{self.service}.{self.operation} {self.code}"

    def response(self, request):
        from botocore.awsrequest import AWSResponse

        if self.service == "dynamodb":
            body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{self.code}", "message": "injected"})
            headers = {"x-amzn-ErrorType": self.code, "content-type": "application/x-amz-json-1.0"}
        elif self.status == 200:  # DeleteObjects: 200, with a per-key error inside
            body = ("<?xml version='1.0' encoding='UTF-8'?><DeleteResult><Error><Key>x</Key><Code>InternalError</Code>"
                    "<Message>injected</Message></Error></DeleteResult>")
            headers = {"content-type": "application/xml"}
        else:
            body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{self.code}</Code><Message>injected</Message></Error>"
            headers = {"content-type": "application/xml"}
        return AWSResponse(request.url, self.status, headers, _Raw(body.encode()))


class Injector:
    """Fails the next `times` calls of a fault's operation; counts the calls that reached it."""

    def __init__(self) -> None:
        self.remaining = 0
        self.failed = 0
        self.fault: Fault | None = None

    def arm(self, fault: Fault, times: int) -> None:
        self.fault, self.remaining, self.failed = fault, times, 0

    def heal(self) -> None:
        self.remaining = 0

    def answer(self, event_name: str, request):
        """The injected answer for this request, or None to let moto answer it."""
        fault = self.fault
        if fault and self.remaining > 0 and event_name == f"before-send.{fault.service}.{fault.operation}":
            self.remaining -= 1
            self.failed += 1
            return fault.response(request)
        return None


@pytest.fixture
def injector(aws, processor_s3, monkeypatch: pytest.MonkeyPatch) -> Callable[[Fault, int], Injector]:
    """`injector(fault, times)`: the next `times` calls of the fault's operation get its answer instead of
    moto's (moto's request handler is wrapped, so a failed call changes nothing, as on AWS)."""
    from botocore.retries.standard import ExponentialBackoff
    from moto.core.botocore_stubber import BotocoreStubber

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    hooks = Injector()
    moto_answers = BotocoreStubber.__call__

    def faulty(self, event_name: str, request, **kwargs):
        injected = hooks.answer(event_name, request)
        return injected if injected is not None else moto_answers(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", faulty)

    def arm(fault: Fault, times: int) -> Injector:
        hooks.arm(fault, times)
        return hooks

    return arm


@pytest.fixture
def world(aws, s3, bucket) -> World:
    return World(s3=s3, bucket=bucket)


# ---- processing: every step, every kind of error, as a blip and as an outage ----

PROCESSING_STEPS = [
    # fault, the sample that reaches that step, declared format, where it must end
    (Fault("s3", "HeadObject", "SlowDown", 503), "photo.jpg", "jpg", "ready"),
    (Fault("s3", "HeadObject", "InternalError", 500), "photo.jpg", "jpg", "ready"),
    (Fault("s3", "GetObject", "SlowDown", 503), "photo.jpg", "jpg", "ready"),
    (Fault("s3", "GetObject", "InternalError", 500), "clip.mp4", "mp4", "ready"),
    (Fault("s3", "GetObject", "ServiceUnavailable", 503), "doc.pdf", "pdf", "ready"),
    (Fault("s3", "PutObject", "SlowDown", 503), "photo.jpg", "jpg", "ready"),
    (Fault("s3", "PutObject", "InternalError", 500), "doc.pdf", "pdf", "ready"),
    (Fault("s3", "DeleteObjects", "SlowDown", 503), "text.png", "png", "rejected"),
    (Fault("s3", "DeleteObjects", "InternalError", 500), "text.png", "png", "rejected"),
    (Fault("s3", "DeleteObjects", "InternalError", 200), "text.png", "png", "rejected"),  # a per-key error
    (Fault("dynamodb", "GetItem", "ProvisionedThroughputExceededException", 400), "photo.jpg", "jpg", "ready"),
    (Fault("dynamodb", "GetItem", "InternalServerError", 500), "tone.wav", "wav", "ready"),
    (Fault("dynamodb", "UpdateItem", "ThrottlingException", 400), "photo.jpg", "jpg", "ready"),
    (Fault("dynamodb", "UpdateItem", "InternalServerError", 500), "truncated.jpg", "jpg", "failed"),
    (Fault("dynamodb", "UpdateItem", "ConditionalCheckFailedException", 400), "photo.jpg", "jpg", "ready"),
    (Fault("dynamodb", "UpdateItem", "ProvisionedThroughputExceededException", 400), "text.png", "png", "rejected"),
]
TYPES = {"jpg": "image", "png": "image", "mp4": "video", "pdf": "document", "wav": "audio"}


@pytest.mark.parametrize("times", [BLIP, OUTAGE], ids=["blip", "outage"])
@pytest.mark.parametrize(("fault", "sample", "fmt", "final"), PROCESSING_STEPS,
                         ids=[f"{step[0].label}-{step[0].status}" for step in PROCESSING_STEPS])
def test_processing_survives_a_fault_at_each_step(
    ledger, world, upload, deliver, record, corpus, injector, fault, sample, fmt, final, times
):
    # given
    data = corpus[sample].read_bytes()
    asset = upload(name=sample, type=TYPES[fmt], format=fmt, size=len(data))
    world.s3.put_object(Bucket=world.bucket, Key=f"uploads/{asset['id']}", Body=data)
    hooks = injector(fault, times)

    # when: deliveries as SQS makes them, the fault lasting through the first one
    deliveries = []
    for attempt in (1, 2, 3):
        deliveries.append(deliver(f"uploads/{asset['id']}", receive_count=attempt))
        hooks.heal()
        if not deliveries[-1]["batchItemFailures"]:
            break

    # then
    settled = record(asset["id"])
    orphans = orphan_keys(world.object_keys())
    problems = []
    if deliveries[-1]["batchItemFailures"]:
        problems.append(f"still failing after {len(deliveries)} deliveries")
    if settled["status"] != final:
        problems.append(f"ended {settled['status']} ({settled['statusReason']}), expected {final}")
    if hooks.failed == 0:
        problems.append("the fault was never hit")
    if orphans:
        problems.append(f"orphans {orphans}")
    if final == "ready" and fmt != "wav" and f"thumbnails/{asset['id']}.jpg" not in world.object_keys():
        problems.append("no thumbnail")
    ledger("faults").record(
        f"processing/{fault.label}-{fault.status}/{'blip' if times == BLIP else 'outage'}",
        passed=not problems, step=fault.operation, error=f"{fault.code} {fault.status}",
        failed_calls=hooks.failed, deliveries=len(deliveries), outcome=settled["status"],
        lost=int(settled["status"] == "pending"), pending=int(settled["status"] == "pending"), orphans=len(orphans),
        problems="; ".join(problems),
    )
    assert not problems, problems


# ---- cascades: every step, as an outage for the first request; the client retries ----

CASCADE_STEPS = [
    Fault("dynamodb", "Query", "ProvisionedThroughputExceededException", 400),
    Fault("dynamodb", "Query", "InternalServerError", 500),
    Fault("s3", "DeleteObjects", "SlowDown", 503),
    Fault("s3", "DeleteObjects", "InternalError", 200),
    Fault("dynamodb", "BatchWriteItem", "ThrottlingException", 400),
    Fault("dynamodb", "BatchWriteItem", "InternalServerError", 500),
]


@pytest.mark.parametrize("times", [BLIP, OUTAGE], ids=["blip", "outage"])
@pytest.mark.parametrize("fault", CASCADE_STEPS, ids=[f"{fault.label}-{fault.status}" for fault in CASCADE_STEPS])
def test_a_cascade_survives_a_fault_at_each_step(ledger, world, upload, make_ready, injector, fault, times):
    # given: five assets of the client (ready, pending with its bytes, a link), one of another client, one of another user
    linked = [upload(clientId="client-7", name=f"{index}.png")["id"] for index in range(4)]
    for asset_id in linked[:3]:
        make_ready(asset_id)
    linked.append(world.api("POST", "/api/v2/assets", body={"name": "l", "url": "https://e.com", "clientId": "client-7"})
                  .json()["id"])
    world.s3.put_object(Bucket=world.bucket, Key=f"uploads/{linked[3]}", Body=b"in flight")
    other_client = upload(clientId="client-8")["id"]
    make_ready(other_client)
    other_user = upload(user="user-b", clientId="client-7")["id"]
    make_ready(other_user)
    hooks = injector(fault, times)

    # when: the client retries while it gets no 200
    answers = []
    for _ in range(3):
        answers.append(world.api("DELETE", "/api/v2/clients/client-7"))
        hooks.heal()
        if answers[-1].status == 200:
            break

    # then
    from functions.core.models import AssetModel

    remaining = {item.id for item in AssetModel.scan()}
    keys = world.object_keys()
    problems = []
    statuses = [answer.status for answer in answers]
    if statuses[-1] != 200:
        problems.append(f"never succeeded: {statuses}")
    crashes = [answer for answer in answers if answer.status >= 500 and answer.status != 503]
    if crashes:
        problems.append(f"crashed: {[(answer.status, answer.body[:120]) for answer in crashes]}")
    if remaining & set(linked):
        problems.append(f"left {remaining & set(linked)}")
    if {other_client, other_user} - remaining:
        problems.append("deleted an asset it should not have")
    if any(asset_id in key for key in keys for asset_id in linked):
        problems.append(f"objects left: {keys}")
    deleted = sum(answer.json().get("deleted", 0) for answer in answers if answer.status == 200)
    ledger("faults").record(
        f"cascade/{fault.label}-{fault.status}/{'blip' if times == BLIP else 'outage'}",
        passed=not problems, step=fault.operation, error=f"{fault.code} {fault.status}", failed_calls=hooks.failed,
        deliveries=len(answers), outcome=f"HTTP {statuses}", deleted=deleted,
        lost=len({other_client, other_user} - remaining), crash=len(crashes), orphans=len(orphan_keys(keys)),
        problems="; ".join(problems),
    )
    assert not problems, problems
