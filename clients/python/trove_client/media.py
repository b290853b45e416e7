"""The file types Trove takes, by extension: what `POST /api/v2/uploads` is told about a file.

The API's allow-list (seed 002): images jpg/jpeg, png, gif, webp; videos mp4 (m4v), mov; audio mp3,
wav; documents pdf; 50 MB at most. The processor checks the bytes; this only declares them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024


@dataclass(frozen=True)
class Declared:
    asset_type: str
    format: str
    content_type: str


BY_EXTENSION: Final[dict[str, Declared]] = {
    "jpg": Declared("image", "jpg", "image/jpeg"),
    "jpeg": Declared("image", "jpg", "image/jpeg"),
    "png": Declared("image", "png", "image/png"),
    "gif": Declared("image", "gif", "image/gif"),
    "webp": Declared("image", "webp", "image/webp"),
    "mp4": Declared("video", "mp4", "video/mp4"),
    "m4v": Declared("video", "mp4", "video/mp4"),
    "mov": Declared("video", "mov", "video/quicktime"),
    "mp3": Declared("audio", "mp3", "audio/mpeg"),
    "wav": Declared("audio", "wav", "audio/wav"),
    "pdf": Declared("document", "pdf", "application/pdf"),
}


def declared(path: Path) -> Declared | None:
    """How a file is declared by its extension; None when Trove does not take that type."""
    return BY_EXTENSION.get(path.suffix.lower().lstrip("."))
