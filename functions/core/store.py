"""The asset store: the one way use cases read and write asset records.

`AssetStore` is what the use cases need of a table: a consistent read, a create that never
overwrites, writes and deletes conditioned on the version read (optimistic concurrency), and the
owner-scoped list query. `DynamoAssetStore` is DynamoDB through pynamodb, bound to the settings a
handler starts with; functions/core/memory_store.py keeps the same rules in a dict, for unit tests.

Records stay `AssetModel`s: the API's schemas read them, and a second record type would only be
copied field by field into the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from functions.core import topology
from functions.core.models import AssetModel, AssetStatus, asset_index, bind, owner_scoped
from functions.core.settings import Settings, get_settings

_ATTRIBUTE_NAMES = {attribute.attr_name: name for name, attribute in AssetModel.get_attributes().items()}
# The model attributes the indexes are keyed on, all derived from other fields.
_INDEX_KEYS = tuple(_ATTRIBUTE_NAMES[index.hash_key] for index in topology.ASSET_INDEXES)


class StoreConflict(Exception):
    """A conditional write found the record not as expected. Not a TroveError: callers decide what
    it means (retry, skip, or a 409 of their own)."""


class AlreadyExists(StoreConflict):
    """A record with this id exists already."""


class StaleVersion(StoreConflict):
    """The record changed (or went) since it was read."""


@dataclass(frozen=True)
class AssetFilters:
    client_id: str | None = None
    campaign_id: str | None = None
    project_id: str | None = None
    todo_id: str | None = None
    asset_type: str | None = None
    tag: str | None = None
    sha256: str | None = None  # matches `ready` records only, as its sparse index holds only those

    def keyed(self) -> list[tuple[str, str | None, str]]:
        """(index, value, attribute) for each filter that has an owner-scoped index, most selective first."""
        return [
            (topology.BY_OWNER_SHA256.name, self.sha256, "sha256"),
            (topology.BY_OWNER_CLIENT.name, self.client_id, "client_id"),
            (topology.BY_OWNER_CAMPAIGN.name, self.campaign_id, "campaign_id"),
            (topology.BY_OWNER_PROJECT.name, self.project_id, "project_id"),
            (topology.BY_OWNER_TODO.name, self.todo_id, "todo_id"),
            (topology.BY_OWNER_TYPE.name, self.asset_type, "asset_type"),
        ]


class AssetStore(Protocol):
    def get(self, asset_id: str) -> AssetModel | None:
        """The record as last written (a consistent read), or None."""

    def get_many(self, asset_ids: Iterable[str]) -> list[AssetModel]:
        """The records of these ids that exist, in no particular order (eventually consistent)."""

    def create(self, item: AssetModel) -> None:
        """Write a new record; AlreadyExists if its id is taken."""

    def save(self, item: AssetModel) -> None:
        """Write the whole record over the version read; StaleVersion if it moved. Bumps `item.version`."""

    def update(self, item: AssetModel, changes: Mapping[str, Any]) -> None:
        """Set the fields in `changes` (None removes one) if the record still has the version and the
        status read; StaleVersion otherwise. `item` takes the changes and the new version."""

    def delete(self, item: AssetModel) -> None:
        """Delete the record if it still has the version read; StaleVersion otherwise (or if it is gone)."""

    def delete_all(self, items: Iterable[AssetModel]) -> None:
        """Delete these records whatever their version, in batches (a cascade)."""

    def query(
        self, owner: str, filters: AssetFilters, *, after: str | None = None, page_size: int = 100
    ) -> Iterator[AssetModel]:
        """The owner's records that match every filter, newest first (by `list_key`), starting after
        the `list_key` `after`; read `page_size` at a time."""

    def expired_pending(self, now: datetime) -> Iterator[str]:
        """The ids of every owner's records still pending with their TTL (`expires_at`) passed as of
        `now`, to the second: a read of the whole table, for the sweep."""

    def delete_expired(self, asset_id: str, now: datetime) -> bool:
        """Delete the record if it is still pending and expired as of `now`; False if it settled (or
        went) meanwhile."""


def _conflicted(error: PutError | UpdateError | DeleteError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


def with_index_keys(item: AssetModel, changes: Mapping[str, Any]) -> dict[str, Any]:
    """`changes` plus the index keys they move (a status and a hash make `owner_sha256`): an update
    writes the fields it names, not the whole record that `refresh_index_keys` derives keys from."""
    changed = AssetModel()
    changed.deserialize(item.serialize())
    for name, value in changes.items():
        setattr(changed, name, value)
    changed.refresh_index_keys()
    moved = {
        name: getattr(changed, name) for name in _INDEX_KEYS if getattr(changed, name) != getattr(item, name)
    }
    return {**changes, **moved}


class DynamoAssetStore:
    """AssetStore on DynamoDB: one Query on the most selective owner-scoped index per list, the
    other filters as filter expressions; pynamodb adds the version condition to every write.
    AssetModel is one class, so a process talks to one table: the store made last binds it."""

    def __init__(self, settings: Settings) -> None:
        bind(settings)

    def get(self, asset_id: str) -> AssetModel | None:
        try:
            return AssetModel.get(asset_id, consistent_read=True)
        except AssetModel.DoesNotExist:
            return None

    def get_many(self, asset_ids: Iterable[str]) -> list[AssetModel]:
        # pynamodb sends BatchGetItem 100 keys at a time and asks again for unprocessed ones.
        return list(AssetModel.batch_get(sorted(set(asset_ids))))

    def create(self, item: AssetModel) -> None:
        try:
            item.save(condition=AssetModel.id.does_not_exist())
        except PutError as error:
            if not _conflicted(error):
                raise
            raise AlreadyExists(f"Asset {item.id} exists already") from None

    def save(self, item: AssetModel) -> None:
        try:
            item.save()
        except PutError as error:
            if not _conflicted(error):
                raise
            raise StaleVersion(f"Asset {item.id} changed since it was read") from None

    def update(self, item: AssetModel, changes: Mapping[str, Any]) -> None:
        actions = [
            getattr(AssetModel, name).set(value) if value is not None else getattr(AssetModel, name).remove()
            for name, value in with_index_keys(item, changes).items()
        ]
        try:
            item.update(actions=actions, condition=AssetModel.status == item.status)
        except UpdateError as error:
            if not _conflicted(error):
                raise
            raise StaleVersion(f"Asset {item.id} changed since it was read") from None

    def delete(self, item: AssetModel) -> None:
        try:
            item.delete()
        except DeleteError as error:
            if not _conflicted(error):
                raise
            raise StaleVersion(f"Asset {item.id} changed since it was read") from None

    def delete_all(self, items: Iterable[AssetModel]) -> None:
        with AssetModel.batch_write() as batch:
            for item in items:
                batch.delete(item)

    def expired_pending(self, now: datetime) -> Iterator[str]:
        return (item.id for item in AssetModel.scan(_expired(now), attributes_to_get=["id"]))

    def delete_expired(self, asset_id: str, now: datetime) -> bool:
        try:
            # Whatever its version: the condition is the state the sweep found, checked by the delete.
            AssetModel(asset_id).delete(condition=_expired(now), add_version_condition=False)
        except DeleteError as error:
            if not _conflicted(error):
                raise
            return False
        return True

    def query(
        self, owner: str, filters: AssetFilters, *, after: str | None = None, page_size: int = 100
    ) -> Iterator[AssetModel]:
        keyed = filters.keyed()
        chosen = next(((name, value) for name, value, _ in keyed if value is not None), None)
        index_name, hash_value = (
            (chosen[0], owner_scoped(owner, chosen[1])) if chosen else (topology.BY_OWNER.name, owner)
        )
        condition = None
        for name, value, attribute in keyed:
            if value is not None and name != index_name:
                equal = getattr(AssetModel, attribute) == value
                condition = equal if condition is None else condition & equal
        if filters.tag is not None:
            has_tag = AssetModel.tags.contains(filters.tag)
            condition = has_tag if condition is None else condition & has_tag
        return asset_index(index_name).query(
            hash_value,
            range_key_condition=AssetModel.list_key < after if after else None,
            filter_condition=condition,
            scan_index_forward=False,
            page_size=page_size,
        )


def _expired(now: datetime):
    """Still pending and past its TTL (a TTL attribute holds whole seconds)."""
    return (AssetModel.status == AssetStatus.PENDING.value) & (AssetModel.expires_at <= now)


_current: AssetStore | None = None


def configure(settings: Settings) -> AssetStore:
    """The DynamoDB store for `settings`, made the process's default: a handler calls this at cold start."""
    global _current
    _current = DynamoAssetStore(settings)
    return _current


def default_store() -> AssetStore:
    """The store a handler configured; callers that pass none get it (the API's routes take it as a
    dependency, functions/api/dependencies.py). Configured from the process's settings on first use
    when no handler did (the local stack's tools)."""
    return _current or configure(get_settings())
