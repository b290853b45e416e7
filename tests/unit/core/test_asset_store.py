"""The AssetStore contract, held by the in-memory store and by the DynamoDB store (on moto) alike:
what the unit tests learn on the first is true of the second."""

from __future__ import annotations

from datetime import timedelta

import pytest

from functions.core.store import AlreadyExists, AssetFilters, StaleVersion
from tests.unit.conftest import START


def test_an_unknown_id_reads_as_none(any_store):
    # when
    found = any_store.get("5f0c1c1e-8a8e-4b8e-9a3e-2f7d2b0c9d11")

    # then
    assert found is None


def test_a_created_record_reads_back_as_written_at_version_one(any_store, new_asset):
    # given
    item = new_asset(client_id="acme", tags=["hero"], size=12)

    # when
    any_store.create(item)
    found = any_store.get(item.id)

    # then
    assert found is not None
    assert (found.owner, found.client_id, found.tags, found.size) == ("user-a", "acme", ["hero"], 12)
    assert found.version == 1 and item.version == 1
    assert found.list_key == item.list_key


def test_create_never_overwrites(any_store, new_asset):
    # given
    item = new_asset(name="first")
    any_store.create(item)
    twin = new_asset(name="second")
    twin.id = item.id

    # when / then
    with pytest.raises(AlreadyExists):
        any_store.create(twin)
    assert any_store.get(item.id).name == "first"


def test_save_writes_over_the_version_read_and_refuses_a_stale_one(any_store, new_asset):
    # given: two readers of one record
    any_store.create(item := new_asset())
    first, second = any_store.get(item.id), any_store.get(item.id)

    # when
    first.name = "renamed"
    any_store.save(first)
    second.name = "lost"

    # then
    with pytest.raises(StaleVersion):
        any_store.save(second)
    found = any_store.get(item.id)
    assert (found.name, found.version) == ("renamed", 2)


def test_save_of_a_record_deleted_meanwhile_is_stale(any_store, new_asset):
    # given
    any_store.create(item := new_asset())
    read = any_store.get(item.id)
    any_store.delete(any_store.get(item.id))

    # when / then
    with pytest.raises(StaleVersion):
        any_store.save(read)
    assert any_store.get(item.id) is None


def test_update_sets_and_removes_fields_on_the_version_read(any_store, new_asset):
    # given
    any_store.create(item := new_asset(width=10, status="pending"))
    read = any_store.get(item.id)

    # when
    any_store.update(read, {"status": "ready", "width": None, "height": 20})

    # then
    found = any_store.get(item.id)
    assert (found.status, found.width, found.height, found.version) == ("ready", None, 20, 2)
    assert (read.status, read.width, read.height, read.version) == ("ready", None, 20, 2)


def test_update_refuses_a_stale_version_and_leaves_the_record(any_store, new_asset):
    # given
    any_store.create(item := new_asset())
    stale = any_store.get(item.id)
    fresh = any_store.get(item.id)
    fresh.name = "renamed"
    any_store.save(fresh)

    # when / then
    with pytest.raises(StaleVersion):
        any_store.update(stale, {"status": "ready"})
    assert (stale.status, stale.version) == ("pending", 1)
    assert any_store.get(item.id).status == "pending"


def test_update_of_a_record_deleted_meanwhile_is_stale(any_store, new_asset):
    # given
    any_store.create(item := new_asset())
    read = any_store.get(item.id)
    any_store.delete(any_store.get(item.id))

    # when / then
    with pytest.raises(StaleVersion):
        any_store.update(read, {"status": "ready"})
    assert any_store.get(item.id) is None


def test_delete_needs_the_version_read(any_store, new_asset):
    # given
    any_store.create(item := new_asset())
    stale = any_store.get(item.id)
    fresh = any_store.get(item.id)
    fresh.name = "renamed"
    any_store.save(fresh)

    # when / then
    with pytest.raises(StaleVersion):
        any_store.delete(stale)
    any_store.delete(fresh)
    assert any_store.get(item.id) is None


def test_deleting_a_record_already_gone_is_stale(any_store, new_asset):
    # given
    any_store.create(item := new_asset())
    read = any_store.get(item.id)
    any_store.delete(any_store.get(item.id))

    # when / then
    with pytest.raises(StaleVersion):
        any_store.delete(read)


def test_delete_all_removes_every_record_named_whatever_its_version(any_store, new_asset):
    # given
    items = [new_asset() for _ in range(3)]
    for item in items:
        any_store.create(item)
    moved = any_store.get(items[0].id)
    moved.name = "renamed"
    any_store.save(moved)
    kept = new_asset()
    any_store.create(kept)

    # when
    any_store.delete_all(items)

    # then
    assert [any_store.get(item.id) for item in items] == [None, None, None]
    assert any_store.get(kept.id) is not None


