"""Audio (mp3, wav): the duration, from headers alone; the audio is never decoded.

MP3: mutagen reads the ID3 tag and the first MPEG frame with its Xing/VBRI table. A table counting no
frames says nothing, so the frames after it are counted by walking their headers (mpeg.py, capped).

WAV: the RIFF chunks are read here (riff.py). Only PCM, float and A-law/µ-law samples are one block
each, so only for them does the data size say the duration; other codecs (ADPCM, MP3 in WAV) are
timed by their `fact` sample count, held to what the data chunk holds (its MPEG frames walked, its
ADPCM blocks), else by their byte rate.

Headers only claim: a WAV header states its data chunk's size and sample count, an MP3's Xing table
its frame count, whatever follows. The claim is held against the bytes there are, so a file cut
after its header is Broken rather than `ready` with a duration it cannot play."""

from __future__ import annotations

import io
import math
from typing import BinaryIO

from mutagen.mp3 import MP3, MPEGInfo

from functions.core.media import MediaFormat
from functions.processor.inspect import mpeg
from functions.processor.inspect.model import Broken, Inspection
from functions.processor.inspect.riff import FRAME_CODECS, MPEG_CODECS, WaveHeader, read_wave_header

# A file must hold at least this share of the audio its header claims (a last frame may be short).
_PRESENT_SHARE = 0.9
# The lowest bitrate MPEG audio has (MPEG-2.5 layer III): no MP3 lasts longer than its bytes at this
# rate. A Xing table can claim any frame count, and mutagen derives the bitrate from the same table.
_MP3_MIN_BITRATE = 8_000


def inspect(stream: BinaryIO, media: MediaFormat) -> Inspection:
    size = stream.seek(0, io.SEEK_END)
    duration = _wav_duration(stream, size) if media.format == "wav" else _mp3_duration(stream, size)
    return Inspection(duration=round(duration, 3))


def _mp3_duration(stream: BinaryIO, size: int) -> float:
    stream.seek(0)
    info = MP3(stream).info
    length = info.length
    if not length:
        return _frames_after_empty_table(stream, info, size)
    # A file cut short fails both checks; the owner is told it is truncated.
    claimed_bytes = length * info.bitrate / 8
    if size < _PRESENT_SHARE * claimed_bytes:
        raise Broken(
            f"The mp3 file is truncated: its header claims {length:.1f} s of audio, "
            f"which needs {claimed_bytes:,.0f} bytes, but the file has {size:,}"
        )
    if length > size * 8 / _MP3_MIN_BITRATE:
        raise Broken(
            f"The mp3 file's header claims {length:,.0f} s of audio, more than its {size:,} bytes can hold"
        )
    return length


def _frames_after_empty_table(stream: BinaryIO, table: MPEGInfo, size: int) -> float:
    """The audio frames after a Xing/VBRI frame that counts none, counted from their headers (the
    table frame's own bitrate says nothing: FFmpeg picks the smallest that fits the table), less the
    delay and padding the encoder's LAME tag states, which decoders trim. Counted from the bytes
    there are, so there is no claim to hold against the file's size."""
    header = mpeg.read_header(stream, table.frame_offset)
    seconds = header and mpeg.audio_seconds(stream, table.frame_offset + header.length, size)
    if not header or not seconds:
        raise Broken("The mp3 file holds no audio")
    trimmed = mpeg.encoder_trim(stream, table.frame_offset, header) / header.sample_rate
    return max(seconds - trimmed, 0.0)


def _wav_duration(stream: BinaryIO, size: int) -> float:
    header = read_wave_header(stream, size)
    fmt = header.format
    if not header.data_size:
        raise Broken("The wav file holds no audio")
    fact_needs = 0.0
    present = max(0, min(header.data_size, size - header.data_offset))
    if fmt.format_tag in FRAME_CODECS:
        claimed = duration = header.data_size // fmt.block_align / fmt.sample_rate
    elif header.fact_samples:
        claimed = header.fact_samples / fmt.sample_rate
        # A count a little over what the samples hold (a writer counting its last block or frame in
        # full) is held to them, as decoders play them; one far over is truncation, below.
        duration = min(claimed, _data_seconds(stream, header, present))
        fact_needs = _bytes_for_samples(header, header.fact_samples)
    else:
        claimed = duration = header.data_size / _bytes_per_second(stream, header)
    needed = max(header.data_size, fact_needs)
    if present < _PRESENT_SHARE * needed:
        raise Broken(
            f"The wav file is truncated: its header claims {claimed:.1f} s of audio, "
            f"which needs {needed:,.0f} bytes of samples, but the file has {present:,}"
        )
    return duration


def _data_seconds(stream: BinaryIO, header: WaveHeader, present: int) -> float:
    """How long the compressed samples in the data chunk last, at most: its MPEG frames counted
    from their headers (capped, see mpeg.py), its ADPCM blocks, else its size at the byte rate
    (infinite when none is stated)."""
    fmt = header.format
    if fmt.format_tag in MPEG_CODECS:
        counted = mpeg.audio_seconds(stream, header.data_offset, header.data_offset + present)
        return math.inf if counted is None else counted
    if fmt.samples_per_block:
        return math.ceil(header.data_size / fmt.block_align) * fmt.samples_per_block / fmt.sample_rate
    return header.data_size / fmt.byte_rate if fmt.byte_rate else math.inf


def _bytes_for_samples(header: WaveHeader, samples: int) -> float:
    """The fewest bytes of samples the `fact` count needs (0 when the codec's rate is unknown)."""
    fmt = header.format
    if fmt.samples_per_block:
        return math.ceil(samples / fmt.samples_per_block) * fmt.block_align
    seconds = samples / fmt.sample_rate
    if fmt.format_tag in MPEG_CODECS:  # variable bitrate: the byte rate, if any, is an average
        return seconds * _MP3_MIN_BITRATE / 8
    return seconds * fmt.byte_rate


def _bytes_per_second(stream: BinaryIO, header: WaveHeader) -> float:
    """The compressed audio's byte rate, for a WAV with no `fact` count."""
    fmt = header.format
    if fmt.byte_rate:
        return fmt.byte_rate
    if fmt.samples_per_block:
        return fmt.sample_rate * fmt.block_align / fmt.samples_per_block
    if fmt.format_tag in MPEG_CODECS:  # the first MPEG frame's bitrate
        return MPEGInfo(stream, offset=header.data_offset).bitrate / 8
    raise Broken(f"The wav file's audio (format {fmt.format_tag:#06x}) states neither its length nor its byte rate")
