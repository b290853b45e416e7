"""Asset use cases: create, list, read, change and delete, owner-only.

Nothing here sees an HTTP event: callers pass an Identity, validated models and Settings.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

from functions.core import media, storage
from functions.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from functions.core.identity import Identity
from functions.core.models import AssetModel, AssetStatus, now
from functions.core.observability import traced
from functions.core.schemas import AssetPatch, LinkCreate, UploadRequest, check_uuid4
from functions.core.settings import Settings
from functions.core.storage import PresignedPost, S3Client
from functions.core.store import AssetFilters, AssetStore, StaleVersion, default_store
from functions.renditions.store import rendition_keys

MAX_LIST_LIMIT = 100
DEFAULT_LIST_LIMIT = 50
_OPTIMISTIC_RETRIES = 5
_CURSOR_KEY = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z#[0-9a-f-]{36}$")


@dataclass(frozen=True)
class Page:
    items: list[AssetModel]
    next_cursor: str | None


def parse_asset_id(raw: str) -> str:
    """Checked before any lookup: a malformed id never reaches DynamoDB."""
    try:
        return check_uuid4(raw)
    except ValueError:
        raise InvalidInput("Invalid asset ID: must be a UUID") from None


@traced
def get_owned(
    identity: Identity, raw_id: str, action: str = "access", *, store: AssetStore | None = None
) -> AssetModel:
    item = (store or default_store()).get(parse_asset_id(raw_id))
    if item is None:
        raise NotFound("Asset not found")
    if item.owner != identity.sub:
        raise Forbidden(f"You don't have permission to {action} this asset")
    return item


def _new_item(identity: Identity, asset_type: str, name: str, links: dict) -> AssetModel:
    moment = now()
    return AssetModel(
        str(uuid4()),
        owner=identity.sub,
        user_id=identity.user_id,
        asset_type=asset_type,
        name=name,
        uploaded_at=moment,
        created_at=moment,
        updated_at=moment,
        **links,
    )


def _declared_media(request: UploadRequest, settings: Settings) -> tuple[media.MediaFormat, str]:
    declared = media.by_format(request.format)
    if declared is None:
        raise InvalidInput(media.invalid_type_message(request.content_type or request.format))
    if declared.asset_type != request.type:
        raise InvalidInput(f"Format {request.format} is {declared.asset_type}, not {request.type}")
    # Exactly one of the format's own types (UploadRequest has already dropped any parameters): this
    # goes into the S3 POST policy and the record as it is.
    content_type = request.content_type or declared.mime_types[0]
    if content_type not in declared.mime_types:
        raise InvalidInput(media.invalid_type_message(content_type))
    if request.size > settings.max_upload_bytes:
        raise InvalidInput(media.too_large_message(settings.max_upload_bytes))
    if request.size == 0:
        raise InvalidInput("File is empty")
    return declared, content_type


@traced
def create_upload(
    identity: Identity,
    request: UploadRequest,
    settings: Settings,
    s3: S3Client | None = None,
    *,
    store: AssetStore | None = None,
) -> tuple[AssetModel, PresignedPost]:
    """A pending asset and the presigned POST that will carry its bytes straight to S3."""
    item = create_pending(identity, request, settings, store=store)
    return item, storage.presign_upload(
        storage.upload_key(item.id), item.content_type, int(item.size), settings, s3, sha256=item.sha256
    )


@traced
def create_pending(
    identity: Identity, request: UploadRequest, settings: Settings, *, store: AssetStore | None = None
) -> AssetModel:
    """A pending file asset whose bytes will arrive at its upload key: shared by the presigned flow
    and the multipart path (POST /api/v2/upload-asset), which puts the bytes there itself. Its
    `object_key` names where the bytes are served from once they pass the processor's checks."""
    declared, content_type = _declared_media(request, settings)
    links = request.model_dump(include={"client_id", "campaign_id", "project_id", "todo_id"})
    item = _new_item(identity, request.type, request.name, links)
    item.description = request.description
    item.tags = request.tags
    item.format = declared.format
    item.content_type = content_type
    item.size = request.size
    item.sha256 = request.sha256  # declared: the processor confirms it
    item.object_key = storage.file_key(item.id)
    # Never-arriving uploads expire instead of staying pending forever.
    item.expires_at = item.created_at + timedelta(seconds=settings.pending_ttl_seconds)
    (store or default_store()).create(item)
    return item


@traced
def create_link(identity: Identity, request: LinkCreate, *, store: AssetStore | None = None) -> AssetModel:
    links = request.model_dump(include={"client_id", "campaign_id", "project_id", "todo_id"})
    item = _new_item(identity, media.AssetType.LINK, request.name, links)
    item.url = request.url
    item.description = request.description
    item.tags = request.tags
    item.format = "url"
    item.status = AssetStatus.READY
    (store or default_store()).create(item)
    return item


