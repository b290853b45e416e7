"""The processor's media layer: what an uploaded object really is, and what is in it.

    reader = RangedObjectReader(s3, bucket, key, size)            # or the bytes themselves
    media, inspection = examine_within_budget(reader, item.asset_type, item.format)

`examine_within_budget` runs `examine` in the inspection worker, a child process under the type's
CPU, memory and time budget (budget.py); a file over it is `TooCostly`, a `Rejected`.

`examine` checks the size, sniffs the first bytes, holds them against the declared type, refuses
polyglots (a file that is also HTML, a PDF or a ZIP archive) and inspects the object with the
library for its type. Bad bytes end in `Rejected` (not an allowed upload: delete the object) or
`Broken` (an allowed type that cannot be read: mark the item failed);
both carry a `.reason` for the owner. Anything else, AWS errors included, propagates untouched so
the message is retried. The per-type modules, and with them Pillow, PyAV, pypdf and mutagen, are
imported only when an object of their type arrives.
"""

from __future__ import annotations

import importlib
import io

from functions.core.media import AssetType, MediaFormat
from functions.processor.inspect.budget import OutOfTime, examine_within_budget, run_within_budget
from functions.processor.inspect.model import Broken, Inspection, MediaError, Rejected, TooCostly
from functions.processor.inspect.polyglot import check_single_format
from functions.processor.inspect.sniff import SNIFF_BYTES, check_declared, check_size, id3v2_length, sniff
from functions.processor.inspect.source import RangedObjectReader, Source, open_source
from functions.processor.inspect.worker import entering

__all__ = [
    "SNIFF_BYTES",
    "Broken",
    "Inspection",
    "MediaError",
    "OutOfTime",
    "RangedObjectReader",
    "Rejected",
    "Source",
    "TooCostly",
    "check_declared",
    "check_size",
    "examine",
    "examine_within_budget",
    "inspect",
    "run_within_budget",
    "sniff",
]


def examine(source: Source, declared_type: AssetType, declared_format: str) -> tuple[MediaFormat, Inspection]:
    """The format to store (what the bytes are) and what they hold."""
    stream = open_source(source)
    size = stream.seek(0, io.SEEK_END)
    check_size(size)
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    signature = head
    if tag_length := id3v2_length(head):
        # What follows a large ID3 tag (cover art) says what the audio is.
        stream.seek(tag_length)
        signature = stream.read(SNIFF_BYTES)
    media = check_declared(sniff(signature), declared_type, declared_format)
    check_single_format(stream, size, head, media)
    stream.seek(0)
    return media, inspect(media, stream)


def inspect(media: MediaFormat, source: Source) -> Inspection:
    """Metadata and thumbnail of an object already known to be `media`."""
    entering("inspect")
    stream = open_source(source)
    # One module per asset type, named after it: image, video, audio, document. Outside the try: a
    # missing library is a deployment fault to retry and alarm on, not a broken file.
    inspector = importlib.import_module(f"{__name__}.{media.asset_type.value}")
    try:
        return inspector.inspect(stream, media)
    except (MediaError, MemoryError):  # over its memory budget: the worker says so
        raise
    except Exception as exc:  # hostile bytes make parsers raise anything: it is still unreadable media
        raise Broken(f"Cannot read this {media.format} file: {_describe(exc)}") from exc
    finally:
        # A failed GET that a library swallowed, or reported as corrupt input, is still an AWS error.
        if isinstance(stream, RangedObjectReader):
            stream.raise_failure()


def _describe(exc: Exception) -> str:
    # FFmpeg errors read "[Errno 1094995529] Invalid data found…: '<none>'"; their strerror is the sentence.
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
