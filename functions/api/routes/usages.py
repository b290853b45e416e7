"""Usages (lineage): scans of code, an asset's consumers, a consumer's assets, manual modes, flow graphs.

`X-Trove-Consumer: kind:path` (e.g. `job:1234`, `flow:f/etl/daily`) on a file read or an upload
records a run-time usage; the asset and upload routes take it as `ConsumerHeader`.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query

from functions.api.resolver import app, current_identity, settings
from functions.core import assets
from functions.lineage import graph, usages
from functions.lineage.usages import (
    ConsumerKind,
    ConsumerPath,
    ModeChange,
    ScanRequest,
    ScanResult,
    Usage,
    to_usage,
)

CurrentUser = Annotated[assets.Identity, Depends(current_identity)]
# Powertools reads a header parameter from the handler's own signature (not a dependency's): each route
# that records run-time usages takes `x_trove_consumer: ConsumerHeader = None`.
ConsumerHeader = Annotated[
    str | None,
    Header(
        max_length=300,
        description=(
            "Who is asking, as kind:path (kind script, flow or job), e.g. job:1234 or flow:f/etl/daily: "
            "records a run-time usage of the asset"
        ),
    ),
]

# A usage's id is its key in base64url, opaque to clients; one that decodes to no usage is a 404.
UsageId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]+$", max_length=2048)]
ERROR_BODY = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}


def conflict(description: str) -> dict:
    """The route's 200 and a documented 409 with the `{"detail": ...}` body: given any responses,
    powertools documents only those (the 200 takes the route's model, the 409 would too without content)."""
    return {
        200: {"description": "Successful Response"},
        409: {"description": description, "content": {"application/json": {"schema": ERROR_BODY}}},
    }


# After a scan, a client (or a stateful fuzzer) follows these to the consumer's usages and their modes.
SCAN_LINKS = {
    "ConsumerUsages": {
        "operationId": "consumerUsages",
        "parameters": {"path": "$response.body#/consumerPath", "kind": "$response.body#/consumerKind"},
    },
    "SetUsageMode": {"operationId": "setUsageMode", "parameters": {"usage_id": "$response.body#/usages/0/id"}},
}


@app.post(
    "/api/v2/scans",
    summary="Detect the assets a script's or flow's code uses",
    tags=["usages"],
    responses={200: {"description": "The consumer's usages found in code", "links": SCAN_LINKS}},
)
def scan(body: ScanRequest, user: CurrentUser) -> ScanResult:
    consumer, rows = usages.scan(user, body, settings)
    return ScanResult(
        consumer_kind=consumer.kind, consumer_path=consumer.path, usages=[to_usage(row) for row in rows]
    )


@app.get(
    "/api/v2/assets/<asset_id>/usages",
    summary="The consumers that use an asset",
    tags=["usages"],
    operation_id="assetUsages",
)
def asset_usages(asset_id: str, user: CurrentUser) -> list[Usage]:
    return [to_usage(row) for row in usages.of_asset(user, assets.get_owned(user, asset_id))]


@app.get("/api/v2/usages", summary="The assets one consumer uses", tags=["usages"], operation_id="consumerUsages")
def consumer_usages(
    user: CurrentUser,
    path: Annotated[ConsumerPath, Query(description="The consumer's path, e.g. f/etl/daily/extract")],
    kind: Annotated[ConsumerKind | None, Query(description="Only this kind; every kind when absent")] = None,
) -> list[Usage]:
    return [to_usage(row) for row in usages.of_consumer(user, path, kind)]


@app.patch(
    "/api/v2/usages/<usage_id>",
    summary="Set the mode of a usage whose mode code could not tell",
    tags=["usages"],
    operation_id="setUsageMode",
    responses=conflict("The mode was detected in code or recorded at run time"),
)
def set_usage_mode(usage_id: UsageId, body: ModeChange, user: CurrentUser) -> Usage:
    return to_usage(usages.set_mode(user, usage_id, body))


# A flow's path has slashes, which a path parameter can't match: the path is a query parameter.
@app.get("/api/v2/flows/graph", summary="A flow's steps and the assets they read and write", tags=["usages"])
def flow_graph(
    user: CurrentUser,
    path: Annotated[ConsumerPath, Query(description="The flow's path, e.g. f/etl/daily")],
) -> graph.FlowGraph:
    return graph.flow_graph(user, path)
