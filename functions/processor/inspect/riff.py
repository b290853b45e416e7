"""A WAV file's header, read from its RIFF chunks: the format, the `fact` sample count, where the
samples are and how many bytes they claim.

Only chunk headers and the small `fmt ` and `fact` bodies are read (a few hundred bytes, one ranged
GET); the samples never are. Every size is held against the file's: a chunk that runs past the end
stops the walk, and a file with more chunks than real writers use before its samples is refused
after reading only those."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from functions.processor.inspect.model import Broken, TooCostly

# Format tags (mmreg.h) whose sample frames are `block_align` bytes each, so the data size alone says
# how many there are.
PCM, IEEE_FLOAT, ALAW, MULAW = 0x0001, 0x0003, 0x0006, 0x0007
FRAME_CODECS = frozenset({PCM, IEEE_FLOAT, ALAW, MULAW})
# ADPCM blocks hold a fixed number of samples, stated in the format chunk's extension.
MS_ADPCM, IMA_ADPCM = 0x0002, 0x0011
ADPCM_CODECS = frozenset({MS_ADPCM, IMA_ADPCM})
MPEG, MPEG_LAYER3 = 0x0050, 0x0055
MPEG_CODECS = frozenset({MPEG, MPEG_LAYER3})
_EXTENSIBLE = 0xFFFE  # the real format tag is the first two bytes of its sub-format GUID

# Broadcast WAVs carry a dozen chunks (bext, iXML, LIST, cue, JUNK…); nothing legitimate needs this
# many to reach its samples.
MAX_CHUNKS = 64
_FMT_BYTES_READ = 40  # WAVEFORMATEXTENSIBLE, the longest format chunk any codec here needs


@dataclass(frozen=True)
class WaveFormat:
    format_tag: int  # resolved through WAVE_FORMAT_EXTENSIBLE
    channels: int
    sample_rate: int
    byte_rate: int  # avg bytes per second as written; 0 when the writer did not know it
    block_align: int
    samples_per_block: int | None  # ADPCM only


@dataclass(frozen=True)
class WaveHeader:
    format: WaveFormat
    data_offset: int
    data_size: int  # as the data chunk's header claims it, which may exceed the file
    fact_samples: int | None  # per channel; None when absent or 0 (a placeholder never filled in)


def read_wave_header(stream: BinaryIO, size: int) -> WaveHeader:
    stream.seek(0)
    riff = stream.read(12)
    if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:] != b"WAVE":
        raise Broken("The wav file is not a RIFF WAVE file")
    wave_format: WaveFormat | None = None
    fact_samples: int | None = None
    data: tuple[int, int] | None = None
    position = 12
    for _ in range(MAX_CHUNKS):
        if position + 8 > size:
            break
        stream.seek(position)
        chunk_id, chunk_size = struct.unpack("<4sI", stream.read(8))
        body = position + 8
        if chunk_id == b"fmt ":
            wave_format = _format(stream.read(min(chunk_size, _FMT_BYTES_READ)))
        elif chunk_id == b"fact" and chunk_size >= 4:
            fact_samples = struct.unpack("<I", stream.read(4))[0] or None
        elif chunk_id == b"data" and data is None:
            data = (body, chunk_size)
        if wave_format and data and (fact_samples or wave_format.format_tag in FRAME_CODECS):
            break  # all that counts is known: the rest (tags, cue points) is not read
        position = body + chunk_size + (chunk_size & 1)  # chunks are padded to an even size
    else:
        if wave_format is None or data is None:
            raise TooCostly(f"a WAV with more than {MAX_CHUNKS} chunks before its format and samples")
    if wave_format is None:
        raise Broken("The wav file has no format chunk")
    if data is None:
        raise Broken("The wav file holds no audio")
    return WaveHeader(wave_format, *data, fact_samples)


def _format(fmt: bytes) -> WaveFormat:
    if len(fmt) < 16:
        raise Broken("The wav file's format chunk is too short")
    format_tag, channels, sample_rate, byte_rate, block_align, _bits = struct.unpack_from("<HHIIHH", fmt)
    extension = fmt[18:]  # after cbSize
    if format_tag == _EXTENSIBLE and len(extension) >= 22:
        format_tag = struct.unpack_from("<H", extension, 6)[0]  # after valid bits (2) and channel mask (4)
    if not channels or not sample_rate or not block_align:
        raise Broken("The wav file's format chunk states no channels, sample rate or block size")
    samples_per_block = None
    if format_tag in ADPCM_CODECS and len(extension) >= 2:
        samples_per_block = struct.unpack_from("<H", extension)[0] or None
    return WaveFormat(format_tag, channels, sample_rate, byte_rate, block_align, samples_per_block)
