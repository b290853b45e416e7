"""CPU and peak memory of one call, in this process and in every process under it (the inspection
worker the processor hands files to), from getrusage and /proc."""

from __future__ import annotations

import os
import resource
import time
from typing import Any


def status_kib(path: str, field: str) -> int:
    try:
        with open(path) as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants() -> list[int]:
    """Live processes under this one (a worker pool's processes), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [], [os.getpid()]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def _process_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def _reset_peaks(pids: list[int]) -> None:
    for pid in ["self", *pids]:
        try:
            with open(f"/proc/{pid}/clear_refs", "w") as clear:
                clear.write("5")  # resets VmHWM to the current RSS
        except OSError:
            pass


class Meter:
    """CPU and peak RSS of one call, in this process and every process under it."""

    def __enter__(self) -> Meter:  # noqa: PYI034 - Python 3.11 target, no typing.Self import needed
        import gc

        gc.collect()
        self.workers = _descendants()
        _reset_peaks(self.workers)
        self.rss_before_mb = status_kib("/proc/self/status", "VmRSS") / 1024
        self.self_before = resource.getrusage(resource.RUSAGE_SELF)
        self.children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.workers_before = {pid: _process_cpu(pid) for pid in self.workers}
        self.wall = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self_after = resource.getrusage(resource.RUSAGE_SELF)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers = _descendants()
        worker_cpu = sum(_process_cpu(pid) - self.workers_before.get(pid, 0.0) for pid in workers)
        worker_peak = max((status_kib(f"/proc/{pid}/status", "VmHWM") for pid in workers), default=0)

        def cpu(before: Any, after: Any) -> float:
            return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

        self.cpu_s = cpu(self.self_before, self_after) + cpu(self.children_before, children_after) + worker_cpu
        # VmHWM, not ru_maxrss: after exec, ru_maxrss still holds the forking parent's high-water mark.
        # ru_maxrss of RUSAGE_CHILDREN is the largest reaped child's (a worker stopped over budget),
        # counted only if one was reaped during the call.
        reaped = children_after.ru_maxrss if cpu(self.children_before, children_after) > 0 else 0
        own_peak = status_kib("/proc/self/status", "VmHWM")
        self.peak_rss_mb = max(own_peak, reaped, worker_peak) / 1024
        # An upper bound on what the function's processes held together (their peaks need not coincide).
        self.peak_rss_total_mb = (own_peak + max(reaped, worker_peak)) / 1024

    def figures(self) -> dict:
        return {
            "cpu_s": round(self.cpu_s, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "peak_rss_total_mb": round(self.peak_rss_total_mb, 1),
            "wall_s": round(self.wall, 3),
            "rss_before_mb": round(self.rss_before_mb, 1),
        }
