"""Deleting an asset that something uses: 409 naming the consumers, unless ?force=true."""

from __future__ import annotations

from tests.integration.lineage.helpers import trove, used_by

CONSUMER = "X-Trove-Consumer"


def test_an_asset_in_use_is_not_deleted_and_the_answer_names_its_consumers(api, scan, ready_asset, s3, bucket):
    # given
    asset = ready_asset()
    scan(f'import wmill\nwmill.load_s3_file("{trove(asset)}")', path="f/x/y")
    api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "flow:f/etl/daily"})

    # when
    response = api("DELETE", f"/api/v2/assets/{asset['id']}")

    # then
    assert response.status == 409
    assert response.json() == {
        "detail": "Asset is used by flow:f/etl/daily, script:f/x/y; delete with ?force=true to delete anyway"
    }
    assert api("GET", f"/api/v2/assets/{asset['id']}", headers={"Accept": "application/json"}).status == 200
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 2  # the file and its thumbnail are still there


def test_a_long_list_of_consumers_is_cut_short(api, scan, ready_asset):
    # given
    asset = ready_asset()
    for number in range(12):
        scan(f'x = "{trove(asset)}"', path=f"f/s{number:02}")

    # when
    response = api("DELETE", f"/api/v2/assets/{asset['id']}")

    # then
    listed = ", ".join(f"script:f/s{number:02}" for number in range(10))
    assert response.json()["detail"] == f"Asset is used by {listed} and 2 more; delete with ?force=true to delete anyway"


def test_force_deletes_the_asset_and_its_usages(api, scan, ready_asset, s3, bucket):
    # given
    asset, other = ready_asset(), ready_asset()
    scan(f'import wmill\nwmill.load_s3_file("{trove(asset)}")\nwmill.load_s3_file("{trove(other)}")', path="f/x/y")
    api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "job:1"})

    # when
    response = api("DELETE", f"/api/v2/assets/{asset['id']}", query={"force": "true"})

    # then
    assert response.status == 200, response.body
    assert api("GET", f"/api/v2/assets/{asset['id']}", headers={"Accept": "application/json"}).status == 404
    assert [usage["assetUri"] for usage in used_by(api, "f/x/y")] == [trove(other)]
    assert used_by(api, "1") == []
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 2  # only the other asset's file and thumbnail


def test_an_unused_asset_is_deleted_without_force(api, ready_asset):
    # given
    asset = ready_asset()

    # when
    response = api("DELETE", f"/api/v2/assets/{asset['id']}")

    # then
    assert response.status == 200


def test_a_link_asset_used_by_its_url_is_in_use(api, scan):
    # given: the usage was found before the link asset existed, under the URL
    scan('import wmill\nwmill.load_s3_file("https://example.com/rates.csv")', path="f/early")
    link = api("POST", "/api/v2/assets", body={"name": "Rates", "url": "https://example.com/rates.csv"}).json()

    # when
    refused = api("DELETE", f"/api/v2/assets/{link['id']}")
    forced = api("DELETE", f"/api/v2/assets/{link['id']}", query={"force": "true"})

    # then
    assert (refused.status, forced.status) == (409, 200)
    assert used_by(api, "f/early") == []


def test_an_asset_is_deletable_once_the_code_no_longer_uses_it(api, scan, ready_asset):
    # given: the consumer stops using the asset
    asset = ready_asset()
    scan(f'import wmill\nwmill.load_s3_file("{trove(asset)}")', path="f/x/y")
    scan("print('no assets now')", path="f/x/y")

    # when
    response = api("DELETE", f"/api/v2/assets/{asset['id']}")

    # then
    assert response.status == 200
