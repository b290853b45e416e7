"""What a usage is stored against: a URI resolved to the owner's asset it names, if any.

``assetUri`` is canonical: a URI that names one of the owner's own assets (``trove://asset/{id}``, an
``s3://`` URI of its object or thumbnail in Trove's bucket, a link asset's URL) is stored as that
asset's ``trove://`` URI with its id, so every spelling of one asset lands in one partition. Anything
else (another user's asset included) is stored as written with no asset id: an external or unknown
asset, still listed for its consumer and still drawn in flow graphs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from functions.core import media, storage, topology
from functions.core.models import AssetModel
from functions.core.settings import Settings
from functions.core.store import AssetFilters, AssetStore
from functions.lineage.uris import asset_uri, is_link_uri, parse_object_uri, parse_trove_uri


@dataclass(frozen=True)
class Target:
    """What a usage is stored against: the canonical URI, and the owner's asset it names (if any)."""

    uri: str
    asset_id: str | None


def resolve(owner: str, uris: Iterable[str], settings: Settings, assets: AssetStore) -> dict[str, Target]:
    """Each URI's target among the owner's own assets: one batch read for the ids the URIs name, and
    one query of the owner's link assets when there are URLs (link URLs have no index of their own)."""
    uris = set(uris)
    named = {uri: asset_id for uri in uris if (asset_id := _named_asset_id(uri, settings.bucket_name))}
    owned = (
        {item.id for item in assets.get_many(set(named.values())) if item.owner == owner} if named else set()
    )
    links = _link_assets(owner, assets) if any(is_link_uri(uri) for uri in uris) else {}
    targets = {}
    for uri in uris:
        asset_id = named[uri] if named.get(uri) in owned else links.get(uri)
        targets[uri] = Target(asset_uri(UUID(asset_id)), asset_id) if asset_id else Target(uri, None)
    return targets


def _named_asset_id(uri: str, bucket: str) -> str | None:
    """The id a trove:// URI names, or an s3:// URI of an asset's object or thumbnail in our bucket."""
    if (asset_id := parse_trove_uri(uri)) is not None:
        return str(asset_id)
    parts = parse_object_uri(uri)
    if parts is None or parts[0] != bucket:
        return None
    key = parts[1]
    stem = (
        key.removeprefix(topology.UPLOADS_PREFIX)
        .removeprefix(topology.THUMBNAILS_PREFIX)
        .removesuffix(".jpg")
    )
    try:
        candidate = str(UUID(stem))
    except ValueError:
        return None
    # Only the exact keys Trove writes: `uploads/{id}` and `thumbnails/{id}.jpg`.
    return candidate if key in (storage.upload_key(candidate), storage.thumbnail_key(candidate)) else None


def _link_assets(owner: str, assets: AssetStore) -> dict[str, str]:
    """URL → id of the owner's link assets; the newest wins when two share a URL."""
    found: dict[str, str] = {}
    for item in assets.query(owner, AssetFilters(asset_type=media.AssetType.LINK)):
        if item.url:
            found.setdefault(item.url, item.id)
    return found


def asset_uris(item: AssetModel) -> list[str]:
    """Where usages of an asset are stored: its trove:// URI, and a link asset's URL too (usages found
    before the link asset existed are stored under the URL)."""
    uris = [asset_uri(UUID(item.id))]
    if item.asset_type == media.AssetType.LINK and item.url:
        uris.append(item.url)
    return uris
