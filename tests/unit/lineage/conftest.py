"""Usage stores for unit tests: in memory for the lineage rules, and both for the contract."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from moto import mock_aws

from functions.core.identity import Identity
from functions.core.memory_store import MemoryAssetStore
from functions.core.settings import Settings
from functions.lineage.consumers import Consumer, Origin, Source
from functions.lineage.memory_store import MemoryUsageStore
from functions.lineage.models import UsageModel
from functions.lineage.store import DynamoUsageStore, UsageStore
from functions.lineage.uris import Mode

OWNER = Identity("user-a")
SETTINGS = Settings(bucket_name="trove-unit-assets")


@pytest.fixture(scope="module")
def dynamodb_usage_store() -> Iterator[DynamoUsageStore]:
    """The DynamoDB usage store on moto, one table per module: starting moto costs more than a test."""
    with mock_aws():
        store = DynamoUsageStore(Settings())
        UsageModel.create_table(wait=True)
        yield store


@pytest.fixture(params=["memory", "dynamodb"])
def any_usage_store(request: pytest.FixtureRequest) -> UsageStore:
    """Each usage store in turn, empty: the contract holds for both."""
    if request.param == "memory":
        return MemoryUsageStore()
    store: DynamoUsageStore = request.getfixturevalue("dynamodb_usage_store")
    store.write_batch(deletes=list(UsageModel.scan()))
    return store


@pytest.fixture
def usage_store() -> MemoryUsageStore:
    return MemoryUsageStore()


@pytest.fixture
def asset_store() -> MemoryAssetStore:
    return MemoryAssetStore()


@pytest.fixture
def new_usage() -> Callable[..., UsageModel]:
    """An unsaved usage by `consumer` (kind:path) of `uri`."""

    def make(
        uri: str,
        consumer: str = "script:f/etl/load",
        *,
        owner: str = OWNER.sub,
        origin: Origin = Origin.CODE,
        mode: Mode = Mode.READ,
        source: Source = Source.STATIC,
    ) -> UsageModel:
        return UsageModel.new(
            owner, uri, Consumer.parse(consumer), origin, asset_id=None, mode=mode, source=source
        )

    return make
