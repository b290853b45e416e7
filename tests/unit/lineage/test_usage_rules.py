"""The lineage rules (functions/lineage/usages.py, graph.py) on the in-memory stores: no moto, no
network. tests/integration/lineage holds the same rules through the API, on moto."""

from __future__ import annotations

import pytest

from functions.core import storage
from functions.core.errors import Conflict, InvalidInput, NotFound
from functions.lineage import graph, usages
from functions.lineage.consumers import Consumer, ConsumerKind, Origin, Source
from functions.lineage.schemas import ModeChange, ScanRequest
from functions.lineage.uris import Mode
from tests.unit.lineage.conftest import OWNER, SETTINGS


@pytest.fixture
def scan(usage_store, asset_store):
    """Scan Python code as the consumer `script:{path}` (or `flow:` with kind="flow")."""

    def run(code: str, path: str = "f/etl/load", kind: str = "script"):
        request = ScanRequest(path=path, kind=kind, language="python", content=code)
        return usages.scan(OWNER, request, SETTINGS, store=usage_store, asset_store=asset_store)[1]

    return run


def uri(item) -> str:
    return f"trove://asset/{item.id}"


def brief(rows) -> list[tuple[str, str, str, str]]:
    return [(str(row.consumer), row.asset_uri, row.mode, row.source) for row in rows]


def test_every_spelling_of_an_owned_asset_is_one_usage_under_its_trove_uri(scan, asset_store, new_asset):
    # given: the caller's asset, named by its trove:// URI and by its upload key in Trove's bucket
    asset_store.create(item := new_asset())
    object_uri = f"s3://{SETTINGS.bucket_name}/{storage.upload_key(item.id)}"

    # when
    rows = scan(f'import wmill\nwmill.load_s3_file("{uri(item)}")\nwmill.write_s3_file("{object_uri}", b"")')

    # then
    assert brief(rows) == [("script:f/etl/load", uri(item), "read-write", "static")]
    assert rows[0].asset_id == item.id


def test_another_owners_asset_and_an_unknown_uri_are_stored_as_written(scan, asset_store, new_asset):
    # given
    asset_store.create(theirs := new_asset(owner="user-b"))

    # when
    rows = scan(f'import wmill\nwmill.load_s3_file("{uri(theirs)}")\nwmill.load_s3_file("s3://w/a.csv")')

    # then
    assert {(row.asset_uri, row.asset_id) for row in rows} == {(uri(theirs), None), ("s3://w/a.csv", None)}


def test_a_link_assets_url_resolves_to_the_newest_link_with_it(scan, asset_store, new_asset):
    # given: two links with one URL
    url = "https://example.com/rates.csv"
    asset_store.create(new_asset(asset_type="link", url=url))
    asset_store.create(newer := new_asset(asset_type="link", url=url))

    # when
    rows = scan(f'import wmill\nwmill.load_s3_file("{url}")')

    # then
    assert [(row.asset_uri, row.asset_id) for row in rows] == [(uri(newer), newer.id)]


def test_a_rescan_replaces_static_usages_and_keeps_a_manual_mode_while_mentioned(scan, usage_store):
    # given: a scan, then a person sets the unknown mode of one usage
    first = scan('x = "s3://w/a.csv"\ny = "s3://w/b.csv"')
    unknown = next(row for row in first if row.asset_uri == "s3://w/a.csv")
    usages.set_mode(OWNER, unknown.usage_id, ModeChange(mode="write"), store=usage_store)

    # when: the code now mentions a.csv and c.csv
    rows = scan('x = "s3://w/a.csv"\nz = "s3://w/c.csv"')

    # then
    assert brief(rows) == [
        ("script:f/etl/load", "s3://w/a.csv", "write", "manual"),
        ("script:f/etl/load", "s3://w/c.csv", "unknown", "static"),
    ]
    assert brief(usages.of_consumer(OWNER, "f/etl/load", store=usage_store)) == brief(rows)


def test_code_that_does_not_parse_is_invalid_input_and_changes_nothing(scan, usage_store):
    # given
    scan('x = "s3://w/a.csv"')

    # when / then
    with pytest.raises(InvalidInput):
        scan("def broken(:\n")
    assert len(usages.of_consumer(OWNER, "f/etl/load", store=usage_store)) == 1


def test_run_time_reads_and_writes_by_one_consumer_combine(usage_store, new_asset):
    # given
    item = new_asset()
    job = Consumer(ConsumerKind.JOB, "1234")

    # when
    usages.record_run(OWNER, item.id, job, Mode.READ, store=usage_store)
    row = usages.record_run(OWNER, item.id, job, Mode.WRITE, store=usage_store)

    # then
    assert (row.mode, row.source, row.origin, row.asset_id) == ("read-write", "runtime", "run", item.id)
    assert brief(usages.of_asset(OWNER, item, store=usage_store)) == [
        ("job:1234", uri(item), "read-write", "runtime")
    ]


