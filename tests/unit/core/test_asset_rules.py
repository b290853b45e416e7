"""The asset use cases' rules (functions/core/assets.py) on the in-memory store: no moto, no network.
Presigned URLs are signed locally by a boto3 client that never sends a request."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import pytest

from functions.core import assets, storage
from functions.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from functions.core.identity import Identity
from functions.core.memory_store import MemoryAssetStore
from functions.core.schemas import AssetPatch, LinkCreate, UploadRequest
from functions.core.settings import Settings
from functions.core.store import AssetFilters

OWNER = Identity("user-a", user_id=7)
OTHER = Identity("user-b")
SETTINGS = Settings(max_upload_bytes=1000, pending_ttl_seconds=3600)
UNKNOWN_ID = "5f0c1c1e-8a8e-4b8e-9a3e-2f7d2b0c9d11"


@pytest.fixture
def bucket_s3():
    """A real boto3 client: presigning is local, so nothing is sent."""
    return storage.s3_client(SETTINGS)


def upload(store: MemoryAssetStore, identity: Identity = OWNER, **fields: object):
    request = UploadRequest(**{"name": "logo.png", "type": "image", "format": "png", "size": 100, **fields})
    return assets.create_pending(identity, request, SETTINGS, store=store)


def link(store: MemoryAssetStore, identity: Identity = OWNER, **fields: object):
    request = LinkCreate(**{"name": "docs", "url": "https://example.com/docs", **fields})
    return assets.create_link(identity, request, store=store)


def test_a_pending_upload_is_stored_with_its_expiry_and_served_key(memory_store):
    # when
    item = upload(memory_store, client_id="acme", tags=["hero"])

    # then
    stored = memory_store.get(item.id)
    assert (stored.owner, stored.user_id, stored.status, stored.format) == ("user-a", 7, "pending", "png")
    assert stored.content_type == "image/png"
    assert stored.object_key == storage.file_key(item.id)
    # DynamoDB's TTL is in whole seconds
    assert stored.expires_at.timestamp() == int(stored.created_at.timestamp()) + 3600
    assert (stored.client_id, stored.tags) == ("acme", ["hero"])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"format": "mp4"}, "Format mp4 is video, not image"),
        ({"content_type": "image/jpeg"}, "image/jpeg"),
        ({"size": 1001}, "too large"),
        ({"size": 0}, "File is empty"),
    ],
)
def test_an_upload_that_is_not_what_it_declares_is_refused_and_not_stored(memory_store, fields, message):
    # when / then
    with pytest.raises(InvalidInput, match=message):
        upload(memory_store, **fields)
    assert list(memory_store.query("user-a", AssetFilters())) == []


def test_create_upload_presigns_a_post_pinned_to_the_upload_key_and_size(memory_store, bucket_s3):
    # when
    item, post = assets.create_upload(
        OWNER, UploadRequest(name="a.png", type="image", format="png", size=100), SETTINGS, bucket_s3, store=memory_store
    )

    # then
    assert post.fields["key"] == storage.upload_key(item.id)
    policy = base64.b64decode(post.fields["policy"]).decode()
    assert '["content-length-range", 100, 100]' in policy
    assert memory_store.get(item.id).status == "pending"


def test_a_link_is_ready_at_once(memory_store):
    # when
    item = link(memory_store)

    # then
    stored = memory_store.get(item.id)
    assert (stored.status, stored.format, stored.url, stored.asset_type) == (
        "ready", "url", "https://example.com/docs", "link"
    )


def test_a_malformed_id_is_refused_before_any_lookup(memory_store):
    # when / then
    with pytest.raises(InvalidInput, match="Invalid asset ID"):
        assets.get_owned(OWNER, "not-a-uuid", store=memory_store)


def test_an_unknown_asset_is_not_found(memory_store):
    # when / then
    with pytest.raises(NotFound):
        assets.get_owned(OWNER, UNKNOWN_ID, store=memory_store)


def test_another_owners_asset_is_forbidden_naming_the_action(memory_store):
    # given
    item = link(memory_store, OTHER)

    # when / then
    with pytest.raises(Forbidden, match="permission to change"):
        assets.get_owned(OWNER, item.id, "change", store=memory_store)


def newest_first(items) -> list[str]:
    """Ids newest first; records made within one millisecond go by id."""
    return [item.id for item in sorted(items, key=lambda item: (item.created_at, item.id), reverse=True)]


def test_a_list_is_the_callers_own_newest_first(memory_store):
    # given
    mine = [link(memory_store, name=f"mine {number}") for number in range(3)]
    link(memory_store, OTHER)

    # when
    page = assets.list_assets(OWNER, AssetFilters(), store=memory_store)

    # then
    assert [item.id for item in page.items] == newest_first(mine)
    assert page.next_cursor is None


def test_cursors_walk_the_whole_list_once(memory_store):
    # given
    made = [link(memory_store, client_id="acme", name=f"link {number}") for number in range(5)]

    # when
    seen, cursor = [], None
    while True:
        page = assets.list_assets(OWNER, AssetFilters(client_id="acme"), limit=2, cursor=cursor, store=memory_store)
        seen += [item.id for item in page.items]
        if (cursor := page.next_cursor) is None:
            break

    # then
    assert seen == newest_first(made)


def test_offset_skips_and_limit_bounds_a_page(memory_store):
    # given
    made = [link(memory_store, name=f"link {number}") for number in range(5)]

    # when
    page = assets.list_assets(OWNER, AssetFilters(), limit=2, offset=1, store=memory_store)

    # then
    assert [item.id for item in page.items] == newest_first(made)[1:3]
    assert page.next_cursor is not None


@pytest.mark.parametrize("cursor", ["garbage!", base64.urlsafe_b64encode(b"2026#not-a-key").decode()])
def test_a_cursor_that_is_not_one_of_ours_is_refused(memory_store, cursor):
    # when / then
    with pytest.raises(InvalidInput, match="Invalid cursor"):
        assets.list_assets(OWNER, AssetFilters(), cursor=cursor, store=memory_store)


def test_a_patch_changes_only_the_fields_sent(memory_store):
    # given
    item = link(memory_store, description="old", client_id="acme")

    # when
    patched = assets.patch_asset(OWNER, item.id, AssetPatch(description="new", clientId=None), store=memory_store)

    # then
    stored = memory_store.get(item.id)
    assert (stored.description, stored.client_id, stored.name) == ("new", None, "docs")
    assert stored.version == patched.version == 2


@pytest.mark.parametrize(
    ("make", "patch", "message"),
    [
        (link, AssetPatch.model_construct(name=None), "name cannot be null"),
        (upload, AssetPatch(url="https://example.com/x"), "Only link assets"),
        (link, AssetPatch.model_construct(url=None), "A link asset needs a URL"),
    ],
)
def test_a_patch_that_breaks_a_rule_is_refused_and_changes_nothing(memory_store, make, patch, message):
    # given
    item = make(memory_store)

    # when / then
    with pytest.raises(InvalidInput, match=message):
        assets.patch_asset(OWNER, item.id, patch, store=memory_store)
    assert memory_store.get(item.id).version == 1


class ConcurrentWriter(MemoryAssetStore):
    """A store where, before each of the next `times` saves, someone else writes the record first."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.times = times

    def save(self, item):
        if self.times and item.version is not None:
            self.times -= 1
            other = self.get(item.id)
            other.thumbnail_key = "thumbnails/meanwhile.jpg"
            super().save(other)
        super().save(item)