def _encode_cursor(item: AssetModel) -> str:
    return base64.urlsafe_b64encode(item.list_key.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        key = ""
    if not _CURSOR_KEY.match(key):
        raise InvalidInput("Invalid cursor")
    return key


@traced
def list_assets(
    identity: Identity,
    filters: AssetFilters,
    limit: int = DEFAULT_LIST_LIMIT,
    offset: int = 0,
    cursor: str | None = None,
    *,
    store: AssetStore | None = None,
) -> Page:
    """The caller's assets, newest first; `offset` skips, `cursor` continues after a previous page."""
    wanted = offset + limit + 1  # one more than shown tells whether a next page exists
    after = _decode_cursor(cursor) if cursor else None
    found: list[AssetModel] = []
    for item in (store or default_store()).query(identity.sub, filters, after=after, page_size=min(wanted, 1000)):
        found.append(item)
        if len(found) == wanted:
            break
    items = found[offset : offset + limit]
    has_more = len(found) == wanted
    return Page(items=items, next_cursor=_encode_cursor(items[-1]) if has_more and items else None)


def _save_with_retries(identity: Identity, raw_id: str, change, store: AssetStore) -> AssetModel:
    """Apply `change` to the newest version; a concurrent write (the processor) makes us re-read and retry."""
    for _ in range(_OPTIMISTIC_RETRIES):
        item = get_owned(identity, raw_id, "change", store=store)
        change(item)
        item.updated_at = now()
        try:
            store.save(item)
            return item
        except StaleVersion:
            continue
    raise Conflict("The asset changed while it was being updated; try again")


@traced
def patch_asset(
    identity: Identity, raw_id: str, patch: AssetPatch, *, store: AssetStore | None = None
) -> AssetModel:
    changes = patch.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise InvalidInput("name cannot be null")

    def apply(item: AssetModel) -> None:
        if "url" in changes and item.asset_type != media.AssetType.LINK:
            raise InvalidInput("Only link assets have a reference URL to change")
        if "url" in changes and changes["url"] is None:
            raise InvalidInput("A link asset needs a URL")
        for field, value in changes.items():
            setattr(item, field, value)

    return _save_with_retries(identity, raw_id, apply, store or default_store())


@traced
def delete_asset(
    identity: Identity,
    raw_id: str,
    settings: Settings,
    s3: S3Client | None = None,
    *,
    guard: Callable[[AssetModel], None] | None = None,
    store: AssetStore | None = None,
) -> AssetModel:
    """Objects first, then the record on the version we saw: if the processor wrote meanwhile
    (a thumbnail, say), the record's version moved, so we go round again and delete that too.
    `guard` sees each version read before anything goes, and refuses by raising (the API passes
    lineage's "nothing uses it" check). The record deleted is returned."""
    store = store or default_store()
    for _ in range(_OPTIMISTIC_RETRIES):
        item = get_owned(identity, raw_id, "delete", store=store)
        if guard is not None:
            guard(item)
        storage.delete_objects(object_keys(item), settings, s3)
        try:
            store.delete(item)
        except StaleVersion:
            continue
        return item
    raise Conflict("The asset changed while it was being deleted; try again")


def object_keys(item: AssetModel) -> list[str]:
    """The S3 keys an asset may have (its upload, its checked copy, its thumbnail, the renditions
    recorded on it); deleting a missing one is harmless."""
    if item.asset_type == media.AssetType.LINK:
        return []
    made = [storage.upload_key(item.id), storage.file_key(item.id), storage.thumbnail_key(item.id)]
    return made + rendition_keys(item)


@traced
def download_url(
    identity: Identity,
    raw_id: str,
    settings: Settings,
    s3: S3Client | None = None,
    *,
    store: AssetStore | None = None,
) -> str:
    """Where to read the asset: a short-lived URL of its served copy, or a link's URL."""
    item = get_owned(identity, raw_id, store=store)
    if item.asset_type != media.AssetType.LINK and item.status != AssetStatus.READY:
        raise Conflict(f"Asset is not ready (status: {item.status})")
    if item.asset_type == media.AssetType.LINK:
        return item.url
    return storage.presign_download(
        item.object_key, settings, filename=item.name, content_type=item.content_type or "application/octet-stream", s3=s3
    )


@traced
def thumbnail_url(
    identity: Identity, raw_id: str, settings: Settings, s3: S3Client | None = None, *, store: AssetStore | None = None
) -> str:
    item = get_owned(identity, raw_id, store=store)
    if item.status != AssetStatus.READY or not item.thumbnail_key:
        raise NotFound("Thumbnail not found")
    return storage.presign_download(
        item.thumbnail_key, settings, filename=f"{item.name}.jpg", content_type="image/jpeg", s3=s3
    )
