"""The media allow-list: every accepted format, its MIME types and its type family, in one table.

Seed 002: images (jpg, jpeg, png, gif, webp), videos (mp4, mov), audio (mp3, wav), documents (pdf),
50MB at most. The API checks declared types against this table; the processor checks the bytes.
"""

from __future__ import annotations

import re
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


# RFC 9110 §8.3.1: type "/" subtype *( OWS ";" OWS [ token "=" ( token / quoted-string ) ] ).
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[^\x00-\x08\x0a-\x1f\x7f])*"'
_PARAMETER = re.compile(rf"[ \t]*;[ \t]*(?:(?P<name>{_TOKEN})=(?P<value>{_TOKEN}|{_QUOTED}))?")
_MEDIA_TYPE = re.compile(rf"[ \t]*(?P<essence>{_TOKEN}/{_TOKEN})(?P<parameters>(?:{_PARAMETER.pattern})*)[ \t]*")


def parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    """A Content-Type as RFC 9110 spells it: its `type/subtype` and its parameters, both lower-cased
    but for parameter values (unquoted). Anything else (a CR or LF, a second header, a bare word) is
    a ValueError: such a value is refused, never trimmed into shape."""
    match = _MEDIA_TYPE.fullmatch(value)
    if match is None:
        raise ValueError("must be a media type such as image/png")
    parameters = {}
    for parameter in _PARAMETER.finditer(match["parameters"]):
        raw = parameter["value"]
        if raw is None:  # an empty parameter: `text/plain;`
            continue
        parameters[parameter["name"].lower()] = re.sub(r"\\(.)", r"\1", raw[1:-1]) if raw.startswith('"') else raw
    return match["essence"].lower(), parameters


def by_extension(extension: str) -> MediaFormat | None:
    return _BY_EXTENSION.get(extension.lower().lstrip("."))


def by_mime(mime_type: str) -> MediaFormat | None:
    return _BY_MIME.get(mime_type.split(";", 1)[0].strip().lower())


def by_format(name: str) -> MediaFormat | None:
    """A format name as a client declares it: 'jpeg' and 'jpg' are the same format."""
    return by_extension(name)
