"""An asset's consumers, a consumer's assets, manual modes, and usages recorded at run time."""

from __future__ import annotations

import pytest

from tests.integration.lineage.helpers import brief, trove, usages_of, used_by

MISSING_ID = "0b5c1f7e-9a3d-4c4e-8f55-2b1d6a7c9e01"
CONSUMER = "X-Trove-Consumer"


# ---- an asset's usages ----


def test_an_assets_usages_list_its_consumers_from_code_and_from_run_time(api, scan, ready_asset):
    # given
    asset = ready_asset()
    scan(f'import wmill\nwmill.load_s3_file("{trove(asset)}")', path="f/etl/extract")
    scan(f'x = "{trove(asset)}"', path="f/etl/config")
    api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "job:1234"})
    scan('import wmill\nwmill.load_s3_file("s3://w/unrelated.csv")', path="f/etl/other")

    # when
    usages = usages_of(api, asset)

    # then
    assert brief(usages) == [
        ("job:1234", trove(asset), "read", "runtime"),
        ("script:f/etl/config", trove(asset), "unknown", "static"),
        ("script:f/etl/extract", trove(asset), "read", "static"),
    ]
    assert {usage["assetId"] for usage in usages} == {asset["id"]}


def test_a_link_assets_usages_include_those_found_before_it_existed(api, scan):
    # given: the URL was scanned while no asset had it
    scan('import wmill\nwmill.load_s3_file("https://example.com/rates.csv")', path="f/early")
    link = api("POST", "/api/v2/assets", body={"name": "Rates", "url": "https://example.com/rates.csv"}).json()
    scan('import wmill\nwmill.load_s3_file("https://example.com/rates.csv")', path="f/late")

    # when
    usages = usages_of(api, link)

    # then
    assert brief(usages) == [
        ("script:f/early", "https://example.com/rates.csv", "read", "static"),
        ("script:f/late", trove(link), "read", "static"),
    ]


@pytest.mark.parametrize(
    ("asset_id", "user", "status"),
    [("not-a-uuid", "user-a", 400), (MISSING_ID, "user-a", 404), (None, "user-b", 403)],
)
def test_an_assets_usages_answer_like_the_other_asset_routes(api, ready_asset, asset_id, user, status):
    # given
    asset = ready_asset()

    # when
    response = api("GET", f"/api/v2/assets/{asset_id or asset['id']}/usages", user=user)

    # then
    assert response.status == status
    assert response.json()["detail"]


# ---- a consumer's usages ----


def test_a_consumers_usages_are_everything_it_uses(api, scan, ready_asset):
    # given
    first, second = ready_asset(), ready_asset()
    scan(f'import wmill\nwmill.load_s3_file("{trove(first)}")\nwmill.write_s3_file("s3://w/o.csv", 1)', path="f/a")
    api("GET", f"/api/v2/assets/{second['id']}", headers={CONSUMER: "script:f/a"})
    scan(f'import wmill\nwmill.load_s3_file("{trove(second)}")', path="f/a/nested")

    # when
    usages = used_by(api, "f/a")

    # then
    assert sorted(brief(usages)) == sorted([
        ("script:f/a", "s3://w/o.csv", "write", "static"),
        ("script:f/a", trove(first), "read", "static"),
        ("script:f/a", trove(second), "read", "runtime"),
    ])  # fmt: skip


@pytest.mark.parametrize("query", [{}, {"path": "has space"}, {"path": "f/x", "kind": "robot"}])
def test_a_consumers_usages_need_a_valid_path_and_kind(api, query):
    # when
    response = api("GET", "/api/v2/usages", query=query)

    # then
    assert response.status == 400


# ---- manual modes ----


def test_a_person_sets_an_unknown_mode(api, scan):
    # given
    unknown = scan('import wmill\ndb = wmill.get_resource("res://f/db")').json()["usages"][0]

    # when
    response = api("PATCH", f"/api/v2/usages/{unknown['id']}", body={"mode": "read-write"})

    # then
    assert response.status == 200, response.body
    changed = response.json()
    assert (changed["id"], changed["mode"], changed["source"]) == (unknown["id"], "read-write", "manual")
    assert brief(used_by(api, "f/x/script")) == [("script:f/x/script", "res://f/db", "read-write", "manual")]


def test_a_person_may_change_their_own_choice(api, scan):
    # given
    unknown = scan('import wmill\ndb = wmill.get_resource("res://f/db")').json()["usages"][0]
    api("PATCH", f"/api/v2/usages/{unknown['id']}", body={"mode": "read"})

    # when
    response = api("PATCH", f"/api/v2/usages/{unknown['id']}", body={"mode": "write"})

    # then
    assert (response.status, response.json()["mode"]) == (200, "write")


def test_a_detected_mode_is_not_a_persons_to_set(api, scan):
    # given
    read = scan('import wmill\nwmill.load_s3_file("s3://w/a.csv")').json()["usages"][0]

    # when
    response = api("PATCH", f"/api/v2/usages/{read['id']}", body={"mode": "write"})

    # then
    assert response.status == 409
    assert response.json()["detail"] == "This usage's mode was detected in code as read; only an unknown mode can be set"


def test_a_run_time_mode_is_not_a_persons_to_set(api, ready_asset):
    # given
    asset = ready_asset()
    api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "job:1"})
    recorded = usages_of(api, asset)[0]

    # when
    response = api("PATCH", f"/api/v2/usages/{recorded['id']}", body={"mode": "write"})

    # then
    assert response.status == 409


