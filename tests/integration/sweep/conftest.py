"""The sweep on moto: pending records made through the API, objects put where uploads and the
processor put them, and the moments a pass runs as of."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from functions.core import storage, topology
from functions.sweep.recovery import SETTLE_ALLOWANCE


@pytest.fixture
def keys(s3, bucket) -> Callable[[], set[str]]:
    return lambda: {entry["Key"] for entry in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


@pytest.fixture
def posted(upload, s3, bucket, corpus) -> Callable[..., str]:
    """A pending asset whose bytes (the corpus sample `name`) were posted to its upload key."""

    def post(name: str, asset_format: str) -> str:
        data = corpus[name].read_bytes()
        asset_id = upload(name=name, type="image", format=asset_format, size=len(data))["id"]
        s3.put_object(Bucket=bucket, Key=storage.upload_key(asset_id), Body=data)
        return asset_id

    return post


@pytest.fixture
def served(upload, s3, bucket) -> Callable[[], str]:
    """A ready asset as the processor leaves it: its checked copy under files/ and a thumbnail."""
    from functions.core.models import AssetModel

    def settle() -> str:
        asset_id = upload()["id"]
        for key in (storage.file_key(asset_id), storage.thumbnail_key(asset_id)):
            s3.put_object(Bucket=bucket, Key=key, Body=b"checked")
        item = AssetModel.get(asset_id)
        item.status, item.object_key, item.expires_at = "ready", storage.file_key(asset_id), None
        item.thumbnail_key = storage.thumbnail_key(asset_id)
        item.save()
        return asset_id

    return settle


def later(seconds: float) -> datetime:
    """A moment `seconds` from now: objects put now are that much older then."""
    return datetime.now(UTC) + timedelta(seconds=seconds)


# Moments a pass runs as of: just after an upload's settle allowance, and just after a pending
# record's TTL (objects put now are stale by then too).
STALE = SETTLE_ALLOWANCE.total_seconds() + 5
EXPIRED = topology.PENDING_TTL_SECONDS + 60
