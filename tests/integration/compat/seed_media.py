"""Real media the size of seed 002's examples, byte for byte, so its examples compare field by field.

Each file is made by tests/media/generate.py's encoders, then padded to the example's `size` in a
way its format allows (an ancillary PNG chunk, ID3v2 padding, a trailing MP4 `free` box, a PDF
metadata string): the processor still reads the dimensions and durations the seed shows.
"""

from __future__ import annotations

import io
import struct
import zlib

from pypdf import PdfReader, PdfWriter

from tests.media import generate


def png(width: int, height: int, size: int) -> bytes:
    data = generate.encode(generate.picture(width, height), "PNG")
    keyword = b"Comment\0"
    filler = size - len(data) - 12 - len(keyword)  # 12: a chunk's length, type and CRC
    assert filler >= 0, f"a {width}x{height} PNG is already {len(data)} bytes"
    chunk = _png_chunk(b"tEXt", keyword + b"x" * filler)
    return data[:-12] + chunk + data[-12:]  # before IEND, the last 12 bytes


def bmp(width: int = 64, height: int = 48) -> bytes:
    return generate.encode(generate.picture(width, height), "BMP")


def mp4(width: int, height: int, seconds: int, size: int) -> bytes:
    # One frame a second keeps a 1080p clip quick to encode; the duration is what the seed shows.
    data = generate.video(width, height, seconds=seconds, fps=1)
    pad = size - len(data)
    assert pad >= 8
    return data + struct.pack(">I4s", pad, b"free") + bytes(pad - 8)


def mp3(seconds: int, size: int) -> bytes:
    # LAME writes whole 1,152-sample frames and the duration is counted in frames: at 48 kHz,
    # 59.976 s of tone fills exactly 2,500 frames, which is 60.000 s.
    assert seconds == 60, "tuned for the seed's 60 s example"
    data = generate.mp3(seconds=59.976, rate=48_000)
    # Zero bytes after the last frame, which players skip. Not ID3 padding: the first 8 KiB must
    # still show an MPEG frame to be recognised as MP3.
    return data + bytes(size - len(data))


def pdf(pages: int, size: int) -> bytes:
    source = generate.pdf(pages)
    padding = 0
    for _ in range(5):
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
        writer.add_metadata({"/Padding": "x" * padding})
        out = io.BytesIO()
        writer.write(out)
        if len(out.getvalue()) == size:
            return out.getvalue()
        padding += size - len(out.getvalue())
    raise AssertionError(f"could not pad a PDF to {size} bytes")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