@pytest.mark.parametrize(
    ("usage_id", "body", "status"),
    [
        ("bm90LWEta2V5", {"mode": "read"}, 404),  # "not-a-key": well-formed, names no usage
        ("!!!", {"mode": "read"}, 400),  # not base64
        (None, {"mode": "unknown"}, 400),
        (None, {"mode": "sideways"}, 400),
        (None, {}, 400),
    ],
)
def test_bad_mode_changes(api, scan, usage_id, body, status):
    # given
    unknown = scan('import wmill\ndb = wmill.get_resource("res://f/db")').json()["usages"][0]

    # when
    response = api("PATCH", f"/api/v2/usages/{usage_id or unknown['id']}", body=body)

    # then
    assert response.status == status


def test_a_usage_that_is_not_there_is_404(api, scan):
    # given: a well-formed id of a usage that was replaced by a rescan
    unknown = scan('import wmill\ndb = wmill.get_resource("res://f/db")').json()["usages"][0]
    scan("print('nothing')")

    # when
    response = api("PATCH", f"/api/v2/usages/{unknown['id']}", body={"mode": "read"})

    # then
    assert (response.status, response.json()["detail"]) == (404, "Usage not found")


# ---- run time ----


def test_a_file_read_with_a_consumer_header_records_a_read(api, ready_asset):
    # given
    asset = ready_asset()

    # when
    response = api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "flow:f/etl/daily"})

    # then
    assert response.status == 302
    assert brief(usages_of(api, asset)) == [("flow:f/etl/daily", trove(asset), "read", "runtime")]


def test_reading_a_link_asset_on_a_consumers_behalf_records_a_read(api):
    # given
    link = api("POST", "/api/v2/assets", body={"name": "Docs", "url": "https://example.com/docs"}).json()

    # when
    response = api("GET", f"/api/v2/assets/{link['id']}", headers={CONSUMER: "job:7"})

    # then
    assert (response.status, response.headers["location"]) == (302, "https://example.com/docs")
    assert brief(usages_of(api, link)) == [("job:7", trove(link), "read", "runtime")]


def test_an_upload_created_with_a_consumer_header_records_a_write(api, upload):
    # given
    body = {"name": "out.png", "type": "image", "format": "png", "size": 100}

    # when
    response = api("POST", "/api/v2/uploads", body=body, headers={CONSUMER: "job:99"})

    # then
    assert response.status == 201
    asset = response.json()["asset"]
    assert brief(usages_of(api, asset)) == [("job:99", trove(asset), "write", "runtime")]


def test_reads_without_the_header_or_of_the_record_record_nothing(api, ready_asset):
    # given
    asset = ready_asset()

    # when
    api("GET", f"/api/v2/assets/{asset['id']}")
    api("GET", f"/api/v2/assets/{asset['id']}", headers={"Accept": "application/json", CONSUMER: "job:1"})

    # then
    assert usages_of(api, asset) == []


def test_a_read_that_fails_records_nothing(api, upload):
    # given: still pending
    asset = upload()

    # when
    response = api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "job:1"})

    # then
    assert response.status == 409
    assert usages_of(api, asset) == []


@pytest.mark.parametrize("header", ["1234", "robot:1", "job:", "job:has space", "job:a#b", "flow:f/etl/"])
def test_a_malformed_consumer_header_is_400(api, ready_asset, header):
    # given
    asset = ready_asset()

    # when
    response = api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: header})

    # then
    assert response.status == 400
    assert response.json()["detail"].startswith("Invalid consumer: expected kind:path")
    assert usages_of(api, asset) == []


def test_a_job_that_reads_twice_is_one_usage(api, ready_asset):
    # given
    asset = ready_asset()
    api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "job:1"})

    # when
    api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "job:1"})

    # then
    assert brief(usages_of(api, asset)) == [("job:1", trove(asset), "read", "runtime")]


def test_an_asset_keeps_the_usages_of_its_latest_ten_jobs(api, ready_asset):
    # given
    asset = ready_asset()
    for job in range(1, 13):
        api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: f"job:{job}"})

    # when: job 3 reads again, so job 4 is now the oldest; job 13 comes
    api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "job:3"})
    api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "job:13"})

    # then
    jobs = {usage["consumerPath"] for usage in usages_of(api, asset)}
    assert jobs == {str(job) for job in (3, *range(5, 14))}


def test_flows_and_scripts_are_not_capped(api, ready_asset, scan):
    # given
    asset = ready_asset()

    # when
    for number in range(12):
        api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: f"flow:f/flow{number}"})
        scan(f'x = "{trove(asset)}"', path=f"f/script{number}")

    # then
    assert len(usages_of(api, asset)) == 24


def test_the_job_cap_is_per_asset(api, ready_asset):
    # given
    first, second = ready_asset(), ready_asset()
    api("GET", f"/api/v2/assets/{second['id']}", headers={CONSUMER: "job:0"})

    # when
    for job in range(1, 12):
        api("GET", f"/api/v2/assets/{first['id']}", headers={CONSUMER: f"job:{job}"})

    # then
    assert len(usages_of(api, first)) == 10
    assert brief(usages_of(api, second)) == [("job:0", trove(second), "read", "runtime")]
