"""The processor's concurrency, locally: worker processes, each a poller with its own processor sandbox
(`python -m infra.local.poller`), like Lambda running the processor function in several sandboxes at
once. A slow batch occupies one worker; the others, and the API (in processes of its own,
infra.local.api_instances), carry on. Like Lambda's SQS event source, the stack adds a worker while uploads wait in the
queue and every worker is busy, up to a maximum (the event source's maximum concurrency, by default),
so an upload never waits for other users' slow files to finish.

Each worker is started in its own process group: Ctrl-C in the terminal reaches the stack alone, which
stops its workers in order, and whatever a worker starts (the processor's inspection subprocesses)
shares the worker's group, so one signal to the group ends them all.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

from infra.local.provision import Queue
from infra.local.state import REPO_ROOT

log = logging.getLogger("local.workers")

# Long enough for a batch of ordinary files to finish; a batch still running then is cut short.
STOP_GRACE_SECONDS = 5
EXIT_POLL_SECONDS = 0.05


class ProcessorWorkers:
    def __init__(self, count: int, queue: Queue, retry_after: int, most: int) -> None:
        self.queue = queue
        self.retry_after = retry_after
        self.most = max(count, most)
        self._waiting = False  # whether uploads were waiting at the last check
        self.processes: list[subprocess.Popen] = [self._start(number) for number in range(1, count + 1)]

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def _start(self, number: int) -> subprocess.Popen:
        return start_worker(
            "infra.local.poller", "--number", str(number),
            "--queue-url", self.queue.url, "--queue-arn", self.queue.arn,
            "--retry-after", str(self.retry_after), "--stack-pid", str(os.getpid()),
        )  # fmt: skip

    def replace_exited(self) -> bool:
        """Start a new worker for each one that died (Lambda replaces a crashed sandbox); whether any did.
        The batch it held comes back after the queue's visibility timeout, as in AWS."""
        replaced = False
        for index, process in enumerate(self.processes):
            if process.poll() is not None:
                log.warning(
                    "processor worker %d exited with %d; starting another", index + 1, process.returncode
                )
                self.processes[index] = self._start(index + 1)
                replaced = True
        return replaced

    def add_if_waiting(self, waiting: int) -> bool:
        """One more worker when uploads have waited for one since the last check (an idle worker takes
        a new message within its long poll) and the maximum allows it; whether one started."""
        waited, self._waiting = self._waiting, waiting > 0
        if not (waited and self._waiting) or len(self.processes) >= self.most:
            return False
        self.processes.append(self._start(len(self.processes) + 1))
        log.info("%d upload message(s) waiting: processor worker %d started", waiting, len(self.processes))
        return True

    def stop(self) -> None:
        stop_workers(self.processes)


def start_worker(module: str, *args: str, pass_fds: tuple[int, ...] = ()) -> subprocess.Popen:
    """`python -m module args…` in a process group of its own, from the repository's root."""
    # The environment carries moto's address and the settings (runtime.configure_environment);
    # unbuffered, so the handlers' own log lines reach a redirected console as they are written.
    # No stdin: a process group other than the terminal's would be stopped if it read from it.
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        process_group=0,
        pass_fds=pass_fds,
    )


def stop_workers(processes: list[subprocess.Popen]) -> None:
    """Ask every worker to stop after its current work, give them STOP_GRACE_SECONDS, then end each
    one's whole process group, so nothing a worker started outlives it."""
    for process in processes:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        _wait_without_reaping(process.pid, deadline)
        # Until it is reaped, the worker (alive or a zombie) holds its pid, so its group id still
        # names its group and no one else's.
        _kill_group(process.pid)
        process.wait()


def _wait_without_reaping(pid: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return
        time.sleep(EXIT_POLL_SECONDS)


def _kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass
