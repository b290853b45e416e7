"""MPEG audio frames (MP3, and MPEG in WAV) counted by walking their 4-byte headers, for when no
table says how many there are, or the one there is lies.

Each header states its frame's length, so the walk seeks from header to header and decodes
nothing. It stops at the first bytes that are not a frame like the first (a trailing ID3v1 or APE
tag, the file's end); a last frame cut short still counts, as decoders play what it holds.

Frames follow each other, so a walk fetches every byte it passes (256 KiB blocks through the ranged
reader). It is capped at `MAX_WALKED_BYTES`: audio past the cap is estimated from the walked
frames' average bitrate, which for a long file is what a player's estimate would be anyway."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

# Eight 256 KiB blocks, about 2 minutes at 128 kbit/s: a short file is counted whole. The smallest
# frame is 24 bytes (MPEG-2 layer III at 8 kbit/s and 24 kHz), so the walk reads at most some 87,000
# headers, a few tens of milliseconds.
MAX_WALKED_BYTES = 2 * 1024 * 1024

# kbit/s by bitrate index, for MPEG-1 layers I-III and MPEG-2/2.5 layers I and II-III.
_BITRATES = {
    (1, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (1, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (1, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {1: (44_100, 48_000, 32_000), 2: (22_050, 24_000, 16_000), 3: (11_025, 12_000, 8_000)}
_VERSIONS = {0b11: 1, 0b10: 2, 0b00: 3}  # 3 stands for MPEG-2.5
# Encoders whose Info tag states the delay and padding they added (the ones FFmpeg trims).
_DELAY_WRITERS = (b"LAME", b"Lavf", b"Lavc")


@dataclass(frozen=True)
class FrameHeader:
    version: int  # 1, 2, or 3 for MPEG-2.5
    layer: int
    sample_rate: int
    length: int  # bytes, header included
    samples: int
    mono: bool

    def same_stream(self, other: FrameHeader) -> bool:
        return (self.version, self.layer, self.sample_rate) == (other.version, other.layer, other.sample_rate)


def read_header(stream: BinaryIO, offset: int) -> FrameHeader | None:
    """The frame header at `offset`, or None when there is none (or a free-format one: no length)."""
    stream.seek(offset)
    raw = stream.read(4)
    if len(raw) < 4:
        return None
    (bits,) = struct.unpack(">I", raw)
    version, layer = _VERSIONS.get(bits >> 19 & 0b11), 4 - (bits >> 17 & 0b11)
    bitrate_index, rate_index = bits >> 12 & 0xF, bits >> 10 & 0b11
    if bits >> 21 != 0x7FF or version is None or layer == 4 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    kbps = _BITRATES[(1, layer) if version == 1 else (2, min(layer, 2))][bitrate_index]
    sample_rate, padding = _SAMPLE_RATES[version][rate_index], bits >> 9 & 1
    if layer == 1:
        samples, length = 384, (12 * kbps * 1000 // sample_rate + padding) * 4
    else:
        samples = 576 if layer == 3 and version != 1 else 1152
        length = samples // 8 * kbps * 1000 // sample_rate + padding
    return FrameHeader(version, layer, sample_rate, length, samples, mono=bits >> 6 & 0b11 == 0b11)


def audio_seconds(stream: BinaryIO, start: int, end: int) -> float | None:
    """Seconds of audio in the frames from `start` up to `end`; None when no frame starts at `start`."""
    first = read_header(stream, start)
    if first is None:
        return None
    samples, position, header = 0, start, first
    while header is not None and header.same_stream(first):
        samples += header.samples
        position += header.length
        if position >= end:
            return samples / first.sample_rate
        if position - start >= MAX_WALKED_BYTES:
            # The rest at the walked frames' average bitrate.
            return samples / first.sample_rate * (end - start) / (position - start)
        header = read_header(stream, position)
    return samples / first.sample_rate


def encoder_trim(stream: BinaryIO, table_offset: int, table: FrameHeader) -> int:
    """Samples the encoder added (delay at the start, padding at the end), as the LAME tag after a
    Xing/Info table states them; 0 when there is no such tag."""
    # The table follows the side information: 32 bytes (MPEG-1 stereo), 17 or 9 (mono, MPEG-2/2.5).
    side_info = (32 if not table.mono else 17) if table.version == 1 else (17 if not table.mono else 9)
    stream.seek(table_offset + 4 + side_info)
    tag = stream.read(8)
    if len(tag) < 8 or tag[:4] not in (b"Xing", b"Info"):
        return 0
    flags = struct.unpack_from(">I", tag, 4)[0]
    # frames, bytes, table of contents, quality: the fields the flags say are there
    skipped = sum(size for bit, size in ((1, 4), (2, 4), (4, 100), (8, 4)) if flags & bit)
    stream.seek(skipped, 1)
    lame = stream.read(24)  # encoder (9), revision, lowpass, replay gain (8), flags, bitrate, delays (3)
    if len(lame) < 24 or lame[:4] not in _DELAY_WRITERS:
        return 0
    delays = int.from_bytes(lame[21:24], "big")
    return (delays >> 12) + (delays & 0xFFF)
