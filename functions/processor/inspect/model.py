"""What inspecting an object yields, and the two ways it can go wrong."""

from __future__ import annotations

from dataclasses import dataclass


class MediaError(Exception):
    """The bytes themselves are the problem: retrying cannot help. `reason` is shown to the owner."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Rejected(MediaError):
    """Not an allowed upload (wrong or undeclared type, too large, a decompression bomb): the item
    becomes `rejected` and the object is deleted."""


class TooCostly(Rejected):
    """The file would cost more to check than its budget allows (CPU, memory, time, or a decoder's
    own limit such as the number of JPEG scans)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Too costly to process: {what}")


class Broken(MediaError):
    """An allowed type that cannot be read (truncated, corrupt, encrypted): the item becomes `failed`."""


@dataclass(frozen=True)
class Inspection:
    """Metadata per type: images have width/height, videos width/height/duration, audio duration,
    documents page_count. `thumbnail` is a JPEG whose longest side is THUMBNAIL_SIDE."""

    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds, rounded to the millisecond
    page_count: int | None = None
    thumbnail: bytes | None = None
