"""POST /api/v2/scans: static detection through the API, resolution to the caller's assets, replacement."""

from __future__ import annotations

import pytest

from tests.integration.lineage.helpers import brief, trove, used_by

EXTERNAL = "s3://warehouse/out/daily.parquet"


def test_a_scan_returns_what_the_code_uses_resolved_to_the_callers_assets(scan, ready_asset):
    # given
    asset = ready_asset()
    code = f"""
import wmill
frame = wmill.load_s3_file("{trove(asset)}")
wmill.write_s3_file("{EXTERNAL}", frame)
db = wmill.get_resource("res://f/etl/db")
"""

    # when
    response = scan(code, path="f/etl/extract")

    # then
    assert response.status == 200, response.body
    body = response.json()
    assert (body["consumerKind"], body["consumerPath"]) == ("script", "f/etl/extract")
    assert brief(body["usages"]) == [
        ("script:f/etl/extract", "res://f/etl/db", "unknown", "static"),
        ("script:f/etl/extract", EXTERNAL, "write", "static"),
        ("script:f/etl/extract", trove(asset), "read", "static"),
    ]
    assert [usage["assetId"] for usage in body["usages"]] == [None, None, asset["id"]]
    assert set(body["usages"][0]) == {
        "id", "consumerKind", "consumerPath", "assetUri", "assetId", "mode", "source", "lastSeen"
    }  # fmt: skip


def test_every_spelling_of_one_asset_is_one_usage_of_it(scan, ready_asset, bucket):
    # given: the trove URI read, the object written, the thumbnail read
    asset = ready_asset()
    code = f"""
import wmill
wmill.load_s3_file("{trove(asset)}")
open("s3://{bucket}/uploads/{asset["id"]}", "w")
wmill.load_s3_file("s3://{bucket}/thumbnails/{asset["id"]}.jpg")
"""

    # when
    usages = scan(code).json()["usages"]

    # then
    assert brief(usages) == [("script:f/x/script", trove(asset), "read-write", "static")]
    assert usages[0]["assetId"] == asset["id"]


def test_objects_of_other_buckets_and_keys_trove_never_writes_stay_as_written(scan, ready_asset, bucket):
    # given
    asset = ready_asset()
    other_bucket = f"s3://elsewhere/uploads/{asset['id']}"
    other_key = f"s3://{bucket}/uploads/{asset['id']}.bak"

    # when
    usages = scan(f'import wmill\nwmill.load_s3_file("{other_bucket}")\nwmill.load_s3_file("{other_key}")').json()

    # then
    assert [(u["assetUri"], u["assetId"]) for u in usages["usages"]] == [(other_bucket, None), (other_key, None)]


def test_a_link_assets_url_resolves_to_it(api, scan):
    # given
    link = api("POST", "/api/v2/assets", body={"name": "Rates", "url": "https://example.com/rates.csv"}).json()

    # when
    usages = scan('import wmill\nwmill.load_s3_file("https://example.com/rates.csv")').json()["usages"]

    # then
    assert brief(usages) == [("script:f/x/script", trove(link), "read", "static")]
    assert usages[0]["assetId"] == link["id"]


@pytest.mark.parametrize(
    ("language", "code", "expected"),
    [
        ("sql", "COPY (SELECT * FROM read_parquet('s3://w/in.parquet')) TO 's3://w/out.parquet'",
         [("s3://w/in.parquet", "read"), ("s3://w/out.parquet", "write")]),
        ("typescript", 'const d = await wmill.loadS3File("s3://w/in.csv"); await wmill.writeS3File("s3://w/out.csv", d)',
         [("s3://w/in.csv", "read"), ("s3://w/out.csv", "write")]),
        ("javascript", 'const db = await wmill.getResource("res://f/db")', [("res://f/db", "unknown")]),
    ],
)  # fmt: skip
def test_every_language_of_the_detector(scan, language, code, expected):
    # when
    response = scan(code, language=language)

    # then
    assert response.status == 200, response.body
    assert [(u["assetUri"], u["mode"]) for u in response.json()["usages"]] == expected


