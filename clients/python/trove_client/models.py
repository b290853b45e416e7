"""Typed views of the API's JSON: seed 002's asset union (plus Trove's fields), usages, scans, graphs.

Field names are the API's in snake case (`clientId` → `client_id`); `raw` keeps the JSON as answered,
so fields a newer API adds are not lost.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

Status = Literal["pending", "ready", "rejected", "failed"]
Mode = Literal["read", "write", "read-write", "unknown"]
SETTLED: frozenset[str] = frozenset({"ready", "rejected", "failed"})

T = TypeVar("T")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _time(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _build(cls: type[T], data: dict[str, Any], **converters: Any) -> T:
    values = {}
    for item in dataclasses.fields(cls):  # type: ignore[arg-type]
        if item.name == "raw":
            values["raw"] = data
        elif item.init:
            value = data.get(_camel(item.name))
            values[item.name] = converters[item.name](value) if item.name in converters else value
    return cls(**values)


@dataclass(frozen=True)
class Asset:
    """What every asset has. `status` is `pending` until the processor has checked the bytes;
    metadata fields are None until then (and when it ended `rejected` or `failed`)."""

    id: str
    type: str
    name: str
    url: str
    format: str
    status: Status
    status_reason: str | None
    size: int | None
    uploaded_at: datetime
    user_id: int | None
    client_id: str | None
    campaign_id: str | None
    project_id: str | None
    todo_id: str | None
    tags: list[str] | None
    description: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)
    sha256: str | None = None  # of the stored bytes, once ready
    placeholder: str | None = None  # ThumbHash of the thumbnail (base64)

    @property
    def settled(self) -> bool:
        return self.status in SETTLED


@dataclass(frozen=True)
class ImageAsset(Asset):
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class VideoAsset(Asset):
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    thumbnail_url: str | None = None


@dataclass(frozen=True)
class AudioAsset(Asset):
    duration: float | None = None
    waveform_url: str | None = None


@dataclass(frozen=True)
class DocumentAsset(Asset):
    page_count: int | None = None
    thumbnail_url: str | None = None


@dataclass(frozen=True)
class LinkAsset(Asset):
    """A reference URL with no file: `url` is the link."""


_ASSET_TYPES: dict[str, type[Asset]] = {
    "image": ImageAsset, "video": VideoAsset, "audio": AudioAsset, "document": DocumentAsset, "link": LinkAsset,
}  # fmt: skip


def asset_from_json(data: dict[str, Any]) -> Asset:
    """The union's member for `type` (a type this SDK does not know yet reads as a plain Asset)."""
    return _build(_ASSET_TYPES.get(data.get("type", ""), Asset), data, uploaded_at=_time)


@dataclass(frozen=True)
class CheckedFile:
    """`POST /api/v2/uploads/check`'s answer for one file: the caller's ready asset with the same bytes."""

    name: str
    size: int
    sha256: str
    duplicate_of: str | None  # the existing asset's id
    duplicate_name: str | None


def checked_from_json(data: dict[str, Any]) -> CheckedFile:
    duplicate = data.get("duplicateOf") or {}
    return CheckedFile(data["name"], data["size"], data["sha256"], duplicate.get("id"), duplicate.get("name"))


@dataclass(frozen=True)
class Page:
    """One page of a list; `next_cursor` (the `X-Next-Cursor` header) is None on the last."""

    items: list[Asset]
    next_cursor: str | None


@dataclass(frozen=True)
class CascadeResult:
    deleted: int
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Usage:
    id: str
    consumer_kind: str
    consumer_path: str
    asset_uri: str
    asset_id: str | None
    mode: Mode
    source: Literal["static", "runtime", "manual"]
    last_seen: datetime
    raw: dict[str, Any] = field(repr=False, compare=False)


def usage_from_json(data: dict[str, Any]) -> Usage:
    return _build(Usage, data, last_seen=_time)


@dataclass(frozen=True)
class ScanResult:
    consumer_kind: str
    consumer_path: str
    usages: list[Usage]
    raw: dict[str, Any] = field(repr=False, compare=False)


def scan_from_json(data: dict[str, Any]) -> ScanResult:
    return _build(ScanResult, data, usages=lambda usages: [usage_from_json(usage) for usage in usages])


@dataclass(frozen=True)
class GraphNode:
    id: str
    kind: Literal["step", "asset"]
    label: str
    asset_id: str | None


@dataclass(frozen=True)
class GraphEdge:
    source: str  # the API's "from"
    target: str  # the API's "to"
    mode: Mode


@dataclass(frozen=True)
class FlowGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def graph_from_json(data: dict[str, Any]) -> FlowGraph:
    return FlowGraph(
        nodes=[
            GraphNode(node["id"], node["kind"], node["label"], node.get("assetId")) for node in data["nodes"]
        ],
        edges=[GraphEdge(edge["from"], edge["to"], edge["mode"]) for edge in data["edges"]],
    )


def to_camel_json(changes: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments (`client_id`) as the API's JSON field names (`clientId`)."""
    return {_camel(name): value for name, value in changes.items()}
