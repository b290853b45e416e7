"""Cascade deletes (seed 002, "Cascading Deletes"): every asset of the caller linked to a client or
a campaign goes, with its object and thumbnail.

Batched so that a thousand assets fit well inside one API call: one pass over the owner-scoped
index (Query pages, never a Scan), and per chunk one S3 `DeleteObjects` for the bytes, then
DynamoDB `BatchWriteItem`s (25 deletes each) for the records. Objects go before records: a failure
in between leaves records whose objects are gone, which are harmless and which a re-run finds and
finishes (deleting a missing key is not an error). Never the other way round, which would leave
objects that no record points to.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import StrEnum
from itertools import islice

from functions.core import assets, storage
from functions.core.models import AssetModel, AssetStatus
from functions.core.observability import traced
from functions.core.settings import Settings
from functions.core.storage import S3Client
from functions.core.store import AssetFilters, AssetStore, default_store

# Two keys per asset (object, thumbnail) fill one DeleteObjects call (1,000 keys at most).
CHUNK_ASSETS = 500


class LinkKind(StrEnum):
    CLIENT = "client"
    CAMPAIGN = "campaign"


@traced
def delete_linked(
    identity: assets.Identity,
    kind: LinkKind,
    link_id: str,
    settings: Settings,
    s3: S3Client | None = None,
    *,
    store: AssetStore | None = None,
) -> int:
    """Delete the caller's assets linked to `link_id`; how many went. Idempotent: a second call finds none."""
    s3 = s3 or storage.s3_client(settings)
    store = store or default_store()
    # One paginated Query, so each item is seen once; deleting what was read does not disturb the
    # pages still to come (the next page starts after a key, which need not exist any more).
    link = AssetFilters(client_id=link_id) if kind == LinkKind.CLIENT else AssetFilters(campaign_id=link_id)
    linked = store.query(identity.sub, link, page_size=CHUNK_ASSETS)
    deleted = 0
    for chunk in _chunks(linked, CHUNK_ASSETS):
        storage.delete_objects([key for item in chunk for key in assets.object_keys(item)], settings, s3)
        store.delete_all(chunk)
        # The processor may have been settling a pending upload meanwhile and written its thumbnail
        # after our DeleteObjects: once the record is gone it cleans up after itself, but a write
        # that landed before that needs this second sweep (pending uploads only, so usually none).
        pending = [item for item in chunk if item.status == AssetStatus.PENDING]
        if pending:
            storage.delete_objects(
                [key for item in pending for key in assets.object_keys(item)], settings, s3
            )
        deleted += len(chunk)
    return deleted


def _chunks(items: Iterable[AssetModel], size: int) -> Iterator[list[AssetModel]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
