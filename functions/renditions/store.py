"""Renditions made once: rendered on the first request, stored under `renditions/{assetId}/`, recorded on
the asset item (attribute "renditions": spec name → {key, width, height, format, bytes}); every later
request finds the record and only presigns: no S3 call, no decode.

The record is written on the version read, so a rendition made from bytes that were replaced
meanwhile (a re-upload settled while it rendered) is never recorded: its object is deleted and the
caller told to try again. The source is read by ranged GETs pinned to its ETag, so a rendition
never mixes two versions of the file either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from functions.core import storage, topology
from functions.core.errors import Conflict, NotFound
from functions.core.media import AssetType
from functions.core.models import AssetModel, AssetStatus
from functions.core.settings import Settings
from functions.core.storage import S3Client
from functions.core.store import AssetStore, StaleVersion, default_store
from functions.renditions.errors import InvalidRendition, NotRenderable, RenditionUnavailable
from functions.renditions.spec import RenditionSpec

RENDER_TASK = "functions.renditions.render:render"
RENDERED_TYPES = (AssetType.IMAGE, AssetType.VIDEO, AssetType.DOCUMENT)
# Recorded per asset at most (a gallery uses a dozen): the item stays far below DynamoDB's 400 KB.
# Past it, the first recorded in name order is dropped, object included, to make room.
MAX_RECORDED = 100
_RECORD_ATTEMPTS = 5
_CHANGED_CODES = ("PreconditionFailed", "412", "NoSuchKey", "404")


@dataclass(frozen=True)
class StoredRendition:
    key: str
    width: int
    height: int
    format: str
    content_type: str


def recorded_renditions(item: AssetModel) -> dict[str, dict[str, Any]]:
    """Spec name → record, as stored on the item (a plain dict, whatever pynamodb handed back)."""
    renditions = item.renditions
    if renditions is None:
        return {}
    return dict(renditions if isinstance(renditions, dict) else renditions.as_dict())


def rendition_keys(item: AssetModel) -> list[str]:
    """The objects of the renditions recorded on `item` (deleted with the asset)."""
    return [str(record["key"]) for record in recorded_renditions(item).values()]


def ensure_rendition(
    item: AssetModel,
    spec: RenditionSpec,
    settings: Settings,
    *,
    s3: S3Client | None = None,
    store: AssetStore | None = None,
    deadline: float | None = None,
) -> StoredRendition:
    """The rendition `spec` of `item`: the recorded one without any S3 call or decoding, else rendered
    within the type's budget (before `deadline`, time.monotonic()), stored and recorded."""
    _check_renderable(item, spec)  # first: a recorded rendition of an asset no longer ready is not served
    recorded = recorded_renditions(item).get(spec.name)
    if recorded is not None:
        return _stored(recorded)
    s3 = s3 or storage.s3_client(settings)
    store = store or default_store()
    body, width, height = _render(item, spec, settings, s3, deadline)
    key = spec.key(item.id)
    s3.put_object(Bucket=settings.bucket_name, Key=key, Body=body, ContentType=spec.content_type)
    record = {"key": key, "width": width, "height": height, "format": spec.format, "bytes": len(body)}
    _record(item, spec.name, record, settings, s3, store)
    return _stored(record)


def forget_renditions(
    item: AssetModel, settings: Settings, s3: S3Client | None = None, store: AssetStore | None = None
) -> None:
    """New bytes settled for `item`: the renditions made from the old ones go. The objects under the
    asset's prefix are listed first (a rendition stored but never recorded goes too), then the map
    is cleared on the version read now (re-read while the record keeps moving), then the objects go.
    A rendition recorded after the listing comes from a record read after the new bytes settled."""
    s3 = s3 or storage.s3_client(settings)
    store = store or default_store()
    keys = set(_listed(s3, settings, item.id)) | set(rendition_keys(item))
    # The record as it is now: `item` may be as read before renditions were recorded on it.
    current = store.get(item.id)
    for _ in range(_RECORD_ATTEMPTS):
        if current is None or not recorded_renditions(current):
            break
        keys.update(rendition_keys(current))
        try:
            store.update(current, {"renditions": None})
            break
        except StaleVersion:
            current = store.get(item.id)
    else:
        raise Conflict(f"Asset {item.id} kept changing while its renditions were forgotten")
    storage.delete_objects(sorted(keys), settings, s3)


