from __future__ import annotations

from uuid import UUID

import pytest

from functions.lineage.uris import (
    Mode,
    asset_uri,
    is_asset_uri,
    is_link_uri,
    object_uri,
    parse_object_uri,
    parse_trove_uri,
    referenced_uri,
    s3_object_uri,
    sdk_uri,
)

ASSET_ID = UUID("0b9c6f1e-8a7d-4c1e-9a3f-2f1b2c3d4e5f")
R, W, RW, U = Mode.READ, Mode.WRITE, Mode.READ_WRITE, Mode.UNKNOWN


@pytest.mark.parametrize(
    ("first", "second", "combined"),
    [
        (R, R, R),
        (W, W, W),
        (RW, RW, RW),
        (U, U, U),
        (R, W, RW),
        (W, R, RW),
        (R, RW, RW),
        (RW, W, RW),
        (U, R, U),
        (W, U, U),
        (U, RW, U),
        (RW, U, U),
    ],
)
def test_combine(first: Mode, second: Mode, combined: Mode) -> None:
    # given two uses of one URI by one consumer

    # when
    result = first.combine(second)

    # then
    assert result is combined
    assert Mode.combine(second, first) is combined  # symmetric, and callable on the class


def test_mode_values_are_the_api_strings() -> None:
    # given
    modes = list(Mode)

    # when
    values = [str(mode) for mode in modes]

    # then
    assert values == ["read", "write", "read-write", "unknown"]


def test_asset_uri_round_trips() -> None:
    # given
    uri = asset_uri(ASSET_ID)

    # when
    parsed = parse_trove_uri(uri)

    # then
    assert uri == "trove://asset/0b9c6f1e-8a7d-4c1e-9a3f-2f1b2c3d4e5f"
    assert parsed == ASSET_ID


@pytest.mark.parametrize(
    "uri",
    [
        "trove://asset/not-a-uuid",
        "trove://asset/0b9c6f1e8a7d4c1e9a3f2f1b2c3d4e5f",  # unhyphenated
        "trove://asset/{0b9c6f1e-8a7d-4c1e-9a3f-2f1b2c3d4e5f}",
        "trove://asset/0b9c6f1e-8a7d-4c1e-9a3f-2f1b2c3d4e5f/extra",
        "trove://other/0b9c6f1e-8a7d-4c1e-9a3f-2f1b2c3d4e5f",
        "s3://b/k",
        "",
    ],
)
def test_parse_trove_uri_rejects_anything_but_the_canonical_form(uri: str) -> None:
    # given an almost-trove URI

    # when
    parsed = parse_trove_uri(uri)

    # then
    assert parsed is None


def test_parse_trove_uri_accepts_upper_case_ids() -> None:
    # given
    uri = "trove://asset/0B9C6F1E-8A7D-4C1E-9A3F-2F1B2C3D4E5F"

    # when
    parsed = parse_trove_uri(uri)

    # then
    assert parsed == ASSET_ID


def test_object_uri_round_trips() -> None:
    # given
    uri = object_uri("bucket", "uploads/2024/report.csv")

    # when
    parts = parse_object_uri(uri)

    # then
    assert uri == "s3://bucket/uploads/2024/report.csv"
    assert parts == ("bucket", "uploads/2024/report.csv")


@pytest.mark.parametrize(("bucket", "key"), [("", "k"), ("b", ""), ("a/b", "k"), ("b", "with space")])
def test_object_uri_refuses_parts_that_make_no_object(bucket: str, key: str) -> None:
    # given parts that can't name an object

    # when / then
    with pytest.raises(ValueError, match="not an S3 object"):
        object_uri(bucket, key)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"trove://asset/{ASSET_ID}", True),
        ("s3://bucket/key.csv", True),
        ("s3://bucket/dir/", True),
        ("res://f/folder/db", True),
        ("s3://bucket", False),
        ("s3://bucket/", False),
        ("s3:///key", False),
        ("res://", False),
        ("s3://b/k and more words", False),
        ("https://example.com/a.png", False),  # links only count where code reads or writes them
        ("storage/path/file.csv", False),
        ("S3://b/k", False),
    ],
)
def test_is_asset_uri(text: str, expected: bool) -> None:
    # given a string found in code

    # when
    result = is_asset_uri(text)

    # then
    assert result is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/a.png", True),
        ("http://localhost:8000/x", True),
        ("https://", False),
        ("ftp://example.com/x", False),
        ("https://example.com/a b", False),
        ("https://[::1", False),
    ],
)
def test_is_link_uri(text: str, expected: bool) -> None:
    # given a string found in code

    # when
    result = is_link_uri(text)

    # then
    assert result is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trove://asset/0B9C6F1E-8A7D-4C1E-9A3F-2F1B2C3D4E5F", f"trove://asset/{ASSET_ID}"),
        ("https://example.com/a.png", "https://example.com/a.png"),
        ("res://f/db", "res://f/db"),
        ("data.csv", None),
    ],
)
def test_referenced_uri_canonicalises_assets_and_keeps_links(text: str, expected: str | None) -> None:
    # given a string code reads or writes through

    # when
    uri = referenced_uri(text)

    # then
    assert uri == expected


@pytest.mark.parametrize(
    ("argument", "bare_scheme", "expected"),
    [
        ("storage/path/to/file.csv", "s3", "s3://storage/path/to/file.csv"),
        ("s3://storage/path/to/file.csv", "s3", "s3://storage/path/to/file.csv"),
        ("f/folder/db", "res", "res://f/folder/db"),
        ("file.csv", "s3", None),  # no bucket to name
        ("/path/in/default/storage.csv", "s3", None),
        ("f/folder/db", None, None),
        ("res://f/folder/db", None, "res://f/folder/db"),
        ("https://example.com/spec.json", "res", "https://example.com/spec.json"),
        ("ftp://example.com/x", "s3", None),
    ],
)
def test_sdk_uri_reads_scheme_less_paths_under_the_bare_scheme(
    argument: str, bare_scheme: str | None, expected: str | None
) -> None:
    # given an SDK call's path argument

    # when
    uri = sdk_uri(argument, bare_scheme)

    # then
    assert uri == expected


@pytest.mark.parametrize(
    ("key", "storage", "expected"),
    [
        ("path/file.csv", "archive", "s3://archive/path/file.csv"),
        ("b/file.csv", None, "s3://b/file.csv"),
        ("s3://b/file.csv", None, "s3://b/file.csv"),
        ("file.csv", None, None),
    ],
)
def test_s3_object_uri(key: str, storage: str | None, expected: str | None) -> None:
    # given an SDK S3Object's fields

    # when
    uri = s3_object_uri(key, storage)

    # then
    assert uri == expected
