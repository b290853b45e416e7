"""A flow's graph: its steps and the assets they read and write, for the web page to draw.

The steps are the consumers whose path is under the flow's (`f/etl/daily/extract` in `f/etl/daily`),
plus the flow itself when it has usages of its own (recorded at run time with `flow:f/etl/daily`).
Assets are the URIs those consumers use; an asset read is an input (edge asset → step), an asset
written an output (step → asset), one read and written both, and an unknown use is drawn as an input
marked `unknown` until a person sets its mode.
"""

from __future__ import annotations

from collections import defaultdict
from functools import reduce
from typing import Literal

from pydantic import Field

from functions.core.identity import Identity
from functions.core.observability import traced
from functions.core.schemas import CamelModel
from functions.core.store import AssetStore
from functions.core.store import default_store as default_asset_store
from functions.lineage import usages
from functions.lineage.store import UsageStore
from functions.lineage.uris import Mode


class GraphNode(CamelModel):
    id: str = Field(description="`{kind}:{path}` for a step, the asset URI for an asset")
    kind: Literal["step", "asset"]
    label: str = Field(description="A step's path; an asset's name, or its URI when it is not one of yours")
    asset_id: str | None = Field(description="An asset of yours: its id; else null")


class GraphEdge(CamelModel):
    from_: str = Field(alias="from", description="A node id")
    to: str = Field(description="A node id")
    mode: Mode


class FlowGraph(CamelModel):
    nodes: list[GraphNode] = Field(description="Steps first, then assets, each sorted by id")
    edges: list[GraphEdge] = Field(description="Sorted by from, then to")


@traced
def flow_graph(
    identity: Identity,
    flow_path: str,
    *,
    store: UsageStore | None = None,
    asset_store: AssetStore | None = None,
) -> FlowGraph:
    """The graph of the caller's flow: empty when nothing under that path has usages."""
    modes: dict[tuple[str, str], list[Mode]] = defaultdict(list)
    steps: set[str] = set()
    assets: dict[str, str | None] = {}
    for row in usages.of_flow(identity, flow_path, store=store):
        step = str(row.consumer)
        steps.add(step)
        assets[row.asset_uri] = assets.get(row.asset_uri) or row.asset_id
        modes[(step, row.asset_uri)].append(Mode(row.mode))

    asset_ids = {asset_id for asset_id in assets.values() if asset_id}
    names = _asset_names(identity, asset_ids, asset_store or default_asset_store())
    nodes = [
        GraphNode(id=step, kind="step", label=step.partition(":")[2], asset_id=None) for step in sorted(steps)
    ]
    for uri in sorted(assets):
        asset_id = assets[uri] if assets[uri] in names else None  # a deleted asset is just its URI now
        nodes.append(GraphNode(id=uri, kind="asset", label=names.get(asset_id, uri), asset_id=asset_id))
    edges = [edge for (step, uri), seen in modes.items() for edge in _edges(step, uri, _edge_mode(seen))]
    return FlowGraph(nodes=nodes, edges=sorted(edges, key=lambda edge: (edge.from_, edge.to)))


def _edge_mode(seen: list[Mode]) -> Mode:
    """One step's use of one asset across code and run time. Unlike within one piece of code
    (Mode.combine), a known mode wins over unknown: a run-time read is a fact, not a guess."""
    known = [mode for mode in seen if mode != Mode.UNKNOWN]
    return reduce(Mode.combine, known) if known else Mode.UNKNOWN


def _edges(step: str, uri: str, mode: Mode) -> list[GraphEdge]:
    inbound = GraphEdge(from_=uri, to=step, mode=mode)
    outbound = GraphEdge(from_=step, to=uri, mode=mode)
    return {
        Mode.READ: [inbound],
        Mode.WRITE: [outbound],
        Mode.READ_WRITE: [inbound, outbound],
        Mode.UNKNOWN: [inbound],
    }[mode]


def _asset_names(identity: Identity, asset_ids: set[str], assets: AssetStore) -> dict[str, str]:
    if not asset_ids:
        return {}
    return {item.id: item.name for item in assets.get_many(asset_ids) if item.owner == identity.sub}