def test_a_rescan_replaces_the_consumers_static_usages(api, scan):
    # given
    scan('import wmill\nwmill.load_s3_file("s3://w/old.csv")\nwmill.load_s3_file("s3://w/kept.csv")')

    # when
    response = scan('import wmill\nwmill.load_s3_file("s3://w/kept.csv")\nwmill.write_s3_file("s3://w/new.csv", b"")')

    # then
    expected = [
        ("script:f/x/script", "s3://w/kept.csv", "read", "static"),
        ("script:f/x/script", "s3://w/new.csv", "write", "static"),
    ]
    assert brief(response.json()["usages"]) == expected
    assert brief(used_by(api, "f/x/script")) == expected


def test_a_rescan_keeps_a_mode_a_person_set_while_the_code_still_uses_the_asset(api, scan):
    # given: the scan can't tell how the resource is used; a person says it is read
    unknown = scan('import wmill\ndb = wmill.get_resource("res://f/db")').json()["usages"][0]
    api("PATCH", f"/api/v2/usages/{unknown['id']}", body={"mode": "read"})

    # when
    rescanned = scan('import wmill\ndb = wmill.get_resource("res://f/db")\nwmill.load_s3_file("s3://w/a.csv")')

    # then
    assert brief(rescanned.json()["usages"]) == [
        ("script:f/x/script", "res://f/db", "read", "manual"),
        ("script:f/x/script", "s3://w/a.csv", "read", "static"),
    ]


def test_a_rescan_drops_a_manual_mode_once_the_code_no_longer_uses_the_asset(api, scan):
    # given
    unknown = scan('import wmill\ndb = wmill.get_resource("res://f/db")').json()["usages"][0]
    api("PATCH", f"/api/v2/usages/{unknown['id']}", body={"mode": "write"})

    # when
    scan('import wmill\nwmill.load_s3_file("s3://w/a.csv")')

    # then
    assert [u["assetUri"] for u in used_by(api, "f/x/script")] == ["s3://w/a.csv"]


def test_a_scan_leaves_other_consumers_and_run_time_usages_alone(api, scan, ready_asset):
    # given: the flow read the asset at run time; another script uses something else
    asset = ready_asset()
    api("GET", f"/api/v2/assets/{asset['id']}", headers={"X-Trove-Consumer": "flow:f/etl/daily"})
    scan('import wmill\nwmill.load_s3_file("s3://w/other.csv")', path="f/other")

    # when: the flow's own code is scanned and uses nothing
    response = scan("print('hello')", path="f/etl/daily", kind="flow")

    # then
    assert response.json()["usages"] == []
    assert brief(used_by(api, "f/etl/daily")) == [("flow:f/etl/daily", trove(asset), "read", "runtime")]
    assert brief(used_by(api, "f/other")) == [("script:f/other", "s3://w/other.csv", "read", "static")]


def test_scripts_and_flows_with_one_path_are_two_consumers(api, scan):
    # given
    scan('import wmill\nwmill.load_s3_file("s3://w/a.csv")', path="f/same", kind="script")
    scan('import wmill\nwmill.load_s3_file("s3://w/b.csv")', path="f/same", kind="flow")

    # then
    assert [u["assetUri"] for u in used_by(api, "f/same", kind="script")] == ["s3://w/a.csv"]
    assert [u["assetUri"] for u in used_by(api, "f/same", kind="flow")] == ["s3://w/b.csv"]
    assert len(used_by(api, "f/same")) == 2


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"language": "python", "content": "x = ("}, 400, "python syntax error at line 1, column 5: '(' was never closed"),
        ({"language": "sql", "content": "SELEC * FROM"}, 400, "sql syntax error"),
        ({"language": "cobol", "content": "x"}, 400, "unsupported language: 'cobol'"),
        ({"language": "python", "content": "#" * (1024 * 1024 + 1)}, 400, "python code larger than 1024 KB"),
        ({"kind": "job"}, 400, "kind"),
        ({"path": "f/has space"}, 400, "path"),
        ({"path": "f/a#b"}, 400, "path"),
        ({"path": ""}, 400, "path"),
        ({"content": None}, 400, "content"),
    ],
)
def test_bad_scans_answer_with_the_reason(api, body, status, detail):
    # given
    request = {"path": "f/x", "kind": "script", "language": "python", "content": "", **body}

    # when
    response = api("POST", "/api/v2/scans", body=request)

    # then
    assert response.status == status
    assert detail in response.json()["detail"]


def test_a_scan_needs_a_token(api):
    # when
    response = api("POST", "/api/v2/scans", user=None, body={"path": "f/x", "kind": "script", "language": "py", "content": ""})

    # then
    assert response.status == 401
