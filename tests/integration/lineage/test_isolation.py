"""Owner isolation: user B never sees, changes or attaches usages to user A's assets."""

from __future__ import annotations

from tests.integration.lineage.helpers import brief, trove, usages_of, used_by

CONSUMER = "X-Trove-Consumer"


def test_b_never_sees_a_usages(api, scan, ready_asset):
    # given
    asset = ready_asset(user="user-a")
    scan(f'import wmill\nwmill.load_s3_file("{trove(asset)}")', path="f/etl/daily/extract", user="user-a")

    # when
    of_asset = api("GET", f"/api/v2/assets/{asset['id']}/usages", user="user-b")
    of_consumer = used_by(api, "f/etl/daily/extract", user="user-b")
    of_flow = api("GET", "/api/v2/flows/graph", user="user-b", query={"path": "f/etl/daily"}).json()

    # then
    assert of_asset.status == 403
    assert asset["id"] not in of_asset.body
    assert of_consumer == []
    assert of_flow == {"nodes": [], "edges": []}


def test_b_scanning_a_trove_uri_does_not_attach_a_usage_to_a_asset(api, scan, ready_asset, bucket):
    # given
    asset = ready_asset(user="user-a")
    code = f"""
import wmill
wmill.load_s3_file("{trove(asset)}")
wmill.write_s3_file("s3://{bucket}/uploads/{asset["id"]}", 1)
"""

    # when
    usages = scan(code, path="f/b/steal", user="user-b").json()["usages"]

    # then: B's usages name the URIs as written, of no asset of B's; A's asset knows nothing of them
    assert [(usage["assetUri"], usage["assetId"]) for usage in usages] == [
        (f"s3://{bucket}/uploads/{asset['id']}", None),
        (trove(asset), None),
    ]
    assert usages_of(api, asset, user="user-a") == []
    assert api("DELETE", f"/api/v2/assets/{asset['id']}", user="user-a").status == 200


def test_b_cannot_change_a_usage_of_a(api, scan):
    # given
    unknown = scan('import wmill\ndb = wmill.get_resource("res://f/db")', user="user-a").json()["usages"][0]

    # when
    response = api("PATCH", f"/api/v2/usages/{unknown['id']}", user="user-b", body={"mode": "write"})

    # then
    assert response.status == 404
    assert brief(used_by(api, "f/x/script", user="user-a")) == [("script:f/x/script", "res://f/db", "unknown", "static")]


def test_b_reading_a_asset_on_a_jobs_behalf_records_nothing(api, ready_asset):
    # given
    asset = ready_asset(user="user-a")

    # when
    response = api("GET", f"/api/v2/assets/{asset['id']}", user="user-b", headers={CONSUMER: "job:1"})

    # then
    assert response.status == 403
    assert usages_of(api, asset, user="user-a") == []
    assert used_by(api, "1", user="user-b") == []


def test_the_same_consumer_path_in_two_accounts_is_two_consumers(api, scan):
    # given
    scan('import wmill\nwmill.load_s3_file("s3://w/a.csv")', path="f/shared", user="user-a")

    # when
    scan('import wmill\nwmill.load_s3_file("s3://w/b.csv")', path="f/shared", user="user-b")

    # then
    assert [usage["assetUri"] for usage in used_by(api, "f/shared", user="user-a")] == ["s3://w/a.csv"]
    assert [usage["assetUri"] for usage in used_by(api, "f/shared", user="user-b")] == ["s3://w/b.csv"]


def test_a_link_url_resolves_only_among_the_callers_own_link_assets(api, scan):
    # given
    api("POST", "/api/v2/assets", user="user-a", body={"name": "Rates", "url": "https://example.com/rates.csv"})

    # when
    usages = scan('import wmill\nwmill.load_s3_file("https://example.com/rates.csv")', user="user-b").json()["usages"]

    # then
    assert [(usage["assetUri"], usage["assetId"]) for usage in usages] == [("https://example.com/rates.csv", None)]
