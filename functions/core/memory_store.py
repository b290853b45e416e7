"""An AssetStore in a dict, with DynamoDB's rules: conditional creates, writes and deletes on the
version read, owner-scoped queries newest first with filters and a cursor. For unit tests of the use
cases: no network, no moto. tests/unit/core/test_asset_store.py holds both stores to one contract."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from functions.core.models import AssetModel, owner_scoped
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
