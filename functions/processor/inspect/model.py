"""What inspecting an object yields, and the two ways it can go wrong."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    documents page_count. `thumbnail` is a JPEG whose longest side is THUMBNAIL_SIDE; `placeholder` is
    its ThumbHash (base64), derived from it where the Inspection is made (in the inspection worker)."""

    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds, rounded to the millisecond
    page_count: int | None = None
    thumbnail: bytes | None = None
    placeholder: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.thumbnail is not None:
            # Imported here: Pillow loads in the worker, where thumbnails are made, not in its parent.
            from functions.processor.inspect.placeholder import placeholder_of_jpeg

            object.__setattr__(self, "placeholder", placeholder_of_jpeg(self.thumbnail))
