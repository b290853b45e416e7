"""The owner's rendition behind a short-lived URL: what GET /api/v2/assets/{id}/renditions answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from functions.core import storage
from functions.core.assets import get_owned
from functions.core.identity import Identity
from functions.core.models import AssetModel
from functions.core.settings import Settings
from functions.core.storage import S3Client
from functions.core.store import AssetStore
from functions.renditions.rendering import ensure_rendition
from functions.renditions.spec import RenditionSpec
from functions.renditions.store import StoredRendition


@dataclass(frozen=True)
class RenditionLink:
    url: str
    rendition: StoredRendition
    expires_at: datetime


def rendition_link(
    identity: Identity,
    raw_id: str,
    spec: RenditionSpec,
    settings: Settings,
    *,
    s3: S3Client | None = None,
    store: AssetStore | None = None,
    deadline: float | None = None,
) -> RenditionLink:
    """The caller's asset's rendition `spec`, made if it is not yet (before `deadline`), and a URL of
    it that works for the download expiry (as the file and thumbnail routes give)."""
    item = get_owned(identity, raw_id, store=store)
    stored = ensure_rendition(item, spec, settings, s3=s3, store=store, deadline=deadline)
    expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(
        seconds=settings.download_expiry_seconds
    )
    return RenditionLink(
        url=presigned(item, stored, settings, s3=s3), rendition=stored, expires_at=expires_at
    )


def presigned(
    item: AssetModel, stored: StoredRendition, settings: Settings, *, s3: S3Client | None = None
) -> str:
    """A short-lived URL of a stored rendition, saved under the asset's name with the format's extension."""
    return storage.presign_download(
        stored.key, settings, filename=f"{item.name}.{stored.format}", content_type=stored.content_type, s3=s3
    )
