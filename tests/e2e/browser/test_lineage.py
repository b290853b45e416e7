"""Lineage in the web page (issue 8), in Chromium against the local stack: an asset's usages in its
details drawer, an unknown mode set by hand (and the API's refusal shown), and the Flows view drawing
a two-step flow `f/etl/daily` as SVG, with the assets it reads on the left and writes on the right.

The data is set up straight through the API as the same user (link assets, then scans of the steps'
code); everything after that is done in the page. Waits are bounded by Playwright's expect timeout.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from infra.local.harness import Client, StackProcess
from tests.e2e.browser.support import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

FLOW = "f/etl/daily"
EXTRACT = f"script:{FLOW}/extract"
LOAD = f"script:{FLOW}/load"
STAGING = "s3://warehouse/staging/orders.parquet"  # not a Trove asset: drawn as its URI
RAW_NAME = "<b>Raw orders</b> & co"  # markup in a name: must show as text in the drawing


def create_link(api: Client, name: str, url: str) -> dict:
    answer = api.api("POST", "/api/v2/assets", json={"name": name, "url": url})
    assert answer.status_code == 201, answer.text
    return answer.json()


def scan(api: Client, path: str, language: str, content: str) -> list[dict]:
    answer = api.api(
        "POST",
        "/api/v2/scans",
        json={"path": path, "kind": "script", "language": language, "content": content},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["usages"]


def extract_code(raw: dict, settings: dict, settings_call: str = "") -> str:
    """Reads the raw orders, writes the staging file; names the settings without saying how it uses
    them (unknown), unless `settings_call` wraps them in a call."""
    settings_uri = f'"trove://asset/{settings["id"]}"'
    settings_value = f"{settings_call}({settings_uri})" if settings_call else settings_uri
    return (
        "import wmill\n\n"
        f"SETTINGS = {settings_value}\n\n\n"
        "def main():\n"
        f'    orders = wmill.load_s3_file("trove://asset/{raw["id"]}")\n'
        f'    wmill.write_s3_file("{STAGING}", orders)\n'
        "    return {'rows': len(orders), 'settings': SETTINGS}\n"
    )


def load_code(warehouse: dict) -> str:
    return (
        f"COPY (SELECT * FROM read_parquet('{STAGING}') WHERE amount > 0)\n"
        f"TO 'trove://asset/{warehouse['id']}' (FORMAT parquet);\n"
    )


def row(page: Page, name: str) -> Locator:
    return page.locator("#results tr[data-asset-id]").filter(
        has=page.get_by_role("button", name=name, exact=True)
    )


def node(page: Page, node_id: str) -> Locator:
    return page.locator(f'#flow-graph svg g.node[data-node-id="{node_id}"]')


def edge(page: Page, source: str, target: str) -> Locator:
    return page.locator(f'#flow-graph svg path.edge[data-from="{source}"][data-to="{target}"]')


def box(locator: Locator) -> dict:
    found = locator.bounding_box()
    assert found is not None
    return found


@pytest.fixture
def etl(api: Client) -> dict[str, dict]:
    """Three link assets of the user and the two steps of f/etl/daily scanned from their code."""
    assets = {
        "raw": create_link(api, RAW_NAME, "https://data.example.com/orders/raw.csv"),
        "warehouse": create_link(api, "Orders warehouse table", "https://data.example.com/orders/warehouse"),
        "settings": create_link(api, "ETL settings", "https://data.example.com/etl/settings.json"),
    }
    extract = {
        u["assetUri"]: u["mode"]
        for u in scan(api, f"{FLOW}/extract", "python", extract_code(assets["raw"], assets["settings"]))
    }
    assert extract == {
        f"trove://asset/{assets['raw']['id']}": "read",
        f"trove://asset/{assets['settings']['id']}": "unknown",
        STAGING: "write",
    }
    load = {
        u["assetUri"]: u["mode"] for u in scan(api, f"{FLOW}/load", "sql", load_code(assets["warehouse"]))
    }
    assert load == {STAGING: "read", f"trove://asset/{assets['warehouse']['id']}": "write"}
    return assets


def open_details(page: Page, name: str) -> Locator:
    row(page, name).get_by_role("button", name=name, exact=True).click()
    drawer = page.locator("#details")
    expect(drawer.locator("#details-title")).to_have_text(name)
    return drawer.locator("[data-hook=lineage]")


def test_usages_panel_and_the_graph_of_a_two_step_flow(
    signed_in: Page, api: Client, etl: dict[str, dict], shot: Callable
) -> None:
    page = signed_in
    raw, warehouse, settings = etl["raw"], etl["warehouse"], etl["settings"]
    raw_uri, warehouse_uri, settings_uri = (f"trove://asset/{a['id']}" for a in (raw, warehouse, settings))
    page.reload()
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(3)

    # The input's details: its one consumer, reading it, found in code.
    usages = open_details(page, RAW_NAME)
    expect(usages.locator(".usage")).to_have_count(1)
    usage = usages.locator(".usage").first
    expect(usage).to_have_attribute("data-consumer", EXTRACT)
    expect(usage).to_have_attribute("data-mode", "read")
    expect(usage.locator(".usage-consumer")).to_have_text(EXTRACT)
    expect(usage.locator(".mode")).to_have_text("read")
    expect(usage.locator(".usage-meta")).to_contain_text("found in code")
    expect(usage.locator(".usage-meta time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    expect(usage.locator("select")).to_have_count(0)  # a mode found in code is a fact: no control
    page.keyboard.press("Escape")

    # The Flows view: typed, then Enter.
    page.get_by_role("button", name="Flows").click()
    expect(page.get_by_role("button", name="Flows")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#results")).to_be_hidden()
    path = page.get_by_label("Flow path")
    path.fill(FLOW)
    path.press("Enter")
    graph = page.locator("#flow-graph svg.flow-svg")
    expect(graph).to_have_attribute("data-flow", FLOW)
    expect(page).to_have_url(re.compile(r"\?view=flows&flow=f%2Fetl%2Fdaily$"))

    # Nodes: inputs on the left, the steps in the middle, outputs on the right.
    expect(graph.locator("g.node")).to_have_count(6)
    expect(node(page, raw_uri)).to_have_attribute("data-column", "input")
    expect(node(page, settings_uri)).to_have_attribute("data-column", "input")
    expect(node(page, EXTRACT)).to_have_attribute("data-column", "step")
    expect(node(page, LOAD)).to_have_attribute("data-column", "step")
    expect(node(page, warehouse_uri)).to_have_attribute("data-column", "output")
    expect(node(page, STAGING)).to_have_attribute("data-column", "output")  # written by extract, read by load
    assert box(node(page, raw_uri))["x"] < box(node(page, EXTRACT))["x"] < box(node(page, warehouse_uri))["x"]
    assert box(node(page, EXTRACT))["x"] == box(node(page, LOAD))["x"]

    # Labels are text: the markup in a name is shown, never parsed.
    expect(node(page, raw_uri).locator(".node-label")).to_have_text(RAW_NAME)
    expect(node(page, raw_uri)).to_have_attribute("data-asset-id", raw["id"])
    expect(graph.locator("b")).to_have_count(0)
    expect(node(page, EXTRACT).locator(".node-label")).to_have_text("extract")
    expect(node(page, STAGING).locator(".node-label")).to_have_attribute("data-full", STAGING)  # cut to fit
    expect(node(page, STAGING).locator("title")).to_have_text(STAGING)
    expect(node(page, STAGING)).not_to_have_attribute("data-asset-id", re.compile(".*"))

    # Edges, in the directions of the data: read asset -> step, write step -> asset, unknown dashed.
    expect(graph.locator("path.edge")).to_have_count(5)
    expect(edge(page, raw_uri, EXTRACT)).to_have_attribute("data-mode", "read")
    expect(edge(page, EXTRACT, STAGING)).to_have_attribute("data-mode", "write")
    expect(edge(page, STAGING, LOAD)).to_have_attribute("data-mode", "read")
    expect(edge(page, LOAD, warehouse_uri)).to_have_attribute("data-mode", "write")
    expect(edge(page, settings_uri, EXTRACT)).to_have_attribute("data-mode", "unknown")
    expect(edge(page, EXTRACT, raw_uri)).to_have_count(0)
    expect(edge(page, warehouse_uri, LOAD)).to_have_count(0)
    dashes = edge(page, settings_uri, EXTRACT).evaluate("e => getComputedStyle(e).strokeDasharray")
    assert dashes not in ("", "none"), dashes
    solid = edge(page, raw_uri, EXTRACT).evaluate("e => getComputedStyle(e).strokeDasharray")
    assert solid == "none", solid
    for path_element in graph.locator("path.edge").all():
        assert path_element.get_attribute("marker-end", timeout=1000).startswith("url(#")
    shot(page, "flow-graph", full_page=False)
    figure = graph.locator("xpath=ancestor::figure")
    figure.screenshot(path=str(ARTIFACTS / "flow-graph-figure.png"))
    page.emulate_media(color_scheme="dark")
    figure.screenshot(path=str(ARTIFACTS / "flow-graph-figure-dark.png"))
    page.emulate_media(color_scheme="light")

    # Clicking an asset node opens its details; Escape gives the focus back to the node.
    node(page, warehouse_uri).click()
    drawer = page.locator("#details")
    expect(drawer.locator("#details-title")).to_have_text("Orders warehouse table")
    expect(drawer.locator("[data-hook=lineage] .usage")).to_have_count(1)
    expect(drawer.locator("[data-hook=lineage] .usage")).to_have_attribute("data-consumer", LOAD)
    expect(drawer.locator("[data-hook=lineage] .mode")).to_have_text("write")
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(node(page, warehouse_uri)).to_be_focused()

    # ...and from the keyboard: Enter on a focused node. Steps and external assets are not buttons.
    node(page, raw_uri).focus()
    page.keyboard.press("Enter")
    expect(drawer.locator("#details-title")).to_have_text(RAW_NAME)
    page.keyboard.press("Escape")
    expect(node(page, EXTRACT)).not_to_have_attribute("tabindex", re.compile(".*"))
    expect(node(page, STAGING)).not_to_have_attribute("tabindex", re.compile(".*"))

    # A reload keeps the view and the flow (they are in the address).
    page.reload()
    expect(page.locator("#flow-graph svg.flow-svg")).to_have_attribute("data-flow", FLOW)
    expect(page.get_by_label("Flow path")).to_have_value(FLOW)


def test_an_unknown_mode_is_set_from_the_usages_panel(
    signed_in: Page, api: Client, etl: dict[str, dict], shot: Callable
) -> None:
    page = signed_in
    raw, settings = etl["raw"], etl["settings"]
    settings_uri = f"trove://asset/{settings['id']}"
    page.reload()
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(3)

    usages = open_details(page, "ETL settings")
    usage = usages.locator(".usage")
    expect(usage).to_have_count(1)
    expect(usage).to_have_attribute("data-mode", "unknown")
    expect(usage.locator(".mode")).to_have_text("unknown")
    expect(usages).to_contain_text("of unknown mode")
    select = usage.get_by_label(f"Mode for {EXTRACT}")
    expect(select).to_have_value("")

    # Saving without a choice says so, without asking the API.
    usage.get_by_role("button", name="Set mode").click()
    expect(usage.locator(".usage-error")).to_have_text("Choose read, write or read-write.")
    expect(select).to_be_focused()

    # The API's refusal is shown from its detail: meanwhile the code started to say how it uses the
    # settings (a read), and a mode found in code is not for a person to set.
    scan(api, f"{FLOW}/extract", "python", extract_code(raw, settings, "wmill.load_s3_file"))
    select.select_option("write")
    usage.get_by_role("button", name="Set mode").click()
    expect(usage.locator(".usage-error")).to_have_text(
        "This usage's mode was detected in code as read; only an unknown mode can be set"
    )
    shot(page, "usages-refused", full_page=False)
    page.keyboard.press("Escape")

    # The code goes back to naming them only: unknown again. Set it from the keyboard.
    scan(api, f"{FLOW}/extract", "python", extract_code(raw, settings))
    usages = open_details(page, "ETL settings")
    usage = usages.locator(".usage")
    expect(usage).to_have_attribute("data-mode", "unknown")
    select = usage.get_by_label(f"Mode for {EXTRACT}")
    select.focus()
    page.keyboard.press("ArrowDown")  # Choose… -> read
    expect(select).to_have_value("read")
    page.keyboard.press("Tab")
    expect(usage.get_by_role("button", name="Set mode")).to_be_focused()
    shot(page, "usages-unknown", full_page=False)
    page.keyboard.press("Enter")

    # Now a person's choice: read, set by hand, and still changeable.
    usage = usages.locator(".usage")
    expect(usage).to_have_attribute("data-mode", "read")
    expect(usage).to_have_attribute("data-source", "manual")
    expect(usage.locator(".mode")).to_have_text("read")
    expect(usage.locator(".usage-meta")).to_contain_text("set by hand")
    expect(usage.get_by_label(f"Your choice for {EXTRACT}")).to_have_value("read")
    expect(usage.get_by_label(f"Your choice for {EXTRACT}")).to_be_focused()
    expect(usage.locator(".usage-error")).to_be_hidden()
    stored = api.api("GET", f"/api/v2/assets/{settings['id']}/usages").json()
    assert [(u["mode"], u["source"]) for u in stored] == [("read", "manual")]

    # From the usage to its flow: the graph now draws the settings as a plain read.
    usage.get_by_role("button", name=f"Show the graph of flow {FLOW}").click()
    expect(page.locator("#details")).to_be_hidden()
    expect(page.get_by_role("button", name="Flows")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("Flow path")).to_have_value(FLOW)
    expect(page.get_by_label("Flow path")).to_be_focused()
    expect(edge(page, settings_uri, EXTRACT)).to_have_attribute("data-mode", "read")
    dashes = edge(page, settings_uri, EXTRACT).evaluate("e => getComputedStyle(e).strokeDasharray")
    assert dashes == "none", dashes


def test_flows_view_empty_and_refused_paths(signed_in: Page, local_stack: StackProcess) -> None:
    page = signed_in
    page.get_by_role("button", name="Flows").click()
    expect(page.locator("#flow-status")).to_contain_text("Pick a flow to draw.")

    path = page.get_by_label("Flow path")
    page.get_by_role("button", name="Show graph").click()
    expect(page.locator("#flow-status [role=alert]")).to_have_text("Enter a flow path, like f/etl/daily.")

    path.fill("f/nothing/here")
    path.press("Enter")
    expect(page.locator("#flow-status")).to_contain_text("Nothing is known to run under f/nothing/here.")
    expect(page.locator("#flow-graph svg")).to_have_count(0)

    path.fill("not a path!")
    path.press("Enter")
    alert = page.locator("#flow-status [role=alert]")
    expect(alert).to_contain_text("The graph of not a path! could not be loaded.")
    detail = alert.locator(".error-detail")
    expect(detail).not_to_be_empty()
    expect(detail).not_to_have_text(re.compile(r"^\d{3} "))  # the API's own words, not a bare status

    # Back to the table: the list is there again, the graph's form is not.
    page.get_by_role("button", name="Table").click()
    expect(page.locator("#flows")).to_be_hidden()
    expect(page.get_by_text("No assets yet.")).to_be_visible()
