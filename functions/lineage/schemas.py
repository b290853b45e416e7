"""The usage API's shapes (pydantic): a usage, a scan's request and result, a mode change."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from functions.core import topology
from functions.core.schemas import CamelModel, Timestamp
from functions.lineage.consumers import ConsumerKind, ConsumerPath, Source
from functions.lineage.models import UsageModel
from functions.lineage.uris import Mode


class Usage(CamelModel):
    id: str = Field(description="Opaque; PATCH /api/v2/usages/{id} sets its mode")
    consumer_kind: ConsumerKind
    consumer_path: str
    asset_uri: str = Field(
        description="trove://asset/{id} when it names one of your assets, else the URI as found"
    )
    asset_id: str | None = Field(
        description="The asset the URI named when the usage was recorded, if it is yours"
    )
    mode: Mode
    source: Source
    last_seen: Timestamp


class ScanRequest(CamelModel):
    """POST /api/v2/scans: one consumer's code. Jobs are runs, not code: their usages come from run time."""

    path: ConsumerPath
    kind: Literal["script", "flow"]
    language: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    content: str = Field(
        description="The code, as UTF-8 at most "
        + ", ".join(
            f"{size // 1024} KB for {family}" for family, size in topology.MAX_SCAN_CODE_BYTES.items()
        )
    )


class ScanResult(CamelModel):
    consumer_kind: ConsumerKind
    consumer_path: str
    usages: list[Usage] = Field(description="The consumer's usages found in code, after this scan")


class ModeChange(CamelModel):
    mode: Literal["read", "write", "read-write"]


def to_usage(row: UsageModel) -> Usage:
    return Usage(
        id=row.usage_id,
        consumer_kind=ConsumerKind(row.consumer_kind),
        consumer_path=row.consumer_path,
        asset_uri=row.asset_uri,
        asset_id=row.asset_id,
        mode=Mode(row.mode),
        source=Source(row.source),
        last_seen=row.last_seen,
    )
