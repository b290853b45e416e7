"""The inspection worker: a child process that examines one file at a time within an OS-enforced
budget, reading the file's bytes from its parent.

    python -m functions.processor.inspect      # started by budget.py, never by hand

It runs a task ("module:function", called as function(reader, *arguments)): examining an upload
(functions.processor.inspect:examine), or rendering one (functions/renditions/).

Hostile bytes can make a decoder spin or allocate without end (a JPEG with hundreds of progressive
scans, a PDF of nested forms), deep inside C code where no Python check runs. So the decoders run
here, under limits the kernel enforces for each file: CPU seconds (RLIMIT_CPU: the kernel sends
SIGXCPU, which kills the process) and address space (RLIMIT_AS: allocations fail, Python raises
MemoryError and C libraries give up or abort). The parent adds a wall-clock deadline and reads how
the worker ended. The worker is reused from file to file, so imports are paid once per container.

The worker holds no AWS client and no credentials: it asks its parent for byte ranges, and the
parent reads them (from S3 by ranged GETs, or from memory), so an AWS error stays the parent's.

Protocol, over stdin/stdout, each message a length-prefixed pickle (both ends are this code):
    parent → worker   ("run", task, arguments, preload, size, budget)   preload: modules imported first
    worker → parent   ("read", offset, length)              parent → worker  ("data", bytes)
    worker → parent   ("step", name)       the checks enter step `name` (inspect, thumbnail)
    worker → parent   ("peak", bytes)      the worker's peak resident memory while it examined the file
    worker → parent   ("retiring",)        it kept memory from this file: it exits after its answer
    worker → parent   ("done", result) | ("refused", kind, reason) | ("error", text)
A read the parent cannot serve (a failed GET) is the parent's error: it stops the worker instead.
The steps and the peak feed the processing record (functions/core/processing.py).
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import struct
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

from functions.processor.inspect.source import SeekableReader

_LENGTH = struct.Struct("!I")
# The worker asks for at least this much per read and keeps what it got: libraries read in small
# pieces (a few KB), and each request is a round trip through the parent.
READ_WINDOW = 256 * 1024
# Set while the worker examines a file: tells the parent which step of the checks it is in.
_step_listener: Callable[[str], None] | None = None
# The worker's address space with no file in it: its size at the first task plus what imports mapped
# since. The memory budget is over this, not over its size now, which memory kept from earlier files
# (malloc's heap, an encoder's threads) would inflate: a file's outcome would depend on what came before.
_footprint = 0
# A worker that kept more than this after a task retires (tells its parent, which starts another), so
# every task starts from its footprint.
RETAINED_SLACK = 32 * 1024 * 1024


def entering(step: str) -> None:
    """The checks enter `step` (the processing record times each); nothing outside the worker."""
    if _step_listener is not None:
        _step_listener(step)


def send(pipe: BinaryIO, message: tuple) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(_LENGTH.pack(len(payload)) + payload)
    pipe.flush()


def receive(pipe: BinaryIO) -> Any:
    """The next message, or None at the end of the stream (the other side is gone). `pipe` may be
    unbuffered, as the parent's is: a read may then return part of what was asked."""
    header = _read_exactly(pipe, _LENGTH.size)
    if len(header) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(header)
    payload = _read_exactly(pipe, length)
    if len(payload) < length:
        return None
    return pickle.loads(payload)  # only ever from the other end of our own pipe


def _read_exactly(pipe: BinaryIO, length: int) -> bytes:
    parts = []
    while length and (part := pipe.read(length)):
        parts.append(part)
        length -= len(part)
    return b"".join(parts)


class ParentReader(SeekableReader):
    """A seekable file whose bytes come from the parent, a window at a time."""

    def __init__(self, requests: BinaryIO, answers: BinaryIO, size: int) -> None:
        super().__init__(size)
        self.requests, self.answers = requests, answers
        self._window_start, self._window = 0, b""

    def _read_at(self, start: int, length: int) -> bytes:
        end = min(start + length, self.size)
        if start >= end:
            return b""
        window_end = self._window_start + len(self._window)
        if not (self._window_start <= start and end <= window_end):
            send(self.requests, ("read", start, max(end - start, READ_WINDOW)))
            answer = receive(self.answers)
            if answer is None:
                raise SystemExit(0)  # the parent is gone: nobody wants the answer
            self._window_start, self._window = start, answer[1]
        offset = start - self._window_start
        return self._window[offset : offset + end - start]


def _vm_bytes() -> int:
    """This process's current address space (VmSize), in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reset_peak_memory() -> bool:
    """Start measuring this file's peak: Linux resets a process's peak resident size (VmHWM) when "5"
    is written to its clear_refs. False where that is not allowed: the peak is then unknown."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def _peak_memory_bytes() -> int | None:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # in kB
    return None


def _limit(kind: int, soft: int) -> None:
    _, hard = resource.getrlimit(kind)
    resource.setrlimit(kind, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _unlimit(kind: int) -> None:
    _, hard = resource.getrlimit(kind)
    resource.setrlimit(kind, (hard, hard))


def _run(
    requests: BinaryIO,
    answers: BinaryIO,
    task: str,
    arguments: tuple,
    preload: tuple[str, ...],
    size: int,
    budget: Any,
) -> Any:
    global _step_listener, _footprint
    import importlib

    module_name, _, function_name = task.partition(":")
    # The task and the decoders it names are imported before the limits apply: their cost is the
    # worker's footprint, paid once, not the file's.
    before = _vm_bytes()
    function = getattr(importlib.import_module(module_name), function_name)
    for name in preload:
        importlib.import_module(name)
    _footprint = (_footprint or before) + _vm_bytes() - before
    reader = ParentReader(requests, answers, size)
    _limit(resource.RLIMIT_AS, _footprint + budget.memory_mb * 1024 * 1024)
    _limit(resource.RLIMIT_CPU, math.ceil(_cpu_seconds() + budget.cpu_seconds))

    def tell_parent(step: str) -> None:
        send(requests, ("step", step))

    _step_listener = tell_parent
    try:
        return function(reader, *arguments)
    finally:
        _step_listener = None
        _unlimit(resource.RLIMIT_AS)
        _unlimit(resource.RLIMIT_CPU)


def _answer(requests: BinaryIO, answers: BinaryIO, message: tuple) -> tuple:
    """The message that ends the parent's wait for this task."""
    from functions.processor.inspect.model import MediaError, Rejected

    _, task, arguments, preload, size, budget = message
    try:
        return ("done", _run(requests, answers, task, arguments, preload, size, budget))
    except MemoryError:
        return ("refused", "memory", f"more than {budget.memory_mb} MB of memory")
    except MediaError as problem:
        return ("refused", "rejected" if isinstance(problem, Rejected) else "broken", problem.reason)
    except Exception as error:  # noqa: BLE001 - not the file's fault (e.g. a failed read): the parent retries
        return ("error", f"{type(error).__name__}: {error}")


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Examine files until the parent closes the pipe."""
    while (message := receive(answers)) is not None:
        measured = _reset_peak_memory()
        answer = _answer(requests, answers, message)
        if measured:
            send(requests, ("peak", _peak_memory_bytes()))
        retiring = _vm_bytes() > _footprint + RETAINED_SLACK
        if retiring:
            send(requests, ("retiring",))
        send(requests, answer)
        if retiring:
            return


def main() -> None:
    # The protocol owns the real stdout; anything a library prints goes to stderr instead.
    requests = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    # A worker killed for its CPU budget must not write a core file.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    serve(requests, sys.stdin.buffer)
