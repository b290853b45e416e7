"""The processor runs like Lambda: in worker processes of its own, beside the API, never in its way.

A worker is held with SIGSTOP, as if it were stuck on a slow file: nothing it holds can move until
SIGCONT, which makes "busy" deterministic without timing anything. Linux: processes are read in /proc.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from functions.core.topology import UPLOADS_QUEUE
from infra.local.harness import TERMINAL_STATUSES, Client, StackProcess
from infra.local.poller import WAIT_SECONDS as POLL_WAIT_SECONDS
from tests.e2e.conftest import SETTLE_SECONDS
from tests.media.samples import corpus_sample

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

PHOTO = "photo.jpg"
POLL_SECONDS = 0.1


@contextmanager
def held(pids: Iterable[int]) -> Iterator[None]:
    """These processes stopped where they are (mid-batch, or mid-poll) until the block ends."""
    pids = list(pids)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def wait_for(condition: Callable[[], bool], what: str, stack: StackProcess) -> None:
    """A bound on waiting, not a timing assertion: fail with the stack's log if it never happens."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {SETTLE_SECONDS} s:\n{stack.log_tail()}")
        time.sleep(POLL_SECONDS)


def process_state(pid: int) -> str | None:
    """The state letter in /proc (R, S, T, Z…), or None once the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def alive(pid: int) -> bool:
    return process_state(pid) not in (None, "Z")


def descendants(pid: int) -> set[int]:
    """Every process started by `pid`, by its children, and so on."""
    parent_of = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent_of[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended while we looked
    found, parents = set(), {pid}
    while parents:
        parents = {child for child, parent in parent_of.items() if parent in parents} - found
        found |= parents
    return found


def settled(client: Client, asset_ids: list[str]) -> list[str]:
    return [
        asset_id for asset_id in asset_ids if client.record(asset_id).json()["status"] in TERMINAL_STATUSES
    ]


def started_stack(tmp_path: Path, **options: int) -> Iterator[StackProcess]:
    """A stack for one test alone, with an upload processed so its workers have started whatever
    processes they use; stopped at the end if the test has not stopped it."""
    stack = StackProcess(tmp_path, **options)
    stack.start()
    try:
        user = Client(stack.url, "family")
        asset = user.upload(corpus_sample(PHOTO))
        assert user.wait_until_settled(asset["id"], SETTLE_SECONDS)["status"] == "ready"
        yield stack
    finally:
        if stack.process.poll() is None:
            stack.stop()


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[StackProcess]:
    yield from started_stack(tmp_path)


@pytest.fixture
def fixed_stack(tmp_path: Path) -> Iterator[StackProcess]:
    """A stack of its own that adds no processor worker while uploads wait."""
    yield from started_stack(tmp_path, max_processors=2)


def test_the_api_answers_while_every_processor_is_held(fixed_stack: StackProcess) -> None:
    # given: every processor worker stopped, with an upload's bytes in "S3" waiting for them
    user = Client(fixed_stack.url, "held-processors")
    photo = corpus_sample(PHOTO)
    with held(fixed_stack.state["processors"]):
        waiting = user.upload(photo)

        # when: the user starts another upload and lists their assets
        started = user.api(
            "POST",
            "/api/v2/uploads",
            json={
                "name": photo.name,
                "type": photo.asset_type,
                "format": photo.format,
                "size": len(photo.data),
            },
        )
        listed = user.api("GET", "/api/v2/assets")

        # then: the API answers at once, and the first upload is still pending
        assert started.status_code == 201, started.text
        assert listed.status_code == 200, listed.text
        assert {asset["id"]: asset["status"] for asset in listed.json()}[waiting["id"]] == "pending"

    # and once the workers run again, the upload settles
    assert user.wait_until_settled(waiting["id"], SETTLE_SECONDS)["status"] == "ready"


@pytest.fixture
def growing_stack(tmp_path: Path) -> Iterator[StackProcess]:
    """A stack of its own with room for more processor workers (the shared one may be at its maximum;
    its warm-up upload, waiting while the workers start, may have added one already)."""
    yield from started_stack(tmp_path, max_processors=4)


def test_the_stack_adds_a_worker_while_uploads_wait_for_every_worker(growing_stack: StackProcess) -> None:
    # given: every processor worker stopped, as if each were stuck on another user's slow file; a long
    # poll a worker had open when it stopped could still take a message, so the upload comes after
    # those polls have ended on the server's side
    user = Client(growing_stack.url, "waiting-upload")
    busy = growing_stack.state["processors"]
    with held(busy):
        time.sleep(2 * POLL_WAIT_SECONDS + 1)

        # when: an upload arrives
        asset = user.upload(corpus_sample(PHOTO))

        # then: a worker is added, as Lambda adds a sandbox (the stack's log says why not, if not), and
        # the upload settles meanwhile
        wait_for(lambda: set(growing_stack.state["processors"]) - set(busy), "a processor worker added", growing_stack)
        assert user.wait_until_settled(asset["id"], SETTLE_SECONDS)["status"] == "ready"


def test_a_held_processor_holds_up_no_other_upload(
    local_stack: StackProcess, client_for: Callable[[str], Client], settle: Callable
) -> None:
    # given: one processor worker stopped, as if stuck on a slow file; it can hold at most the one
    # batch it had received (or was receiving) when it stopped
    first, *others = local_stack.state["processors"]
    assert others, "the stack runs more than one processor worker"
    user = client_for("held-processor")
    with held([first]):
        # when: more uploads arrive than one batch holds
        asset_ids = [
            user.upload(corpus_sample(PHOTO))["id"] for _ in range(UPLOADS_QUEUE.batch_size + 2)
        ]

        # then: the other workers settle every upload the held one cannot have
        wait_for(
            lambda: len(settled(user, asset_ids)) >= len(asset_ids) - UPLOADS_QUEUE.batch_size,
            "the other workers settling the uploads",
            local_stack,
        )

    # and, once it runs again, the held worker's batch too
    assert [settle(user, asset_id)["status"] for asset_id in asset_ids] == ["ready"] * len(asset_ids)


def test_a_processor_worker_that_dies_is_replaced(own_stack: StackProcess) -> None:
    # given: a worker killed, as a crash would end it (on a stack of its own: a batch the dead worker
    # was receiving would come back only after the queue's visibility timeout, as in AWS)
    dead, *survivors = own_stack.state["processors"]
    os.kill(dead, signal.SIGKILL)

    # when: the stack notices
    wait_for(lambda: dead not in own_stack.state["processors"], "replacing the worker", own_stack)

    # then: as many workers as before, all running
    workers = own_stack.state["processors"]
    assert len(set(workers)) == len(survivors) + 1
    assert all(alive(pid) for pid in workers)
    assert "processor worker 1 exited with -9; starting another" in own_stack.log.read_text()


def test_stopping_the_stack_leaves_no_process_behind(own_stack: StackProcess) -> None:
    # given: the stack's processes: its processor workers and what they started
    family = descendants(own_stack.process.pid)
    assert set(own_stack.state["processors"]) <= family

    # when: Ctrl-C
    status = own_stack.stop()

    # then: it stopped cleanly, and every process it started ends (SIGKILL'd ones may take a moment)
    assert status == 0, own_stack.log_tail()
    wait_for(lambda: not any(alive(pid) for pid in family), "every process ending", own_stack)
    assert "Traceback" not in own_stack.log.read_text().split("Stopping…")[1]


def test_processor_workers_end_when_the_stack_is_killed(own_stack: StackProcess) -> None:
    # given: the stack's processes
    family = descendants(own_stack.process.pid)

    # when: the stack is killed, without a chance to stop its workers
    own_stack.process.kill()
    own_stack.process.wait()

    # then: the workers notice they are orphans and end, and what they started with them
    wait_for(lambda: not any(alive(pid) for pid in family), "every orphan ending", own_stack)
