"""Races between the owner and the processor, and between cascades: each interleaving is forced
(one side is held at a chosen call until the other has finished), then the final state must be the
one a user expects: both effects of a PATCH and of processing kept, nothing orphaned after a
delete, every asset of a client gone after two cascades at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.reliability.conftest import World, orphan_keys

pytestmark = pytest.mark.xdist_group("reliability-races")
WAIT = 30  # seconds: a bound on a stuck thread, never reached when the code is right


class Gate:
    """Holds the thread named `who` at a call until `release()`; `reached` says it is there."""

    def __init__(self, who: str) -> None:
        self.who = who
        self.reached = threading.Event()
        self.released = threading.Event()

    def hold(self) -> None:
        if threading.current_thread().name == self.who and not self.released.is_set():
            self.reached.set()
            assert self.released.wait(WAIT), "the gate was never released"

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def world(aws, s3, bucket) -> World:
    return World(s3=s3, bucket=bucket)


@pytest.fixture
def hold_dynamodb(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Gate], None]:
    """`hold_dynamodb("UpdateItem", gate)`: the gate's thread stops before that DynamoDB call."""
    from pynamodb.connection.base import Connection

    gates: dict[str, Gate] = {}
    send = Connection.dispatch

    def dispatch(self: Connection, operation_name: str, operation_kwargs: dict) -> dict:
        if operation_name in gates:
            gates[operation_name].hold()
        return send(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", dispatch)
    return lambda operation, gate: gates.__setitem__(operation, gate)


def hold_s3(client, operation: str, gate: Gate, after: bool = False) -> None:
    """The gate's thread stops before (or right after) that S3 call of `client`."""
    client.meta.events.register(f"{'after' if after else 'before'}-call.s3.{operation}", lambda **_: gate.hold())


def in_thread(name: str, work: Callable[[], object]) -> tuple[threading.Thread, list]:
    result: list = []
    thread = threading.Thread(target=lambda: result.append(work()), name=name)
    thread.start()
    return thread, result


def pending_with_bytes(world: World, upload, corpus, sample: str = "photo.jpg", **fields: object) -> dict:
    data = corpus[sample].read_bytes()
    asset = upload(name=sample, size=len(data), type="image", format="jpg", **fields)
    world.s3.put_object(Bucket=world.bucket, Key=f"uploads/{asset['id']}", Body=data)
    return asset


def note(ledger, case: str, problems: list[str], **figures: object) -> None:
    ledger("races").record(case, passed=not problems, problems="; ".join(problems), **figures)
    assert not problems, problems


def json_of(world: World, asset_id: str) -> dict:
    return world.api("GET", f"/api/v2/assets/{asset_id}", headers={"Accept": "application/json"}).json()


# ---- PATCH while processing ----


@pytest.mark.parametrize("held", ["processor", "patch"])
def test_a_patch_while_processing_keeps_both(ledger, world, upload, corpus, processor_s3, hold_dynamodb, held):
    """held=processor: the processor has read the record and made the thumbnail when the PATCH lands;
    its conditional update fails on the version and is retried on the fresh record.
    held=patch: the PATCH has read the record when the processor settles it; its save fails on the
    version and is retried on the settled record."""
    # given
    asset = pending_with_bytes(world, upload, corpus)
    gate = Gate(held)
    if held == "processor":
        hold_dynamodb("UpdateItem", gate)
    else:
        hold_dynamodb("PutItem", gate)
    patch = {"name": "renamed.jpg", "tags": ["edited"], "clientId": "client-9"}

    # when
    first, second = ("processor", "patch") if held == "processor" else ("patch", "processor")
    work = {
        "processor": lambda: world.deliver(f"uploads/{asset['id']}"),
        "patch": lambda: world.api("PATCH", f"/api/v2/assets/{asset['id']}", body=patch),
    }
    thread, _ = in_thread(first, work[first])
    assert gate.reached.wait(WAIT)
    other = work[second]()
    gate.release()
    thread.join(WAIT)

    # then
    final = json_of(world, asset["id"])
    problems = []
    if final["status"] != "ready" or final["width"] != 640:
        problems.append(f"processing lost: {final['status']} {final.get('width')}")
    if (final["name"], final["tags"], final["clientId"]) != ("renamed.jpg", ["edited"], "client-9"):
        problems.append(f"PATCH lost: {final['name']} {final['tags']} {final['clientId']}")
    if isinstance(other, dict) and other.get("batchItemFailures"):
        problems.append(f"processor failed: {other}")
    listed = world.api("GET", "/api/v2/assets?clientId=client-9").json()
    if [row["id"] for row in listed] != [asset["id"]]:
        problems.append("the client index does not follow the PATCH")
    note(ledger, f"patch-while-processing/{held}-held", problems, both_kept=int(not problems))


def test_two_patches_at_once_keep_both(ledger, world, upload, make_ready, hold_dynamodb):
    # given: the first PATCH has read the record when the second one saves
    asset = upload()
    make_ready(asset["id"])
    gate = Gate("first")
    hold_dynamodb("PutItem", gate)

    # when
    thread, _ = in_thread("first", lambda: world.api("PATCH", f"/api/v2/assets/{asset['id']}", body={"tags": ["a"]}))
    assert gate.reached.wait(WAIT)
    second = world.api("PATCH", f"/api/v2/assets/{asset['id']}", body={"name": "second.png"})
    gate.release()
    thread.join(WAIT)

    # then
    final = json_of(world, asset["id"])
    problems = [] if second.status == 200 else [f"second PATCH {second.status}"]
    problems += [] if (final["name"], final["tags"]) == ("second.png", ["a"]) else [f"lost one: {final}"]
    note(ledger, "patch-vs-patch", problems, both_kept=int(not problems))


# ---- DELETE while processing ----

DELETE_MOMENTS = [
    # which call of which side is held while the other side runs to its end
    ("processor-before-thumbnail", "processor", ("s3", "PutObject", False)),
    ("processor-after-thumbnail", "processor", ("s3", "PutObject", True)),
    ("processor-before-update", "processor", ("dynamodb", "UpdateItem", False)),
    ("delete-before-record", "delete", ("dynamodb", "DeleteItem", False)),
    ("delete-before-objects", "delete", ("s3", "DeleteObjects", False)),
]


@pytest.mark.parametrize(("case", "held", "at"), DELETE_MOMENTS, ids=[moment[0] for moment in DELETE_MOMENTS])
def test_a_delete_while_processing_leaves_nothing(
    ledger, world, upload, corpus, processor_s3, hold_dynamodb, case, held, at
):
    # given
    asset = pending_with_bytes(world, upload, corpus)
    gate = Gate(held)
    service, operation, after = at
    if service == "s3":
        hold_s3(processor_s3, operation, gate, after=after)
    else:
        hold_dynamodb(operation, gate)
    work = {
        "processor": lambda: world.deliver(f"uploads/{asset['id']}"),
        "delete": lambda: world.api("DELETE", f"/api/v2/assets/{asset['id']}"),
    }
    other = "delete" if held == "processor" else "processor"

    # when
    thread, held_result = in_thread(held, work[held])
    assert gate.reached.wait(WAIT), "the held side never reached the gate"
    other_result = work[other]()
    gate.release()
    thread.join(WAIT)

    # then
    results = {held: held_result[0], other: other_result}
    keys = world.object_keys()
    record = world.api("GET", f"/api/v2/assets/{asset['id']}", headers={"Accept": "application/json"})
    problems = []
    if results["delete"].status != 200:
        problems.append(f"DELETE answered {results['delete'].status}: {results['delete'].body[:150]}")
    if results["processor"]["batchItemFailures"]:
        problems.append(f"the processor failed: {results['processor']}")
    if record.status != 404:
        problems.append(f"the record survived: {record.status}")
    if keys:
        problems.append(f"objects left: {keys}")
    note(ledger, f"delete-while-processing/{case}", problems, orphans=len(keys))


# ---- cascades ----


def test_two_cascades_at_once_delete_everything_once(ledger, world, upload, make_ready):
    # given: 40 assets of a client (ready ones with objects and thumbnails, pending ones), others kept
    linked = [upload(clientId="client-1", name=f"{index}.png")["id"] for index in range(40)]
    for asset_id in linked[::2]:
        make_ready(asset_id)
    kept = [upload(clientId="client-2")["id"], upload(user="user-b", clientId="client-1")["id"]]
    for asset_id in kept:
        make_ready(asset_id)

    # when
    start = threading.Barrier(2)

    def cascade() -> object:
        start.wait()
        return world.api("DELETE", "/api/v2/clients/client-1")

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: cascade(), range(2)))

    # then
    from functions.core.models import AssetModel

    remaining = {item.id for item in AssetModel.scan()}
    keys = world.object_keys()
    problems = [f"answered {answer.status}: {answer.body[:120]}" for answer in answers if answer.status != 200]
    if remaining & set(linked):
        problems.append(f"{len(remaining & set(linked))} linked assets survived")
    if set(kept) - remaining:
        problems.append("an asset of another client or user went")
    if orphan_keys(keys) or any(asset_id in key for key in keys for asset_id in linked):
        problems.append(f"objects left: {orphan_keys(keys)}")
    again = world.api("DELETE", "/api/v2/clients/client-1").json()
    if again.get("deleted") != 0:
        problems.append(f"a third cascade still found {again.get('deleted')}")
    counts = [answer.json().get("deleted") for answer in answers]
    note(ledger, "cascade-vs-cascade/40-assets", problems, deleted_counts=counts, orphans=len(orphan_keys(keys)),
         lost=len(set(kept) - remaining))


def test_a_cascade_while_an_upload_is_processed_leaves_nothing(
    ledger, world, upload, corpus, processor_s3, hold_dynamodb
):
    # given: the processor made the thumbnail of a pending asset of the client, and is about to settle it
    asset = pending_with_bytes(world, upload, corpus, clientId="client-3")
    ready = upload(clientId="client-3")
    gate = Gate("processor")
    hold_dynamodb("UpdateItem", gate)

    # when
    thread, result = in_thread("processor", lambda: world.deliver(f"uploads/{asset['id']}"))
    assert gate.reached.wait(WAIT)
    answer = world.api("DELETE", "/api/v2/clients/client-3")
    gate.release()
    thread.join(WAIT)

    # then
    keys = world.object_keys()
    problems = [] if answer.status == 200 and answer.json()["deleted"] == 2 else [f"cascade: {answer.body[:150]}"]
    problems += [] if not result[0]["batchItemFailures"] else [f"processor failed: {result[0]}"]
    problems += [f"objects left: {keys}"] if keys else []
    problems += [] if world.api("GET", f"/api/v2/assets/{ready['id']}").status == 404 else ["an asset survived"]
    note(ledger, "cascade-while-processing", problems, orphans=len(keys))