def test_a_patch_racing_another_write_is_applied_to_the_newest_version():
    # given: the processor writes between our read and our write, twice
    store = ConcurrentWriter(times=0)
    item = link(store)
    store.times = 2

    # when
    assets.patch_asset(OWNER, item.id, AssetPatch(description="mine"), store=store)

    # then: neither write is lost
    stored = store.get(item.id)
    assert (stored.description, stored.thumbnail_key, stored.version) == ("mine", "thumbnails/meanwhile.jpg", 4)


def test_a_patch_that_always_loses_the_race_is_a_conflict():
    # given
    store = ConcurrentWriter(times=0)
    item = link(store)
    store.times = 100

    # when / then
    with pytest.raises(Conflict, match="changed while it was being updated"):
        assets.patch_asset(OWNER, item.id, AssetPatch(description="mine"), store=store)
    assert store.get(item.id).description is None


def test_a_links_download_is_its_url(memory_store):
    # given
    item = link(memory_store)

    # when
    url = assets.download_url(OWNER, item.id, SETTINGS, store=memory_store)

    # then
    assert url == "https://example.com/docs"


def test_a_file_not_ready_has_no_download(memory_store, bucket_s3):
    # given
    item = upload(memory_store)

    # when / then
    with pytest.raises(Conflict, match="not ready"):
        assets.download_url(OWNER, item.id, SETTINGS, bucket_s3, store=memory_store)


def ready(store: MemoryAssetStore, **fields: object):
    item = upload(store)
    stored = store.get(item.id)
    stored.status = "ready"
    for name, value in fields.items():
        setattr(stored, name, value)
    store.save(stored)
    return stored


def test_a_ready_files_download_names_its_served_copy_and_its_name(memory_store, bucket_s3):
    # given
    item = ready(memory_store)

    # when
    url = urlparse(assets.download_url(OWNER, item.id, SETTINGS, bucket_s3, store=memory_store))

    # then
    assert url.path.endswith(storage.file_key(item.id))
    query = parse_qs(url.query)
    assert query["response-content-type"] == ["image/png"]
    assert 'filename="logo.png"' in query["response-content-disposition"][0]


@pytest.mark.parametrize("fields", [{"status": "pending"}, {}])
def test_no_thumbnail_until_ready_with_one(memory_store, bucket_s3, fields):
    # given: a pending record, and a ready one without a thumbnail
    item = ready(memory_store, **fields)

    # when / then
    with pytest.raises(NotFound, match="Thumbnail"):
        assets.thumbnail_url(OWNER, item.id, SETTINGS, bucket_s3, store=memory_store)


def test_a_thumbnail_url_names_the_thumbnail(memory_store, bucket_s3):
    # given
    item = ready(memory_store, thumbnail_key=storage.thumbnail_key(UNKNOWN_ID))

    # when
    url = urlparse(assets.thumbnail_url(OWNER, item.id, SETTINGS, bucket_s3, store=memory_store))

    # then
    assert url.path.endswith(storage.thumbnail_key(UNKNOWN_ID))


def test_a_link_has_no_objects_and_a_file_three(memory_store):
    # given
    file, reference = upload(memory_store), link(memory_store)

    # then
    assert assets.object_keys(reference) == []
    assert assets.object_keys(file) == [
        storage.upload_key(file.id), storage.file_key(file.id), storage.thumbnail_key(file.id)
    ]
