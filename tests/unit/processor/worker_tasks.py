"""Tasks for the inspection worker (run_within_budget's "module:function"), for tests of the budget
itself: memory a file leaves behind in the worker."""

from __future__ import annotations

from typing import BinaryIO

_kept: list[bytearray] = []


def keep(_: BinaryIO, megabytes: int) -> int:
    """Allocate `megabytes` and keep them after the task, as a decoder's cache or malloc's heap may."""
    _kept.append(bytearray(megabytes * 1024 * 1024))
    return megabytes


def reuse(_: BinaryIO, megabytes: int) -> int:
    """Drop what earlier tasks kept, then allocate `megabytes` for this one."""
    _kept.clear()
    return len(bytearray(megabytes * 1024 * 1024)) // (1024 * 1024)
