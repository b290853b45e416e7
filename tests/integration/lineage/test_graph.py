"""GET /api/v2/flows/graph?path=: a flow's steps and the assets they read and write."""

from __future__ import annotations

import pytest

from tests.integration.lineage.helpers import trove

CONSUMER = "X-Trove-Consumer"


def graph(api, path: str, user: str = "user-a") -> dict:
    response = api("GET", "/api/v2/flows/graph", user=user, query={"path": path})
    assert response.status == 200, response.body
    return response.json()


def step(consumer: str) -> dict:
    return {"id": consumer, "kind": "step", "label": consumer.partition(":")[2], "assetId": None}


def asset_node(asset: dict) -> dict:
    return {"id": trove(asset), "kind": "asset", "label": asset["name"], "assetId": asset["id"]}


def test_a_flow_with_an_input_and_an_output_asset(api, scan, ready_asset):
    # given: extract reads the input (found in its code); load writes the output (recorded at run time)
    source = ready_asset(name="input.png")
    scan(f'import wmill\nframe = wmill.load_s3_file("{trove(source)}")', path="f/etl/daily/extract")
    body = {"name": "output.png", "type": "image", "format": "png", "size": 100}
    output = api("POST", "/api/v2/uploads", body=body, headers={CONSUMER: "script:f/etl/daily/load"}).json()["asset"]

    # when
    shown = graph(api, "f/etl/daily")

    # then
    assets = sorted([asset_node(source), asset_node(output)], key=lambda node: node["id"])
    assert shown == {
        "nodes": [step("script:f/etl/daily/extract"), step("script:f/etl/daily/load"), *assets],
        "edges": [
            {"from": "script:f/etl/daily/load", "to": trove(output), "mode": "write"},
            {"from": trove(source), "to": "script:f/etl/daily/extract", "mode": "read"},
        ],
    }


def test_read_write_goes_both_ways_and_unknown_is_marked(api, scan):
    # given
    scan('import wmill\nwmill.load_s3_file("s3://w/state.json")\nwmill.write_s3_file("s3://w/state.json", 1)',
         path="f/sync/step")  # fmt: skip
    scan('import wmill\ndb = wmill.get_resource("res://f/db")', path="f/sync/other")

    # when
    shown = graph(api, "f/sync")

    # then
    assert shown["edges"] == [
        {"from": "res://f/db", "to": "script:f/sync/other", "mode": "unknown"},
        {"from": "s3://w/state.json", "to": "script:f/sync/step", "mode": "read-write"},
        {"from": "script:f/sync/step", "to": "s3://w/state.json", "mode": "read-write"},
    ]
    # Assets that are not the caller's are drawn with their URI.
    assert [node for node in shown["nodes"] if node["kind"] == "asset"] == [
        {"id": "res://f/db", "kind": "asset", "label": "res://f/db", "assetId": None},
        {"id": "s3://w/state.json", "kind": "asset", "label": "s3://w/state.json", "assetId": None},
    ]


def test_the_flow_itself_is_a_step_and_its_neighbours_are_not(api, scan, ready_asset):
    # given
    asset = ready_asset(name="a.png")
    api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "flow:f/etl/daily"})
    scan('import wmill\nwmill.load_s3_file("s3://w/sibling.csv")', path="f/etl/daily2/step")
    scan('import wmill\nwmill.load_s3_file("s3://w/script.csv")', path="f/etl/daily")  # a script, not the flow
    scan('import wmill\nwmill.load_s3_file("s3://w/parent.csv")', path="f/etl")

    # when
    shown = graph(api, "f/etl/daily")

    # then
    assert shown == {
        "nodes": [step("flow:f/etl/daily"), asset_node(asset)],
        "edges": [{"from": trove(asset), "to": "flow:f/etl/daily", "mode": "read"}],
    }


def test_a_run_time_read_settles_a_step_the_code_left_unknown(api, scan, ready_asset):
    # given
    asset = ready_asset(name="a.png")
    scan(f'config = "{trove(asset)}"', path="f/etl/daily/step")
    api("GET", f"/api/v2/assets/{asset['id']}", headers={CONSUMER: "script:f/etl/daily/step"})

    # when
    shown = graph(api, "f/etl/daily")

    # then
    assert shown["edges"] == [{"from": trove(asset), "to": "script:f/etl/daily/step", "mode": "read"}]


def test_a_deleted_asset_is_drawn_by_its_uri(api, scan, ready_asset):
    # given: the step's code still names an asset that was deleted
    asset = ready_asset(name="gone.png")
    api("DELETE", f"/api/v2/assets/{asset['id']}")
    scan(f'import wmill\nwmill.load_s3_file("{trove(asset)}")', path="f/etl/daily/step")

    # when
    shown = graph(api, "f/etl/daily")

    # then
    assert shown["nodes"][1] == {"id": trove(asset), "kind": "asset", "label": trove(asset), "assetId": None}


def test_a_flow_without_usages_has_an_empty_graph(api):
    # then
    assert graph(api, "f/nothing/here") == {"nodes": [], "edges": []}


@pytest.mark.parametrize("query", [{}, {"path": "f/etl/"}, {"path": "has space"}])
def test_a_graph_needs_a_valid_flow_path(api, query):
    # when
    response = api("GET", "/api/v2/flows/graph", query=query)

    # then
    assert response.status == 400
