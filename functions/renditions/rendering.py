"""ensure_rendition: a rendition recorded is answered from its entry (store.py); one not recorded yet
is made by one request at a time, within the type's budget, and what cannot be made is remembered.

A request first writes a lease on the spec's entry (a conditional write on the item's version):
another request for the same spec and bytes then waits for the entry to change, polling the record,
instead of rendering the same picture again, and answers 503 with a Retry-After if it is still being
rendered at the end of the wait. A lease outlives its request by at most LEASE_SECONDS (a request that
died), after which the next request renders.

A failure that the same bytes would meet again (a page PDFium cannot load, a picture over the memory
or CPU budget) is recorded as the spec's entry: later requests answer the same 409 at once. A failure of
the moment (the request's time ran out, the wall clock on a busy machine) is not: the lease goes and
the next request tries again.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from botocore.exceptions import ClientError

from functions.core import storage, topology
from functions.core.errors import Conflict, NotFound
from functions.core.models import AssetModel
from functions.core.settings import Settings
from functions.core.storage import S3Client
from functions.core.store import AssetStore, default_store
from functions.renditions.errors import NotRenderable, RenditionUnavailable
from functions.renditions.spec import RenditionSpec, content_version
from functions.renditions.store import (
    MAX_ERROR_CHARACTERS,
    StoredRendition,
    answer,
    check_renderable,
    current_entry,
    recorded_renditions,
    write_entry,
)

RENDER_TASK = "functions.renditions.render:render"
# Longer than any render may take (the type's wall-clock budget, 15 s) and the upload of its result.
LEASE_SECONDS = 30
# How long a request for a spec being rendered waits for it, and how often it reads the record.
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.5
_CHANGED_CODES = ("PreconditionFailed", "412", "NoSuchKey", "404")


def ensure_rendition(
    item: AssetModel,
    spec: RenditionSpec,
    settings: Settings,
    *,
    s3: S3Client | None = None,
    store: AssetStore | None = None,
    deadline: float | None = None,
) -> StoredRendition:
    """The rendition `spec` of `item`: the recorded one without any S3 call or decoding; else rendered
    within the type's budget (before `deadline`, time.monotonic()), stored and recorded, one request
    at a time per spec and version."""
    check_renderable(item, spec)  # first: a recorded rendition of an asset no longer ready is not served
    entry = current_entry(item, spec.name)
    if entry is not None and "lease" not in entry:
        return answer(entry)
    return _render_once(
        item,
        spec,
        settings,
        s3=s3 or storage.s3_client(settings),
        store=store or default_store(),
        deadline=deadline,
    )


def _render_once(
    item: AssetModel,
    spec: RenditionSpec,
    settings: Settings,
    *,
    s3: S3Client,
    store: AssetStore,
    deadline: float | None,
) -> StoredRendition:
    version = content_version(item.etag)
    lease = {"version": version, "lease": uuid.uuid4().hex, "until": int(time.time()) + LEASE_SECONDS}
    item, entry = write_entry(item, spec.name, lease, settings, s3, store, unless=_taken(spec.name))
    if entry is not lease:
        return _waited(item, spec, store, deadline)
    try:
        body, width, height = _render(item, spec, settings, s3, deadline)
    except NotRenderable as failure:
        failed = {"version": version, "error": failure.detail[:MAX_ERROR_CHARACTERS]}
        write_entry(item, spec.name, failed, settings, s3, store)
        raise
    except BaseException:
        _release(item, spec.name, lease, settings, s3, store)
        raise
    key = spec.key(item.id, version)
    s3.put_object(Bucket=settings.bucket_name, Key=key, Body=body, ContentType=spec.content_type)
    made = {"version": version, "key": key, "width": width, "height": height, "format": spec.format}
    try:
        write_entry(item, spec.name, {**made, "bytes": len(body)}, settings, s3, store)
    except (Conflict, NotFound):
        _discard(item.id, key, settings, s3, store)
        raise
    return answer(made)


def _taken(name: str):
    """The entry another request left for `name` that stands: a result, or a lease not yet expired."""

    def taken(fresh: AssetModel) -> dict[str, Any] | None:
        entry = current_entry(fresh, name)
        if entry is None or ("lease" in entry and int(entry["until"]) <= time.time()):
            return None
        return entry

    return taken


def _waited(
    item: AssetModel, spec: RenditionSpec, store: AssetStore, deadline: float | None
) -> StoredRendition:
    """Another request renders this spec: its result once recorded, else 503 at the end of the wait."""
    stop = time.monotonic() + WAIT_SECONDS
    if deadline is not None:
        stop = min(stop, deadline)
    while True:
        entry = current_entry(item, spec.name)
        if entry is not None and "lease" not in entry:
            return answer(entry)
        if entry is None:
            raise RenditionUnavailable(
                "Another request for this rendition stopped before it was made; try again"
            )
        if time.monotonic() + POLL_SECONDS > stop:
            raise RenditionUnavailable(
                "This rendition is being made by another request; try again in a few seconds",
                retry_after=POLL_SECONDS * 4,
            )
        time.sleep(POLL_SECONDS)
        fresh = store.get(item.id)
        if fresh is None:
            raise NotFound("Asset not found")
        item = fresh


def _release(
    item: AssetModel, name: str, lease: dict[str, Any], settings: Settings, s3: S3Client, store: AssetStore
) -> None:
    """Remove this request's lease, so the next request renders at once (best effort: it expires)."""
    try:
        write_entry(item, name, None, settings, s3, store, unless=lambda fresh: _not_ours(fresh, name, lease))
    except (Conflict, NotFound):
        pass


def _not_ours(fresh: AssetModel, name: str, lease: dict[str, Any]) -> dict[str, Any] | None:
    entry = recorded_renditions(fresh).get(name)
    return entry if entry is not None and entry.get("lease") != lease["lease"] else None


def _discard(asset_id: str, key: str, settings: Settings, s3: S3Client, store: AssetStore) -> None:
    """Delete an object this request stored and could not record, unless an entry points to it (the
    same spec made from the same bytes by another request)."""
    fresh = store.get(asset_id)
    if fresh is None or all(entry.get("key") != key for entry in recorded_renditions(fresh).values()):
        storage.delete_objects([key], settings, s3)


def _render(
    item: AssetModel, spec: RenditionSpec, settings: Settings, s3: S3Client, deadline: float | None
) -> tuple[bytes, int, int]:
    """(bytes, width, height) of the rendition, made in the inspection worker within the type's budget."""
    # The processor's media layer is loaded by the first rendition, not by every API cold start.
    from functions.processor import inspect as inspection
    from functions.processor.inspect.budget import WorkerFailed

    key = item.object_key or storage.file_key(item.id)
    budget = topology.INSPECTION_BUDGETS[item.asset_type]
    started = time.monotonic()
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
                budget=budget,
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
    except inspection.OutOfTime:
        raise RenditionUnavailable(
            "The rendition could not be made within this request's time; try again"
        ) from None
    except inspection.TooCostly as problem:
        if time.monotonic() - started >= budget.wall_seconds:
            # The wall clock, which a busy machine also spends: not the file's cost for sure.
            raise RenditionUnavailable(
                f"The rendition took more than {budget.wall_seconds} s; try again"
            ) from None
        raise NotRenderable(f"This asset cannot be rendered at this size: {problem.reason}") from None
    except inspection.MediaError as problem:
        raise NotRenderable(f"This asset cannot be rendered: {problem.reason}") from None
    except WorkerFailed:
        # Not the file's (render.py reports a decoder's error on it as Broken): the next request retries.
        raise RenditionUnavailable("The renderer failed; try again") from None
