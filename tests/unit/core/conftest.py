"""Asset stores for unit tests: the in-memory one for the use cases' rules, and both for the contract
(the moto bucket and `new_asset` are tests/unit/conftest.py's)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from functions.core.memory_store import MemoryAssetStore
from functions.core.models import AssetModel
from functions.core.settings import Settings
from functions.core.store import AssetStore, DynamoAssetStore


@pytest.fixture
def memory_store() -> MemoryAssetStore:
    return MemoryAssetStore()


@pytest.fixture(scope="module")
def dynamodb_store() -> Iterator[DynamoAssetStore]:
    """The DynamoDB store on moto, one table per module: starting moto costs more than a test."""
    with mock_aws():
        store = DynamoAssetStore(Settings())
        AssetModel.create_table(wait=True)
        yield store


@pytest.fixture(params=["memory", "dynamodb"])
def any_store(request: pytest.FixtureRequest) -> AssetStore:
    """Each store in turn, empty: the contract holds for both."""
    if request.param == "memory":
        return MemoryAssetStore()
    store: DynamoAssetStore = request.getfixturevalue("dynamodb_store")
    store.delete_all(AssetModel.scan())
    return store