def _listed(s3: S3Client, settings: Settings, asset_id: str) -> list[str]:
    prefix = f"{topology.RENDITIONS_PREFIX}{asset_id}/"
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=settings.bucket_name, Prefix=prefix)
    return [entry["Key"] for page in pages for entry in page.get("Contents", [])]


def _stored(record: dict[str, Any]) -> StoredRendition:
    format = str(record["format"])
    return StoredRendition(
        key=str(record["key"]),
        width=int(record["width"]),
        height=int(record["height"]),
        format=format,
        content_type=RenditionSpec(None, None, "inside", format).content_type,
    )


def _check_renderable(item: AssetModel, spec: RenditionSpec) -> None:
    if item.asset_type not in RENDERED_TYPES:
        raise NotRenderable(
            f"A {item.asset_type} asset has no picture to render (images, videos and PDFs do)"
        )
    if item.status != AssetStatus.READY:
        raise NotRenderable(f"Asset is not ready (status: {item.status})")
    if item.asset_type == AssetType.DOCUMENT:
        if spec.page > (item.page_count or 1):
            raise InvalidRendition(
                f"page must be from 1 to {int(item.page_count or 1)}, the document's page count"
            )
    elif spec.page != 1:
        raise InvalidRendition("page applies to PDF documents only")


def _render(
    item: AssetModel, spec: RenditionSpec, settings: Settings, s3: S3Client, deadline: float | None
) -> tuple[bytes, int, int]:
    """(bytes, width, height) of the rendition, made in the inspection worker within the type's budget."""
    # The processor's media layer is loaded by the first rendition, not by every API cold start.
    from functions.processor import inspect as inspection

    key = item.object_key or storage.file_key(item.id)
    try:
        # Every GET pinned to the served copy's ETag as the render starts: bytes replaced meanwhile fail
        # the read (412) instead of mixing two versions (the record's version check catches the rest).
        head = s3.head_object(Bucket=settings.bucket_name, Key=key)
        reader = inspection.RangedObjectReader(
            s3, settings.bucket_name, key, head["ContentLength"], etag=head["ETag"]
        )
        try:
            return inspection.run_within_budget(
                reader,
                RENDER_TASK,
                (item.asset_type, item.format, spec),
                budget=topology.INSPECTION_BUDGETS[item.asset_type],
                deadline=deadline,
                preload=(f"{inspection.__name__}.{item.asset_type}",),
            )
        finally:
            # A failed GET that a decoder swallowed, or reported as corrupt input, is still an S3 error.
            reader.raise_failure()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _CHANGED_CODES:
            raise Conflict("The asset's file changed while its rendition was made; try again") from None
        raise
    except inspection.TooCostly as problem:
        raise RenditionUnavailable(
            f"This rendition would cost more than the render budget allows: {problem.reason}"
        ) from None
    except inspection.OutOfTime:
        raise RenditionUnavailable(
            "The rendition could not be made within this request's time; try again"
        ) from None
    except inspection.MediaError as problem:
        raise NotRenderable(f"This asset cannot be rendered: {problem.reason}") from None


def _record(
    item: AssetModel, name: str, record: dict[str, Any], settings: Settings, s3: S3Client, store: AssetStore
) -> None:
    """Add `record` to the item's map on the version read; on a conflict, re-read: the same bytes
    (a PATCH, another rendition) → try again; other bytes, or no asset → the object goes."""
    for _ in range(_RECORD_ATTEMPTS):
        renditions = recorded_renditions(item)
        if name in renditions:
            return  # made meanwhile by another request: the same key, the same bytes
        dropped = sorted(renditions)[: max(0, len(renditions) + 1 - MAX_RECORDED)]
        kept = {key: value for key, value in renditions.items() if key not in dropped}
        try:
            store.update(item, {"renditions": {**kept, name: record}})
        except StaleVersion:
            fresh = store.get(item.id)
            if fresh is None or (fresh.status, fresh.etag) != (item.status, item.etag):
                storage.delete_objects([record["key"]], settings, s3)
                if fresh is None:
                    raise NotFound("Asset not found") from None
                raise Conflict("The asset's file changed while its rendition was made; try again") from None
            item = fresh
            continue
        storage.delete_objects([renditions[key]["key"] for key in dropped], settings, s3)
        return
    raise Conflict("The asset kept changing while its rendition was recorded; try again")
