"""Fixtures the unit tiers share: unsaved asset records, and one moto bucket per test module for the
rules whose effect is on objects (starting moto costs more than a test), named apart from the
processor's own `s3` fixture."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import boto3
import pytest
from moto import mock_aws

from functions.core.models import AssetModel

UNIT_BUCKET = "trove-unit-assets"
START = datetime(2026, 1, 1, tzinfo=UTC)


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
def module_bucket() -> Iterator[Any]:
    """An S3 client on moto with UNIT_BUCKET made, for the whole module."""
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=UNIT_BUCKET)
        yield client


@pytest.fixture
def bucket_s3(module_bucket: Any) -> Any:
    """The module's bucket, emptied before the test."""
    for entry in module_bucket.list_objects_v2(Bucket=UNIT_BUCKET).get("Contents", []):
        module_bucket.delete_object(Bucket=UNIT_BUCKET, Key=entry["Key"])
    return module_bucket
