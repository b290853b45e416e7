"""The usage store: the one way the lineage use cases read and write usage records.

`UsageStore` is what they need of the usages table: a read by key, plain and conditional writes,
batched writes and deletes, and three queries (an asset URI's usages, a consumer's, and those of the
consumers under a path). `DynamoUsageStore` is DynamoDB through pynamodb, bound to the settings a
handler starts with; functions/lineage/memory_store.py keeps the same rules in a dict, for unit tests.
As with assets (functions/core/store.py), records stay `UsageModel`s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from pynamodb.exceptions import PutError

from functions.core.models import owner_scoped
from functions.core.settings import Settings, get_settings
from functions.core.store import StaleVersion
from functions.lineage.models import UsageModel, bind


class UsageStore(Protocol):
    def get(self, owner: str, asset_uri: str, sort_key: str) -> UsageModel | None:
        """The owner's usage of `asset_uri` under `sort_key` (`{kind}:{path}#{origin}`), or None."""

    def put(self, row: UsageModel) -> None:
        """Write the row, over whatever was there."""

    def put_if_unchanged(self, row: UsageModel, mode: str, source: str) -> None:
        """Write the row if the stored one still has this mode and source; StaleVersion otherwise
        (or if it is gone)."""

    def write_batch(self, puts: Iterable[UsageModel] = (), deletes: Iterable[UsageModel] = ()) -> None:
        """Write and delete rows, unconditionally, in batches."""

    def of_asset_uri(self, owner: str, asset_uri: str, sort_key_prefix: str = "") -> Iterator[UsageModel]:
        """The owner's usages of one URI, by sort key; only those whose sort key starts with the prefix."""

    def of_consumer_path(self, owner: str, path: str, kind: str | None = None) -> Iterator[UsageModel]:
        """The owner's usages by consumers with exactly this path (and this kind, when given)."""

    def under_consumer_path(self, owner: str, prefix: str) -> Iterator[UsageModel]:
        """The owner's usages by consumers whose path starts with `prefix` (as text, not by segment)."""


class DynamoUsageStore:
    """UsageStore on DynamoDB: queries on the table's key and its `byOwnerConsumerPath` index.
    UsageModel is one class, so a process talks to one table: the store made last binds it."""

    def __init__(self, settings: Settings) -> None:
        bind(settings)

    def get(self, owner: str, asset_uri: str, sort_key: str) -> UsageModel | None:
        try:
            return UsageModel.get(owner_scoped(owner, asset_uri), sort_key)
        except UsageModel.DoesNotExist:
            return None

    def put(self, row: UsageModel) -> None:
        row.save()

    def put_if_unchanged(self, row: UsageModel, mode: str, source: str) -> None:
        try:
            row.save(condition=(UsageModel.mode == mode) & (UsageModel.source == source))
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise StaleVersion("The usage changed since it was read") from None

    def write_batch(self, puts: Iterable[UsageModel] = (), deletes: Iterable[UsageModel] = ()) -> None:
        with UsageModel.batch_write() as batch:
            for row in puts:
                batch.save(row)
            for row in deletes:
                batch.delete(row)

    def of_asset_uri(self, owner: str, asset_uri: str, sort_key_prefix: str = "") -> Iterator[UsageModel]:
        condition = UsageModel.sk.startswith(sort_key_prefix) if sort_key_prefix else None
        return UsageModel.query(owner_scoped(owner, asset_uri), condition)

    def of_consumer_path(self, owner: str, path: str, kind: str | None = None) -> Iterator[UsageModel]:
        return UsageModel.by_owner_consumer_path.query(
            owner,
            UsageModel.consumer_path == path,
            filter_condition=(UsageModel.consumer_kind == kind) if kind else None,
        )

    def under_consumer_path(self, owner: str, prefix: str) -> Iterator[UsageModel]:
        return UsageModel.by_owner_consumer_path.query(owner, UsageModel.consumer_path.startswith(prefix))


_current: UsageStore | None = None


def configure(settings: Settings) -> UsageStore:
    """The DynamoDB store for `settings`, made the process's default: the API handler calls this at cold start."""
    global _current
    _current = DynamoUsageStore(settings)
    return _current


def default_store() -> UsageStore:
    """The store the handler configured; configured from the process's settings on first use otherwise."""
    return _current or configure(get_settings())
