"""Usage reads are Queries on the caller's own keys: never a Scan, and a fixed number of calls."""

from __future__ import annotations

from tests.integration.lineage.helpers import trove

CONSUMER = "X-Trove-Consumer"


def operations(calls: list[tuple[str, dict]]) -> list[tuple[str, str | None]]:
    return [(name, request.get("IndexName")) for name, request in calls]


def test_each_usage_read_is_one_query(api, scan, ready_asset, dynamodb_calls):
    # given
    asset = ready_asset()
    for number in range(5):
        scan(f'import wmill\nwmill.load_s3_file("{trove(asset)}")', path=f"f/flow/step{number}")
    dynamodb_calls.clear()

    # when
    api("GET", f"/api/v2/assets/{asset['id']}/usages")
    of_asset = operations(dynamodb_calls)
    dynamodb_calls.clear()
    api("GET", "/api/v2/usages", query={"path": "f/flow/step0"})
    of_consumer = operations(dynamodb_calls)
    dynamodb_calls.clear()
    api("GET", "/api/v2/flows/graph", query={"path": "f/flow"})
    of_flow = operations(dynamodb_calls)

    # then: the asset's own record (ownership), then its partition; the index; the index and the names
    assert of_asset == [("GetItem", None), ("Query", None)]
    assert of_consumer == [("Query", "byOwnerConsumerPath")]
    assert of_flow == [("Query", "byOwnerConsumerPath"), ("BatchGetItem", None)]


def test_a_scan_and_a_run_time_read_never_scan(api, scan, ready_asset, dynamodb_calls):
    # given
    asset = ready_asset()
    api("POST", "/api/v2/assets", body={"name": "Rates", "url": "https://example.com/rates.csv"})
    dynamodb_calls.clear()

    # when
    scan(f'import wmill\nwmill.load_s3_file("{trove(asset)}")\nwmill.load_s3_file("https://example.com/rates.csv")')
    api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "job:1"})

    # then
    names = [name for name, _ in dynamodb_calls]
    assert "Scan" not in names
    assert names.count("Query") == 3  # the owner's link assets, the consumer's usages, the asset's jobs
