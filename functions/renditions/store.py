"""Renditions made once: rendered on the first request, stored under
`renditions/{assetId}/{version}/{spec name}` (version: the bytes' content version, as in the signed
token-free paths) and recorded on the asset item (attribute "renditions", spec name → entry); every
later request finds the entry and only presigns: no S3 call, no decode.

An entry is of one content version (entries of replaced bytes count as absent) and is one of:
    made     {version, key, width, height, format, bytes}
    failed   {version, error}       cannot be rendered (a broken page, over the memory or CPU budget):
                                    every later request answers the same 409 at once, without rendering
    leased   {version, lease, until} being rendered by another request (rendering.py)
Entries are written on the version read, so a rendition made from bytes replaced meanwhile is never
recorded; its object is deleted only when no entry points to it. The source is read by ranged GETs
pinned to its ETag, so a rendition never mixes two versions of the file either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.core import storage
from functions.core.errors import Conflict, NotFound
from functions.core.media import AssetType
from functions.core.models import AssetModel, AssetStatus
from functions.core.settings import Settings
from functions.core.storage import S3Client
from functions.core.store import AssetStore, StaleVersion, default_store
from functions.renditions.errors import InvalidRendition, NotRenderable
from functions.renditions.spec import RenditionSpec, content_version, version_prefix

RENDERED_TYPES = (AssetType.IMAGE, AssetType.VIDEO, AssetType.DOCUMENT)
# Entries per asset at most (a gallery uses a dozen): the item stays far below DynamoDB's 400 KB.
# Past it, the first in name order is dropped, its object included, to make room.
MAX_RECORDED = 100
MAX_ERROR_CHARACTERS = 300
_RECORD_ATTEMPTS = 5


@dataclass(frozen=True)
class StoredRendition:
    key: str
    width: int
    height: int
    format: str
    content_type: str


def recorded_renditions(item: AssetModel) -> dict[str, dict[str, Any]]:
    """Spec name → entry, as stored on the item (plain dicts, whatever pynamodb handed back)."""
    renditions = item.renditions
    if renditions is None:
        return {}
    return {
        name: dict(entry)
        for name, entry in (renditions if isinstance(renditions, dict) else renditions.as_dict()).items()
    }


def current_entry(item: AssetModel, name: str) -> dict[str, Any] | None:
    """The entry for spec `name` made from the bytes `item` has now, if any."""
    entry = recorded_renditions(item).get(name)
    if entry is None or not item.etag or entry.get("version") != content_version(item.etag):
        return None
    return entry


def rendition_keys(item: AssetModel) -> list[str]:
    """The objects of the renditions recorded on `item` (deleted with the asset)."""
    return [str(entry["key"]) for entry in recorded_renditions(item).values() if "key" in entry]


def answer(entry: dict[str, Any]) -> StoredRendition:
    """The made rendition an entry records; NotRenderable (409) for a remembered failure."""
    if "error" in entry:
        raise NotRenderable(str(entry["error"]))
    format = str(entry["format"])
    return StoredRendition(
        key=str(entry["key"]),
        width=int(entry["width"]),
        height=int(entry["height"]),
        format=format,
        content_type=RenditionSpec(None, None, "inside", format).content_type,
    )


def forget_renditions(
    item: AssetModel, settings: Settings, s3: S3Client | None = None, store: AssetStore | None = None
) -> None:
    """New bytes settled for `item`: the renditions made from the old ones go. Entries of other versions
    than the record's now are removed (on the version read, re-read while the record keeps moving),
    then every object under the asset's prefix but the current version's (a rendition of the new bytes
    may be stored meanwhile, recorded or about to be)."""
    s3 = s3 or storage.s3_client(settings)
    store = store or default_store()
    current, version = store.get(item.id), ""
    for _ in range(_RECORD_ATTEMPTS):
        if current is None:
            break
        version = content_version(current.etag) if current.etag else ""
        entries = recorded_renditions(current)
        kept = {name: entry for name, entry in entries.items() if entry.get("version") == version}
        if kept == entries:
            break
        try:
            store.update(current, {"renditions": kept or None})
            break
        except StaleVersion:
            current = store.get(item.id)
    else:
        raise Conflict(f"Asset {item.id} kept changing while its renditions were forgotten")
    keep = version_prefix(item.id, version) if current is not None and version else None
    old = [key for key in _listed(s3, settings, item.id) if keep is None or not key.startswith(keep)]
    storage.delete_objects(old, settings, s3)


def _listed(s3: S3Client, settings: Settings, asset_id: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=settings.bucket_name, Prefix=version_prefix(asset_id)
    )
    return [entry["Key"] for page in pages for entry in page.get("Contents", [])]


def check_renderable(item: AssetModel, spec: RenditionSpec) -> None:
    if item.asset_type not in RENDERED_TYPES:
        raise NotRenderable(
            f"A {item.asset_type} asset has no picture to render (images, videos and PDFs do)"
        )
    if item.status != AssetStatus.READY or not item.etag:
        raise NotRenderable(f"Asset is not ready (status: {item.status})")
    if item.asset_type == AssetType.DOCUMENT:
        if spec.page > (item.page_count or 1):
            raise InvalidRendition(
                f"page must be from 1 to {int(item.page_count or 1)}, the document's page count"
            )
    elif spec.page != 1:
        raise InvalidRendition("page applies to PDF documents only")


def write_entry(
    item: AssetModel,
    name: str,
    entry: dict[str, Any] | None,
    settings: Settings,
    s3: S3Client,
    store: AssetStore,
    *,
    unless: Any = None,
) -> tuple[AssetModel, dict[str, Any] | None]:
    """Set (or with None remove) spec `name`'s entry on the item, on the version read; on a conflict
    re-read: the same bytes → try again; other bytes, or no asset → Conflict / NotFound. `unless(fresh)`
    may return the entry found instead of writing (another request's lease or result). Returns the
    item as written and the entry that stands for `name`. Objects of entries dropped to keep the map
    bounded go."""
    for _ in range(_RECORD_ATTEMPTS):
        found = unless(item) if unless is not None else None
        if found is not None:
            return item, found
        renditions = recorded_renditions(item)
        renditions.pop(name, None)
        dropped = sorted(renditions)[: max(0, len(renditions) + (entry is not None) - MAX_RECORDED)]
        kept = {key: value for key, value in renditions.items() if key not in dropped}
        if entry is not None:
            kept[name] = entry
        try:
            store.update(item, {"renditions": kept or None})
        except StaleVersion:
            fresh = store.get(item.id)
            if fresh is None:
                raise NotFound("Asset not found") from None
            if (fresh.status, fresh.etag) != (item.status, item.etag):
                raise Conflict("The asset's file changed while its rendition was made; try again") from None
            item = fresh
            continue
        gone = [str(renditions[key]["key"]) for key in dropped if "key" in renditions[key]]
        storage.delete_objects(gone, settings, s3)
        return item, entry
    raise Conflict("The asset kept changing while its rendition was recorded; try again")