def test_an_asset_keeps_the_usages_of_its_latest_jobs_only(usage_store, new_asset):
    # given
    item = new_asset()
    flow = Consumer(ConsumerKind.FLOW, "f/etl")
    usages.record_run(OWNER, item.id, flow, Mode.READ, store=usage_store)

    # when: one job more than kept
    for number in range(usages.MAX_JOB_USAGES_PER_ASSET + 1):
        usages.record_run(
            OWNER, item.id, Consumer(ConsumerKind.JOB, str(number)), Mode.READ, store=usage_store
        )

    # then: the first job went, the flow stays
    consumers = {str(row.consumer) for row in usages.of_asset(OWNER, item, store=usage_store)}
    jobs = {f"job:{number}" for number in range(1, usages.MAX_JOB_USAGES_PER_ASSET + 1)}
    assert consumers == {"flow:f/etl"} | jobs


@pytest.mark.parametrize(
    ("source", "mode", "message"),
    [
        (Source.RUNTIME, Mode.READ, "recorded at run time"),
        (Source.STATIC, Mode.READ, "detected in code as read"),
    ],
)
def test_a_mode_that_is_a_fact_cannot_be_set(usage_store, new_usage, source, mode, message):
    # given
    origin = Origin.RUN if source == Source.RUNTIME else Origin.CODE
    usage_store.put(row := new_usage("s3://w/a.csv", origin=origin, mode=mode, source=source))

    # when / then
    with pytest.raises(Conflict, match=message):
        usages.set_mode(OWNER, row.usage_id, ModeChange(mode="write"), store=usage_store)
    assert usage_store.get(OWNER.sub, "s3://w/a.csv", row.sk).mode == mode


def test_an_unknown_mode_is_set_by_a_person_and_can_be_changed_again(usage_store, new_usage):
    # given
    usage_store.put(row := new_usage("s3://w/a.csv", mode=Mode.UNKNOWN))

    # when
    usages.set_mode(OWNER, row.usage_id, ModeChange(mode="write"), store=usage_store)
    changed = usages.set_mode(OWNER, row.usage_id, ModeChange(mode="read"), store=usage_store)

    # then
    assert (changed.mode, changed.source) == ("read", "manual")
    assert usage_store.get(OWNER.sub, "s3://w/a.csv", row.sk).mode == "read"


def test_a_usage_id_of_another_owner_or_of_nothing_is_not_found(usage_store, new_usage):
    # given: user-b's usage
    usage_store.put(theirs := new_usage("s3://w/a.csv", owner="user-b", mode=Mode.UNKNOWN))

    # when / then
    for usage_id in (theirs.usage_id, "bm90LWEta2V5", "%%%"):
        with pytest.raises(NotFound):
            usages.set_mode(OWNER, usage_id, ModeChange(mode="read"), store=usage_store)
    assert usage_store.get("user-b", "s3://w/a.csv", theirs.sk).mode == "unknown"


def test_an_asset_in_use_names_its_consumers_and_forgetting_it_removes_them(
    scan, usage_store, asset_store, new_asset
):
    # given: an asset two scripts use, and another asset of the same owner
    asset_store.create(item := new_asset())
    asset_store.create(other := new_asset())
    scan(f'x = "{uri(item)}"\ny = "{uri(other)}"', path="f/a")
    scan(f'x = "{uri(item)}"', path="f/b")

    # when / then
    with pytest.raises(Conflict, match=r"used by script:f/a, script:f/b; delete with \?force=true"):
        usages.ensure_unused(OWNER, item, store=usage_store)
    usages.forget_asset(OWNER, item, store=usage_store)
    usages.ensure_unused(OWNER, item, store=usage_store)
    assert [row.asset_uri for row in usages.of_consumer(OWNER, "f/a", store=usage_store)] == [uri(other)]


def test_a_flow_graph_has_its_steps_their_assets_and_edges_by_mode(scan, usage_store, asset_store, new_asset):
    # given: a step that reads the caller's asset and writes a file, and a consumer beside the flow
    asset_store.create(item := new_asset(name="rates"))
    scan(
        f'import wmill\nwmill.load_s3_file("{uri(item)}")\nwmill.write_s3_file("s3://w/out.csv", b"")',
        path="f/etl/step",
    )
    scan(f'import wmill\nwmill.load_s3_file("{uri(item)}")', path="f/etl2/step")

    # when
    found = graph.flow_graph(OWNER, "f/etl", store=usage_store, asset_store=asset_store)

    # then
    assert [(node.id, node.label, node.asset_id) for node in found.nodes] == [
        ("script:f/etl/step", "f/etl/step", None),
        ("s3://w/out.csv", "s3://w/out.csv", None),
        (uri(item), "rates", item.id),
    ]
    assert [(edge.from_, edge.to, edge.mode) for edge in found.edges] == [
        ("script:f/etl/step", "s3://w/out.csv", "write"),
        (uri(item), "script:f/etl/step", "read"),
    ]
