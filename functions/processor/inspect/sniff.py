"""What the bytes are, whatever the upload claimed: libmagic on the object's first bytes.

SNIFF_BYTES is 8 KiB: every allowed signature sits in the first few dozen bytes (JPEG/PNG/GIF
markers, RIFF…WEBP/WAVE, the MP4/MOV `ftyp` box and its brand, `%PDF-`, an ID3v2 header or an MPEG
audio frame sync), and libmagic's text tests (HTML, scripts, plain text renamed .png) look at the
start of a text; 8 KiB covers both with room to spare. Through RangedObjectReader it costs the
first block's GET, which the inspector then reads from the cache. libmagic says
`application/octet-stream` when it recognises nothing (e.g. a file cut after a few bytes) and
`application/x-empty` for zero bytes: neither is allowed, so both are rejected with that name.
"""

from __future__ import annotations

import magic

from functions.core.media import AssetType, MediaFormat, by_mime, invalid_type_message, too_large_message
from functions.core.topology import MAX_UPLOAD_BYTES
from functions.processor.inspect.model import Rejected

SNIFF_BYTES = 8 * 1024

# libmagic's names for allowed formats that the allow-list spells otherwise. It already tells MOV
# from MP4 by the `ftyp` brand (`qt  ` → video/quicktime) and says audio/x-wav for WAV, audio/mpeg
# for MP3 with or without an ID3 tag.
_MAGIC_ALIASES = {"video/x-m4v": "video/mp4"}


def check_size(size: int, limit: int = MAX_UPLOAD_BYTES) -> None:
    if size > limit:
        raise Rejected(too_large_message(limit))


def id3v2_length(head: bytes) -> int:
    """How many bytes an ID3v2 tag at the start takes (0 if none). MP3s carry cover art there, so the
    audio whose signature libmagic needs can start far past the first SNIFF_BYTES."""
    if len(head) < 10 or head[:3] != b"ID3" or any(byte & 0x80 for byte in head[6:10]):
        return 0
    size = 0
    for byte in head[6:10]:  # "synchsafe": 7 bits per byte
        size = size << 7 | byte
    has_footer = bool(head[5] & 0x10)
    return 10 + size + (10 if has_footer else 0)


def sniff(head: bytes) -> MediaFormat:
    """The allowed format the first bytes belong to; anything else is Rejected with libmagic's MIME type."""
    detected = magic.from_buffer(head, mime=True)
    media = by_mime(_MAGIC_ALIASES.get(detected, detected))
    if media is None:
        raise Rejected(invalid_type_message(detected))
    return media


def check_declared(detected: MediaFormat, declared_type: AssetType, declared_format: str) -> MediaFormat:
    """The format to store. The type family must be the one declared (an 'image' that is a video is
    Rejected); within the family the bytes win: a PNG declared as jpg is stored as png, and an "MP3"
    that is really WAV is accepted as wav, since it plays as the audio the owner uploaded."""
    if detected.asset_type != declared_type:
        raise Rejected(
            f"File content is {detected.mime_types[0]} ({detected.asset_type}), "
            f"not the declared {declared_type} ({declared_format})"
        )
    return detected
