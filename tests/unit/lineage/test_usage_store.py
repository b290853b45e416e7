"""The UsageStore contract, held by the in-memory store and by the DynamoDB store (on moto) alike:
what the lineage rules' unit tests learn on the first is true of the second."""

from __future__ import annotations

import pytest

from functions.core.store import StaleVersion
from functions.lineage.consumers import Origin, Source
from functions.lineage.uris import Mode

PHOTO = "trove://asset/5f0c1c1e-8a8e-4b8e-9a3e-2f7d2b0c9d11"
REPORT = "s3://elsewhere/report.csv"


def test_a_usage_reads_back_by_its_key_and_an_unknown_key_as_none(any_usage_store, new_usage):
    # given
    row = new_usage(PHOTO, "job:42", origin=Origin.RUN, mode=Mode.WRITE, source=Source.RUNTIME)

    # when
    any_usage_store.put(row)

    # then
    found = any_usage_store.get("user-a", PHOTO, row.sk)
    assert (found.consumer_kind, found.consumer_path, found.mode, found.source) == (
        "job",
        "42",
        "write",
        "runtime",
    )
    assert found.last_seen == row.last_seen
    assert any_usage_store.get("user-b", PHOTO, row.sk) is None
    assert any_usage_store.get("user-a", PHOTO, "job:43#run") is None


def test_put_writes_over_the_usage_with_the_same_key(any_usage_store, new_usage):
    # given
    any_usage_store.put(new_usage(PHOTO, mode=Mode.READ))

    # when
    any_usage_store.put(new_usage(PHOTO, mode=Mode.READ_WRITE))

    # then
    assert [row.mode for row in any_usage_store.of_asset_uri("user-a", PHOTO)] == ["read-write"]


def test_a_conditional_put_needs_the_mode_and_source_read(any_usage_store, new_usage):
    # given: a usage read, then changed by someone else
    any_usage_store.put(new_usage(PHOTO, mode=Mode.UNKNOWN))
    read = any_usage_store.get("user-a", PHOTO, new_usage(PHOTO).sk)
    any_usage_store.put(new_usage(PHOTO, mode=Mode.READ))

    # when / then
    read.mode, read.source = "write", "manual"
    with pytest.raises(StaleVersion):
        any_usage_store.put_if_unchanged(read, "unknown", "static")
    any_usage_store.put_if_unchanged(read, "read", "static")
    assert any_usage_store.get("user-a", PHOTO, read.sk).mode == "write"


def test_a_conditional_put_of_a_usage_gone_meanwhile_is_stale(any_usage_store, new_usage):
    # when / then
    with pytest.raises(StaleVersion):
        any_usage_store.put_if_unchanged(new_usage(PHOTO), "read", "static")
    assert any_usage_store.get("user-a", PHOTO, new_usage(PHOTO).sk) is None


def test_a_batch_writes_and_deletes(any_usage_store, new_usage):
    # given
    gone = new_usage(PHOTO, "script:f/old")
    any_usage_store.put(gone)
    kept = [new_usage(PHOTO, f"script:f/s{number}") for number in range(30)]  # more than one batch of 25

    # when
    any_usage_store.write_batch(puts=kept, deletes=[gone])

    # then
    found = {row.consumer_path for row in any_usage_store.of_asset_uri("user-a", PHOTO)}
    assert found == {f"f/s{number}" for number in range(30)}


def test_an_asset_uris_usages_are_the_owners_in_sort_key_order_and_a_prefix_narrows_them(
    any_usage_store, new_usage
):
    # given
    rows = [
        new_usage(PHOTO, "script:f/b"),
        new_usage(PHOTO, "job:7", origin=Origin.RUN, source=Source.RUNTIME),
        new_usage(PHOTO, "flow:f/a", origin=Origin.RUN, source=Source.RUNTIME),
        new_usage(PHOTO, "script:f/b", owner="user-b"),
        new_usage(REPORT, "script:f/b"),
    ]
    any_usage_store.write_batch(puts=rows)

    # when
    every = [row.sk for row in any_usage_store.of_asset_uri("user-a", PHOTO)]
    jobs = [row.sk for row in any_usage_store.of_asset_uri("user-a", PHOTO, sort_key_prefix="job:")]

    # then
    assert every == ["flow:f/a#run", "job:7#run", "script:f/b#code"]
    assert jobs == ["job:7#run"]


def test_a_consumers_usages_are_by_its_exact_path_and_kind_when_given(any_usage_store, new_usage):
    # given
    any_usage_store.write_batch(
        puts=[
            new_usage(PHOTO, "script:f/etl"),
            new_usage(REPORT, "flow:f/etl", origin=Origin.RUN, source=Source.RUNTIME),
            new_usage(PHOTO, "script:f/etl/load"),
            new_usage(PHOTO, "script:f/etl", owner="user-b"),
        ]
    )

    # when
    every_kind = {
        (row.consumer_kind, row.asset_uri) for row in any_usage_store.of_consumer_path("user-a", "f/etl")
    }
    scripts = {row.asset_uri for row in any_usage_store.of_consumer_path("user-a", "f/etl", "script")}

    # then
    assert every_kind == {("script", PHOTO), ("flow", REPORT)}
    assert scripts == {PHOTO}


def test_usages_under_a_path_match_it_as_text(any_usage_store, new_usage):
    # given
    any_usage_store.write_batch(
        puts=[
            new_usage(PHOTO, "flow:f/etl"),
            new_usage(PHOTO, "script:f/etl/load"),
            new_usage(PHOTO, "script:f/etl2"),
            new_usage(PHOTO, "script:f/other"),
            new_usage(PHOTO, "script:f/etl/load", owner="user-b"),
        ]
    )

    # when
    found = {row.consumer_path for row in any_usage_store.under_consumer_path("user-a", "f/etl")}

    # then: the prefix is text; which of these are a flow's steps is the use case's to decide
    assert found == {"f/etl", "f/etl/load", "f/etl2"}
