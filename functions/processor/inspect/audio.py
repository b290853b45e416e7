"""Audio (mp3, wav): the duration, from headers alone (mutagen reads the ID3 tag and the first MPEG
frame with its Xing/VBRI table, or the RIFF chunks; it never decodes the audio).

Headers only claim: a WAV header states its data chunk's size and an MP3's Xing table its frame
count, whatever follows. The claim is held against the bytes there are (duration × bitrate), so a
file cut after its header is Broken rather than `ready` with a duration it cannot play."""

from __future__ import annotations

import io
from typing import BinaryIO

from mutagen import FileType
from mutagen.mp3 import MP3
from mutagen.wave import WAVE

from functions.core.media import MediaFormat
from functions.processor.inspect.model import Broken, Inspection

_READERS: dict[str, type[FileType]] = {"mp3": MP3, "wav": WAVE}
# A file must hold at least this share of the audio its header claims (a last frame may be short).
_PRESENT_SHARE = 0.9
# The lowest bitrate MPEG audio has (MPEG-2.5 layer III): no MP3 lasts longer than its bytes at this
# rate. A Xing table can claim any frame count, and mutagen derives the bitrate from the same table.
_MP3_MIN_BITRATE = 8_000


def inspect(stream: BinaryIO, media: MediaFormat) -> Inspection:
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    info = _READERS[media.format](stream).info
    length = info.length
    if not length:
        raise Broken(f"The {media.format} file holds no audio")
    if media.format == "mp3" and length > size * 8 / _MP3_MIN_BITRATE:
        raise Broken(
            f"The mp3 file's header claims {length:,.0f} s of audio, more than its {size:,} bytes can hold"
        )
    claimed_bytes = length * (info.bitrate or 0) / 8
    if size < _PRESENT_SHARE * claimed_bytes:
        raise Broken(
            f"The {media.format} file is truncated: its header claims {length:.1f} s of audio, "
            f"which needs {claimed_bytes:,.0f} bytes, but the file has {size:,}"
        )
    return Inspection(duration=round(length, 3))
