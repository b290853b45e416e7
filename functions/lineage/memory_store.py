"""A UsageStore in a dict, with DynamoDB's rules: items by (pk, sk), queries in key order, the
conditional write on the mode and source read. For unit tests of the lineage use cases: no network,
no moto. tests/unit/lineage/test_usage_store.py holds both stores to one contract."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from functions.core.models import owner_scoped
from functions.core.store import StaleVersion
from functions.lineage.models import UsageModel


class MemoryUsageStore:
    def __init__(self) -> None:
        # Serialized, as DynamoDB keeps them: a caller's object never aliases what is stored.
        self._items: dict[tuple[str, str], dict[str, Any]] = {}

    def _rows(self) -> list[UsageModel]:
        rows = []
        for key in sorted(self._items):
            row = UsageModel()
            row.deserialize(self._items[key])
            rows.append(row)
        return rows

    def get(self, owner: str, asset_uri: str, sort_key: str) -> UsageModel | None:
        pk = owner_scoped(owner, asset_uri)
        return next((row for row in self._rows() if (row.pk, row.sk) == (pk, sort_key)), None)

    def put(self, row: UsageModel) -> None:
        self._items[(row.pk, row.sk)] = row.serialize()

    def put_if_unchanged(self, row: UsageModel, mode: str, source: str) -> None:
        stored = self.get(row.owner, row.asset_uri, row.sk)
        if stored is None or (stored.mode, stored.source) != (mode, source):
            raise StaleVersion("The usage changed since it was read")
        self.put(row)

    def write_batch(self, puts: Iterable[UsageModel] = (), deletes: Iterable[UsageModel] = ()) -> None:
        for row in puts:
            self.put(row)
        for row in deletes:
            self._items.pop((row.pk, row.sk), None)

    def of_asset_uri(self, owner: str, asset_uri: str, sort_key_prefix: str = "") -> Iterator[UsageModel]:
        pk = owner_scoped(owner, asset_uri)
        return iter([row for row in self._rows() if row.pk == pk and row.sk.startswith(sort_key_prefix)])

    def of_consumer_path(self, owner: str, path: str, kind: str | None = None) -> Iterator[UsageModel]:
        return iter(
            row
            for row in self._by_path(owner)
            if row.consumer_path == path and (kind is None or row.consumer_kind == kind)
        )

    def under_consumer_path(self, owner: str, prefix: str) -> Iterator[UsageModel]:
        return iter(row for row in self._by_path(owner) if row.consumer_path.startswith(prefix))

    def _by_path(self, owner: str) -> list[UsageModel]:
        """The owner's rows in the index's order: by consumer path."""
        return sorted((row for row in self._rows() if row.owner == owner), key=lambda row: row.consumer_path)
