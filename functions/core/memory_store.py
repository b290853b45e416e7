"""An AssetStore in a dict, with DynamoDB's rules: conditional creates, writes and deletes on the
version read, owner-scoped queries newest first with filters and a cursor. For unit tests of the use
cases: no network, no moto. tests/unit/core/test_asset_store.py holds both stores to one contract."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from functions.core.models import AssetModel, AssetStatus, owner_scoped
from functions.core.store import AlreadyExists, AssetFilters, StaleVersion, with_index_keys


class MemoryAssetStore:
    def __init__(self) -> None:
        # Serialized, as DynamoDB keeps them: a caller's object never aliases what is stored.
        self._items: dict[str, dict[str, Any]] = {}

    def _read(self, asset_id: str) -> AssetModel | None:
        raw = self._items.get(asset_id)
        if raw is None:
            return None
        item = AssetModel()
        item.deserialize(raw)
        return item

    def _write(self, item: AssetModel) -> None:
        self._items[item.id] = item.serialize()

    def _check_version(self, item: AssetModel) -> AssetModel | None:
        stored = self._read(item.id)
        expected = stored.version if stored is not None else None
        if item.version != expected:
            raise StaleVersion(f"Asset {item.id} changed since it was read")
        return stored

    def get(self, asset_id: str) -> AssetModel | None:
        return self._read(asset_id)

    def get_many(self, asset_ids: Iterable[str]) -> list[AssetModel]:
        return [item for item in map(self._read, set(asset_ids)) if item is not None]

    def create(self, item: AssetModel) -> None:
        if item.id in self._items:
            raise AlreadyExists(f"Asset {item.id} exists already")
        self.save(item)

    def save(self, item: AssetModel) -> None:
        self._check_version(item)
        item.refresh_index_keys()
        item.version = (item.version or 0) + 1
        self._write(item)

    def update(self, item: AssetModel, changes: Mapping[str, Any]) -> None:
        stored = self._check_version(item)
        if stored is None or stored.status != item.status:
            raise StaleVersion(f"Asset {item.id} changed since it was read")
        for name, value in with_index_keys(item, changes).items():
            setattr(item, name, value)
        item.version += 1
        self._write(item)

    def delete(self, item: AssetModel) -> None:
        if self._check_version(item) is None:
            raise StaleVersion(f"Asset {item.id} is gone")
        del self._items[item.id]

    def delete_all(self, items: Iterable[AssetModel]) -> None:
        for item in items:
            self._items.pop(item.id, None)

    def expired_pending(self, now: datetime) -> Iterator[str]:
        return iter([item.id for item in map(self._read, list(self._items)) if _expired(item, now)])

    def delete_expired(self, asset_id: str, now: datetime) -> bool:
        if not _expired(self._read(asset_id), now):
            return False
        del self._items[asset_id]
        return True

    def query(
        self, owner: str, filters: AssetFilters, *, after: str | None = None, page_size: int = 100
    ) -> Iterator[AssetModel]:
        wanted = {attribute: value for _, value, attribute in filters.keyed() if value is not None}
        found = [
            item
            for item in map(self._read, list(self._items))
            if item is not None
            and item.owner == owner
            and all(getattr(item, attribute) == value for attribute, value in wanted.items())
            and (filters.tag is None or filters.tag in (item.tags or []))
            and (filters.sha256 is None or item.owner_sha256 == owner_scoped(owner, filters.sha256))
            and (after is None or item.list_key < after)
        ]
        return iter(sorted(found, key=lambda item: item.list_key, reverse=True))


def _expired(item: AssetModel | None, now: datetime) -> bool:
    """Still pending and past its TTL, to the second as DynamoDB compares a TTL attribute."""
    return (
        item is not None
        and item.status == AssetStatus.PENDING
        and item.expires_at is not None
        and int(item.expires_at.timestamp()) <= int(now.timestamp())
    )
