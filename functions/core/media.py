"""The media allow-list: every accepted format, its MIME types and its type family, in one table.

Seed 002: images (jpg, jpeg, png, gif, webp), videos (mp4, mov), audio (mp3, wav), documents (pdf),
50MB at most. The API checks declared types against this table; the processor checks the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from functions.core.topology import MAX_UPLOAD_BYTES, MB


class AssetType(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENT = "document"
    LINK = "link"


@dataclass(frozen=True)
class MediaFormat:
    format: str  # the canonical name stored on the asset
    asset_type: AssetType
    extensions: tuple[str, ...]
    mime_types: tuple[str, ...]  # first one is canonical; the rest are what browsers and libmagic also say
    thumbnail: bool


MEDIA_FORMATS: tuple[MediaFormat, ...] = (
    MediaFormat("jpg", AssetType.IMAGE, ("jpg", "jpeg"), ("image/jpeg", "image/pjpeg"), True),
    MediaFormat("png", AssetType.IMAGE, ("png",), ("image/png",), True),
    MediaFormat("gif", AssetType.IMAGE, ("gif",), ("image/gif",), True),
    MediaFormat("webp", AssetType.IMAGE, ("webp",), ("image/webp",), True),
    MediaFormat("mp4", AssetType.VIDEO, ("mp4", "m4v"), ("video/mp4",), True),
    MediaFormat("mov", AssetType.VIDEO, ("mov",), ("video/quicktime",), True),
    MediaFormat("mp3", AssetType.AUDIO, ("mp3",), ("audio/mpeg", "audio/mp3"), False),
    MediaFormat(
        "wav", AssetType.AUDIO, ("wav",), ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"), False
    ),
    MediaFormat("pdf", AssetType.DOCUMENT, ("pdf",), ("application/pdf",), True),
)

_BY_EXTENSION = {ext: media for media in MEDIA_FORMATS for ext in media.extensions}
_BY_MIME = {mime: media for media in MEDIA_FORMATS for mime in media.mime_types}

ALLOWED_EXTENSIONS: tuple[str, ...] = tuple(_BY_EXTENSION)
ALLOWED_MIME_TYPES: tuple[str, ...] = tuple(_BY_MIME)
FILE_ASSET_TYPES: tuple[AssetType, ...] = (AssetType.IMAGE, AssetType.VIDEO, AssetType.AUDIO, AssetType.DOCUMENT)

# Seed 002, "Error Handling", to the letter.
ALLOWED_TYPES_TEXT = "images (jpg, png, gif, webp), videos (mp4, mov), audio (mp3, wav), documents (pdf)"


def invalid_type_message(detected: str) -> str:
    return f"Invalid file type: {detected}. Allowed: {ALLOWED_TYPES_TEXT}"


def too_large_message(limit_bytes: int = MAX_UPLOAD_BYTES) -> str:
    return f"File too large. Maximum size is {limit_bytes / MB:.1f}MB"


def by_extension(extension: str) -> MediaFormat | None:
    return _BY_EXTENSION.get(extension.lower().lstrip("."))


def by_mime(mime_type: str) -> MediaFormat | None:
    return _BY_MIME.get(mime_type.split(";", 1)[0].strip().lower())


def by_format(name: str) -> MediaFormat | None:
    """A format name as a client declares it: 'jpeg' and 'jpg' are the same format."""
    return by_extension(name)
