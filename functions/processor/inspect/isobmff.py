"""Box headers of MP4 and QuickTime files (ISO/IEC 14496-12), walked without reading the boxes: how
many samples each track's table lists, known before FFmpeg allocates an index entry for every one.

An index of millions costs FFmpeg hundreds of megabytes; how far it gets before the memory budget
stops it (and whether it then drops the index and goes on) depends on what the worker holds, so the
count is read here, in a few small reads, and the file refused for it the same way every time.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

# The boxes on the way from the top to a track's sample table.
_PATH = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}
_SAMPLE_SIZES = {b"stsz", b"stz2"}  # both hold the sample count at the same offset
# Walked at most, per level: a file of thousands of boxes (fragments) is FFmpeg's to read, not ours.
MAX_BOXES = 64


def sample_counts(stream: BinaryIO, size: int) -> list[int]:
    """The sample count of every track's sample table, in file order; what cannot be read is left out."""
    counts: list[int] = []
    _walk(stream, 0, size, counts, depth=0)
    return counts


def _walk(stream: BinaryIO, start: int, end: int, counts: list[int], depth: int) -> None:
    offset = start
    for _ in range(MAX_BOXES):
        if offset + 8 > end:
            return
        stream.seek(offset)
        header = stream.read(16)
        if len(header) < 8:
            return
        length, kind = struct.unpack(">I4s", header[:8])
        body = 8
        if length == 1 and len(header) == 16:  # a 64-bit size follows the type
            length, body = struct.unpack(">Q", header[8:16])[0], 16
        elif length == 0:  # to the end of the enclosing box
            length = end - offset
        if length < body:
            return  # not a box: FFmpeg says what is wrong with the file
        box_end = min(offset + length, end)
        if kind in _PATH and depth < len(_PATH):
            _walk(stream, offset + body, box_end, counts, depth + 1)
        elif kind in _SAMPLE_SIZES:
            stream.seek(offset + body)
            fields = stream.read(12)  # version and flags, the sample size (or field size), the count
            if len(fields) == 12:
                counts.append(struct.unpack(">I", fields[8:12])[0])
        offset += length
