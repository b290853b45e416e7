"""Cascade deletes (functions/core/cascade.py) on the in-memory store, with the objects in a moto bucket."""

from __future__ import annotations

import pytest

from functions.core import cascade, storage
from functions.core.identity import Identity
from functions.core.settings import Settings
from tests.unit.conftest import UNIT_BUCKET as BUCKET

OWNER = Identity("user-a")
SETTINGS = Settings(bucket_name=BUCKET)


@pytest.fixture
def stored(memory_store, new_asset, bucket_s3):
    """A record saved with its three objects in the bucket (none for a link)."""

    def save(owner: str = "user-a", **fields: object):
        item = new_asset(owner, **fields)
        memory_store.create(item)
        if item.asset_type != "link":
            for key in (storage.upload_key(item.id), storage.file_key(item.id), storage.thumbnail_key(item.id)):
                bucket_s3.put_object(Bucket=BUCKET, Key=key, Body=b"bytes")
        return item

    return save


def keys(bucket_s3) -> set[str]:
    return {entry["Key"] for entry in bucket_s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


@pytest.mark.parametrize(
    ("kind", "link"),
    [(cascade.LinkKind.CLIENT, {"client_id": "acme"}), (cascade.LinkKind.CAMPAIGN, {"campaign_id": "acme"})],
)
def test_the_callers_linked_assets_go_with_their_objects_and_nothing_else(memory_store, stored, bucket_s3, kind, link):
    # given
    linked = [stored(**link), stored(**link, status="ready"), stored(**link, asset_type="link")]
    unlinked = stored(client_id="other", campaign_id="other")
    theirs = stored("user-b", client_id="acme", campaign_id="acme")

    # when
    deleted = cascade.delete_linked(OWNER, kind, "acme", SETTINGS, bucket_s3, store=memory_store)

    # then
    assert deleted == 3
    assert [memory_store.get(item.id) for item in linked] == [None, None, None]
    assert memory_store.get(unlinked.id) is not None and memory_store.get(theirs.id) is not None
    assert keys(bucket_s3) == {key(item.id) for item in (unlinked, theirs)
                        for key in (storage.upload_key, storage.file_key, storage.thumbnail_key)}


def test_a_second_cascade_finds_nothing(memory_store, stored, bucket_s3):
    # given
    stored(client_id="acme")
    cascade.delete_linked(OWNER, cascade.LinkKind.CLIENT, "acme", SETTINGS, bucket_s3, store=memory_store)

    # when
    again = cascade.delete_linked(OWNER, cascade.LinkKind.CLIENT, "acme", SETTINGS, bucket_s3, store=memory_store)

    # then
    assert again == 0


def test_more_assets_than_a_chunk_all_go(memory_store, stored, bucket_s3, monkeypatch):
    # given: chunks of two
    monkeypatch.setattr(cascade, "CHUNK_ASSETS", 2)
    linked = [stored(client_id="acme") for _ in range(5)]

    # when
    deleted = cascade.delete_linked(OWNER, cascade.LinkKind.CLIENT, "acme", SETTINGS, bucket_s3, store=memory_store)

    # then
    assert deleted == 5
    assert all(memory_store.get(item.id) is None for item in linked)
    assert keys(bucket_s3) == set()
