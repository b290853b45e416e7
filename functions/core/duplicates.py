"""Which of the files a caller is about to upload they have already: one round trip for a whole drop
of files (POST /api/v2/uploads/check), answered from the owner-scoped hash index.

Only the caller's own `ready` assets are looked at: the index's key starts with the owner, so a hash
cannot reveal that another user holds the same file.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pydantic import Field

from functions.core import media
from functions.core.errors import InvalidInput
from functions.core.identity import Identity
from functions.core.models import AssetModel
from functions.core.schemas import CamelModel, JsonInteger, Name, Sha256
from functions.core.settings import Settings
from functions.core.store import AssetFilters, AssetStore, default_store

# Queries in flight at once for one check: within botocore's default pool of 10 connections.
CONCURRENT_QUERIES = 8


class FileToCheck(CamelModel):
    name: Name
    size: JsonInteger = Field(ge=1, description="bytes")
    sha256: Sha256


class UploadCheckRequest(CamelModel):
    """POST /api/v2/uploads/check: files about to be uploaded, to skip those the caller has already."""

    files: list[FileToCheck] = Field(min_length=1, max_length=100)


class DuplicateOf(CamelModel):
    id: str
    name: str


class CheckedFile(CamelModel):
    name: str
    size: int
    sha256: str
    duplicate_of: DuplicateOf | None = Field(
        description="A ready asset of the caller's with this SHA-256, if any"
    )


class UploadCheckResponse(CamelModel):
    files: list[CheckedFile]


def find_duplicates(
    identity: Identity, files: list[FileToCheck], settings: Settings, *, store: AssetStore | None = None
) -> list[AssetModel | None]:
    """For each file, in order, the caller's newest `ready` asset with its SHA-256, or None."""
    for position, file in enumerate(files):
        if file.size > settings.max_upload_bytes:
            raise InvalidInput(f"files.{position}.size: {media.too_large_message(settings.max_upload_bytes)}")
    store = store or default_store()

    def newest(sha256: str) -> AssetModel | None:
        return next(iter(store.query(identity.sub, AssetFilters(sha256=sha256), page_size=1)), None)

    hashes = list(dict.fromkeys(file.sha256 for file in files))  # each hash once, however often sent
    # The first Query in this thread makes the store's client (botocore makes clients thread-unsafely);
    # the rest run a few at a time on it (its calls are thread-safe): 100 hashes cost ~13 round trips.
    found = {hashes[0]: newest(hashes[0])}
    with ThreadPoolExecutor(max_workers=CONCURRENT_QUERIES) as pool:
        found.update(zip(hashes[1:], pool.map(newest, hashes[1:]), strict=True))
    return [found[file.sha256] for file in files]
