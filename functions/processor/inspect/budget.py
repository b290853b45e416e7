"""Examine a file in the inspection worker (worker.py), within its type's budget.

    media, inspection = examine_within_budget(reader, AssetType.IMAGE, "jpg")
    picture = run_within_budget(reader, "functions.renditions.render:render", (...), budget=...)

The worker is a child process, started on first use and kept for the next file (one per concurrent
caller), so the decoders are imported once per container. This side serves the worker's reads from
the source (an S3 object read by ranges, or bytes) and watches the clock. A file that exceeds its
budget — CPU seconds, memory, or wall-clock seconds — ends in `TooCostly`, a `Rejected`; the worker
that spent it is replaced. `deadline` (time.monotonic()) is when the caller must have an answer, the
Lambda invocation's end: a file stopped by it, not by its own budget, raises `OutOfTime`, and the
caller retries it later rather than reject it. An `attempt` (functions/core/processing.py) is told
which step the worker is in, with the bytes and GETs each step reads, and the worker's peak memory.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, BinaryIO

from functions.core import topology
from functions.core.media import AssetType, MediaFormat
from functions.processor.inspect.model import Broken, Inspection, Rejected, TooCostly
from functions.processor.inspect.source import RangedObjectReader, Source, open_source
from functions.processor.inspect.worker import receive, send

if TYPE_CHECKING:  # the worker imports this module too, and needs none of the record's dependencies
    from functions.core.processing import AttemptLog, Meter


class OutOfTime(RuntimeError):
    """The caller's deadline came before the file's budget ran out: try again later."""


class WorkerFailed(RuntimeError):
    """The worker could not examine the file for a reason that is not the file's (retry)."""


def examine_within_budget(
    source: Source,
    declared_type: AssetType,
    declared_format: str,
    *,
    budget: topology.InspectionBudget | None = None,
    deadline: float | None = None,
    attempt: AttemptLog | None = None,
) -> tuple[MediaFormat, Inspection]:
    return run_within_budget(
        source,
        "functions.processor.inspect:examine",
        (declared_type, declared_format),
        budget=budget or topology.INSPECTION_BUDGETS[declared_type.value],
        deadline=deadline,
        preload=(f"functions.processor.inspect.{declared_type.value}",),
        attempt=attempt,
    )


def run_within_budget(
    source: Source,
    task: str,
    arguments: tuple,
    *,
    budget: topology.InspectionBudget,
    deadline: float | None = None,
    preload: tuple[str, ...] = (),
    attempt: AttemptLog | None = None,
) -> Any:
    """`task` ("module:function", called as function(reader, *arguments) on a seekable file of the
    source's bytes) run in an inspection worker within `budget`: TooCostly, OutOfTime and MediaError as
    for examine_within_budget. Renditions (functions/renditions/) render through this."""
    worker = _pool.take()
    try:
        return worker.run(open_source(source), task, arguments, preload, budget, deadline, attempt)
    finally:
        # A worker that answered is ready for the next file; one stopped mid-file, or that kept memory
        # from this one (it retires), is never reused.
        if worker.busy or worker.retiring:
            worker.stop()
        else:
            _pool.give_back(worker)


class Worker:
    def __init__(self) -> None:
        environment = {
            **os.environ,
            # The worker imports `functions` the way this process did (Lambda: /var/task and /opt/python).
            "PYTHONPATH": os.pathsep.join(path for path in sys.path if path),
            # One malloc arena: each thread's own 64 MB arena would count against the address-space budget.
            "MALLOC_ARENA_MAX": "1",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "functions.processor.inspect"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=environment,
        )
        # Read unbuffered: the worker may send messages back to back (a step, then a read), and a
        # buffer holding the second would leave select() waiting for bytes that have come already.
        self.replies = self.process.stdout.raw
        self.busy = False
        self.retiring = False

    def run(
        self,
        stream: BinaryIO,
        task: str,
        arguments: tuple,
        preload: tuple[str, ...],
        budget: topology.InspectionBudget,
        deadline: float | None,
        attempt: AttemptLog | None = None,
    ) -> Any:
        size = stream.seek(0, os.SEEK_END)
        meter = stream.read_so_far if isinstance(stream, RangedObjectReader) else None
        own_deadline = time.monotonic() + budget.wall_seconds
        stop_at = min(own_deadline, deadline) if deadline is not None else own_deadline
        self.busy = True
        try:
            send(self.process.stdin, ("run", task, arguments, preload, size, budget))
            while True:
                message = self._next(stop_at)
                if message is None:
                    raise self._ended(budget)
                if message[0] == "retiring":
                    self.retiring = True
                    continue
                if message[0] in ("step", "peak"):
                    if attempt is not None:
                        _tell(attempt, message, meter)
                    continue
                if message[0] != "read":
                    self.busy = False
                    return self._outcome(message)
                _, offset, length = message
                stream.seek(offset)
                # The source's errors (an S3 GET that failed) are this side's: they propagate and the
                # message is retried; the worker is stopped, not told.
                send(self.process.stdin, ("data", stream.read(length)))
        except BrokenPipeError:
            raise self._ended(budget) from None
        except TimeoutError:
            self.stop()
            if stop_at < own_deadline:
                raise OutOfTime("The invocation's time ran out before the file was checked") from None
            raise TooCostly(f"more than {budget.wall_seconds} s to check") from None

    def _next(self, stop_at: float) -> tuple | None:
        remaining = stop_at - time.monotonic()
        if remaining <= 0 or not select.select([self.replies], [], [], remaining)[0]:
            raise TimeoutError
        return receive(self.replies)

    def _outcome(self, message: tuple) -> Any:
        kind = message[0]
        if kind == "done":
            return message[1]
        if kind == "refused":
            _, why, reason = message
            if why == "memory":
                raise TooCostly(reason)
            raise (Rejected if why == "rejected" else Broken)(reason)
        raise WorkerFailed(f"The inspection worker failed: {message[1]}")

    def _ended(self, budget: topology.InspectionBudget) -> Exception:
        """What the worker's death says about the file."""
        code = self.process.wait()
        if code == -signal.SIGXCPU:
            return TooCostly(f"more than {budget.cpu_seconds} s of CPU")
        if code in (-signal.SIGABRT, -signal.SIGKILL):
            # A decoder that cannot allocate within the address-space budget gives up by aborting.
            return TooCostly(
                f"the decoder gave up past {budget.memory_mb} MB of memory ({signal.Signals(-code).name})"
            )
        if code < 0:
            # E.g. PDFium overflowing its stack on a page tree 100,000 levels deep.
            return TooCostly(f"the file crashed the decoder ({signal.Signals(-code).name})")
        return WorkerFailed(f"The inspection worker exited with status {code}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:  # a pipe to a killed worker may fail its last flush
                pass


def _tell(attempt: AttemptLog, message: tuple, meter: Meter | None) -> None:
    kind, value = message
    if kind == "step":
        attempt.begin(value, meter)
    else:
        attempt.peak_memory_bytes = value


class _Pool:
    """Idle workers; each caller takes one for itself, so concurrent callers never share one."""

    def __init__(self) -> None:
        self._idle: list[Worker] = []
        self._lock = threading.Lock()
        atexit.register(self.stop_all)

    def take(self) -> Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
        return Worker()

    def give_back(self, worker: Worker) -> None:
        with self._lock:
            self._idle.append(worker)

    def stop_all(self) -> None:
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.stop()


_pool = _Pool()
