"""Usages (lineage): scans of code, an asset's consumers, a consumer's assets, manual modes, flow graphs.

`X-Trove-Consumer: kind:path` (e.g. `job:1234`, `flow:f/etl/daily`) on a file read or an upload
records a run-time usage (`dependencies.ConsumerHeader`).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from functions.api.dependencies import AssetRecords, CurrentUser, UsageRecords, settings
from functions.api.openapi_responses import conflict
from functions.core import assets
from functions.lineage import graph, usages
from functions.lineage.consumers import ConsumerKind, ConsumerPath
from functions.lineage.schemas import ModeChange, ScanRequest, ScanResult, Usage, to_usage

router = Router()

# A usage's id is its key in base64url, opaque to clients; one that decodes to no usage is a 404.
UsageId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]+$", max_length=2048)]


# After a scan, a client (or a stateful fuzzer) follows these to the consumer's usages and their modes.
SCAN_LINKS = {
    "ConsumerUsages": {
        "operationId": "consumerUsages",
        "parameters": {"path": "$response.body#/consumerPath", "kind": "$response.body#/consumerKind"},
    },
    "SetUsageMode": {"operationId": "setUsageMode", "parameters": {"usage_id": "$response.body#/usages/0/id"}},
}


@router.post(
    "/api/v2/scans",
    summary="Detect the assets a script's or flow's code uses",
    tags=["usages"],
    responses={200: {"description": "The consumer's usages found in code", "links": SCAN_LINKS}},
)
def scan(body: ScanRequest, user: CurrentUser, records: AssetRecords, usage_records: UsageRecords) -> ScanResult:
    consumer, rows = usages.scan(user, body, settings, store=usage_records, asset_store=records)
    return ScanResult(
        consumer_kind=consumer.kind, consumer_path=consumer.path, usages=[to_usage(row) for row in rows]
    )


@router.get(
    "/api/v2/assets/<asset_id>/usages",
    summary="The consumers that use an asset",
    tags=["usages"],
    operation_id="assetUsages",
)
def asset_usages(
    asset_id: str, user: CurrentUser, records: AssetRecords, usage_records: UsageRecords
) -> list[Usage]:
    item = assets.get_owned(user, asset_id, store=records)
    return [to_usage(row) for row in usages.of_asset(user, item, store=usage_records)]


@router.get("/api/v2/usages", summary="The assets one consumer uses", tags=["usages"], operation_id="consumerUsages")
def consumer_usages(
    user: CurrentUser,
    usage_records: UsageRecords,
    path: Annotated[ConsumerPath, Query(description="The consumer's path, e.g. f/etl/daily/extract")],
    kind: Annotated[ConsumerKind | None, Query(description="Only this kind; every kind when absent")] = None,
) -> list[Usage]:
    return [to_usage(row) for row in usages.of_consumer(user, path, kind, store=usage_records)]


@router.patch(
    "/api/v2/usages/<usage_id>",
    summary="Set the mode of a usage whose mode code could not tell",
    tags=["usages"],
    operation_id="setUsageMode",
    responses=conflict("The mode was detected in code or recorded at run time"),
)
def set_usage_mode(usage_id: UsageId, body: ModeChange, user: CurrentUser, usage_records: UsageRecords) -> Usage:
    return to_usage(usages.set_mode(user, usage_id, body, store=usage_records))


# A flow's path has slashes, which a path parameter can't match: the path is a query parameter.
@router.get("/api/v2/flows/graph", summary="A flow's steps and the assets they read and write", tags=["usages"])
def flow_graph(
    user: CurrentUser,
    records: AssetRecords,
    usage_records: UsageRecords,
    path: Annotated[ConsumerPath, Query(description="The flow's path, e.g. f/etl/daily")],
) -> graph.FlowGraph:
    return graph.flow_graph(user, path, store=usage_records, asset_store=records)
