"""Audio (mp3, wav): the duration, from headers alone (mutagen reads the ID3 tag and the first MPEG
frame with its Xing/VBRI table, or the RIFF chunks; it never decodes the audio)."""

from __future__ import annotations

from typing import BinaryIO

from mutagen import FileType
from mutagen.mp3 import MP3
from mutagen.wave import WAVE

from functions.core.media import MediaFormat
from functions.processor.inspect.model import Broken, Inspection

_READERS: dict[str, type[FileType]] = {"mp3": MP3, "wav": WAVE}


def inspect(stream: BinaryIO, media: MediaFormat) -> Inspection:
    length = _READERS[media.format](stream).info.length
    if not length:
        raise Broken(f"The {media.format} file holds no audio")
    return Inspection(duration=round(length, 3))