def test_a_query_lists_the_owners_records_newest_first(any_store, new_asset):
    # given
    mine = [new_asset() for _ in range(3)]
    theirs = new_asset(owner="user-b")
    for item in [*mine, theirs]:
        any_store.create(item)

    # when
    found = [item.id for item in any_store.query("user-a", AssetFilters())]

    # then
    assert found == [item.id for item in reversed(mine)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (AssetFilters(client_id="acme"), {"acme image", "acme video"}),
        (AssetFilters(campaign_id="spring"), {"acme image"}),
        (AssetFilters(project_id="p1"), {"acme video"}),
        (AssetFilters(todo_id="t1"), {"plain"}),
        (AssetFilters(asset_type="video"), {"acme video"}),
        (AssetFilters(tag="hero"), {"acme image", "plain"}),
        (AssetFilters(client_id="acme", asset_type="image"), {"acme image"}),
        (AssetFilters(client_id="acme", tag="hero"), {"acme image"}),
        (AssetFilters(client_id="acme", campaign_id="spring", tag="none"), set()),
    ],
)
def test_a_query_keeps_the_records_that_match_every_filter(any_store, new_asset, filters, expected):
    # given
    records = [
        new_asset(name="acme image", client_id="acme", campaign_id="spring", tags=["hero"]),
        new_asset(name="acme video", client_id="acme", project_id="p1", asset_type="video"),
        new_asset(name="plain", todo_id="t1", tags=["hero", "draft"]),
        new_asset(owner="user-b", name="theirs", client_id="acme", campaign_id="spring", project_id="p1",
                  todo_id="t1", tags=["hero"]),
    ]
    for item in records:
        any_store.create(item)

    # when
    found = {item.name for item in any_store.query("user-a", filters)}

    # then
    assert found == expected


def test_a_query_continues_after_a_list_key_across_pages(any_store, new_asset):
    # given
    items = [new_asset(client_id="acme") for _ in range(7)]
    for item in items:
        any_store.create(item)
    newest_first = [item.id for item in reversed(items)]

    # when: read two at a time, from after the third newest
    found = [item.id for item in any_store.query("user-a", AssetFilters(client_id="acme"),
                                                  after=items[4].list_key, page_size=2)]

    # then
    assert found == newest_first[3:]


def test_get_many_reads_the_records_that_exist_beyond_one_batch(any_store, new_asset):
    # given: more ids than one BatchGetItem takes (100), and one that names nothing
    items = [new_asset(name=f"n{number}") for number in range(105)]
    for item in items:
        any_store.create(item)
    missing = "5f0c1c1e-8a8e-4b8e-9a3e-2f7d2b0c9d11"

    # when
    found = any_store.get_many([item.id for item in items] + [missing, items[0].id])

    # then
    assert sorted((item.id, item.name) for item in found) == sorted((item.id, item.name) for item in items)


def test_get_many_of_no_ids_is_empty(any_store):
    # when / then
    assert any_store.get_many([]) == []


def test_expired_pending_records_are_those_pending_past_their_ttl(any_store, new_asset):
    # given: as of START + 1 h, one expired pending record per owner, one pending within its TTL,
    # one settled past its TTL, and one pending with no TTL
    as_of = START + timedelta(hours=1)
    expired = [new_asset(expires_at=as_of - timedelta(seconds=1)), new_asset(owner="user-b", expires_at=as_of)]
    others = [
        new_asset(expires_at=as_of + timedelta(seconds=1)),
        new_asset(status="ready", expires_at=as_of - timedelta(hours=1)),
        new_asset(),
    ]
    for item in [*expired, *others]:
        any_store.create(item)

    # when
    found = set(any_store.expired_pending(as_of))

    # then
    assert found == {item.id for item in expired}


def test_delete_expired_deletes_only_what_is_still_pending_and_expired(any_store, new_asset):
    # given: two expired records, one of which settles before the sweep deletes it
    as_of = START + timedelta(hours=1)
    any_store.create(abandoned := new_asset(expires_at=as_of - timedelta(minutes=1)))
    any_store.create(settling := new_asset(expires_at=as_of - timedelta(minutes=1)))
    any_store.update(any_store.get(settling.id), {"status": "ready", "expires_at": None})

    # when
    deleted = [any_store.delete_expired(item.id, as_of) for item in (abandoned, settling)]

    # then
    assert deleted == [True, False]
    assert any_store.get(abandoned.id) is None
    assert any_store.get(settling.id).status == "ready"
    assert any_store.delete_expired(abandoned.id, as_of) is False  # gone: nothing to delete


HASH = "a" * 64
OTHER_HASH = "b" * 64


def test_a_hash_finds_the_owners_ready_records_only(any_store, new_asset):
    # given: the same hash on a ready record, a pending one (declared, unconfirmed), another owner's
    # ready one, and a ready record with another hash
    records = [
        new_asset(name="ready", status="ready", sha256=HASH),
        new_asset(name="pending", status="pending", sha256=HASH),
        new_asset(owner="user-b", name="theirs", status="ready", sha256=HASH),
        new_asset(name="other", status="ready", sha256=OTHER_HASH),
    ]
    for item in records:
        any_store.create(item)

    # when
    found = {item.name for item in any_store.query("user-a", AssetFilters(sha256=HASH))}
    with_type = {item.name for item in any_store.query("user-a", AssetFilters(sha256=HASH, asset_type="video"))}

    # then
    assert found == {"ready"}
    assert with_type == set()


def test_an_update_that_settles_a_record_makes_it_findable_by_hash_and_unsettling_removes_it(
    any_store, new_asset
):
    # given: a pending upload whose client declared its hash
    any_store.create(item := new_asset(status="pending", sha256=HASH))
    pending = any_store.get(item.id)
    before = list(any_store.query("user-a", AssetFilters(sha256=HASH)))

    # when: the processor confirms it (an update naming the status and the hash only)
    any_store.update(pending, {"status": "ready", "sha256": HASH})
    settled = list(any_store.query("user-a", AssetFilters(sha256=HASH)))
    ready = any_store.get(item.id)
    any_store.update(ready, {"status": "failed", "sha256": None})
    failed = list(any_store.query("user-a", AssetFilters(sha256=HASH)))

    # then
    assert before == []
    assert [found.id for found in settled] == [item.id]
    assert failed == []
    assert any_store.get(item.id).owner_sha256 is None
