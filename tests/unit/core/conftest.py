"""Asset stores for unit tests: the in-memory one for the use cases' rules, and both for the contract."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import boto3
import pytest
from moto import mock_aws

from functions.core.memory_store import MemoryAssetStore
from functions.core.models import AssetModel
from functions.core.settings import Settings
from functions.core.store import AssetStore, DynamoAssetStore

START = datetime(2026, 1, 1, tzinfo=UTC)
BUCKET = "trove-unit-assets"


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


@pytest.fixture
def new_asset() -> Callable[..., AssetModel]:
    """An unsaved record; each one a millisecond newer than the one before."""
    made = 0

    def make(owner: str = "user-a", **fields: object) -> AssetModel:
        nonlocal made
        made += 1
        moment = START + timedelta(milliseconds=made)
        values = {"asset_type": "image", "name": f"asset {made}", **fields}
        return AssetModel(
            str(uuid4()), owner=owner, uploaded_at=moment, created_at=moment, updated_at=moment, **values
        )

    return make


@pytest.fixture(scope="module")
def bucket() -> Iterator[object]:
    """A moto bucket per module, for rules whose effect is on objects: starting moto costs more than a test."""
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture
def s3(bucket):
    """The module's bucket, empty."""
    for entry in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        bucket.delete_object(Bucket=BUCKET, Key=entry["Key"])
    return bucket
