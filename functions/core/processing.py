"""The processing record: what each attempt at settling an upload did, step by step, kept on the asset.

    attempt = AttemptLog()                      # one per delivery of an upload's event
    attempt.begin("sniff", meter=reader.read_so_far)
    attempt.begin("inspect")                    # closes the step before it
    attempt.fail("Cannot read this mp4 file")   # the open step ends in error
    record = appended(item.processing, attempt.finished("failed", "Cannot read this mp4 file"))

An attempt's steps are sniff, inspect, thumbnail, hash and settle, in that order, as far as it got;
each with when it started, how long it took, the bytes and GETs it read (None where it reads none)
and whether it ended in error. The record keeps the last MAX_ATTEMPTS attempts and cuts long texts,
so the item stays far below DynamoDB's 400 KB. Each attempt carries the correlation id its log lines
carry. GET /api/v2/assets/{id}/processing shows it to the owner.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal
from uuid import uuid4

from pydantic import WithJsonSchema

from functions.core.models import AssetModel, now
from functions.core.schemas import CamelModel, Status
from functions.core.store import AssetStore, StaleVersion

StepName = Literal["sniff", "inspect", "thumbnail", "hash", "settle"]
AttemptOutcome = Literal["ready", "rejected", "failed", "kept", "skipped", "retried"]
MAX_ATTEMPTS = 10
# A delivery that finds its work settled by another one meanwhile checks again, repeating steps.
MAX_STEPS = 12
MAX_TEXT = 300
_WRITE_ATTEMPTS = 5

# (bytes read, GETs sent) so far by whatever a step reads through.
Meter = Callable[[], tuple[int, int]]
IsoTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


@dataclass
class _OpenStep:
    name: str
    started_at: datetime
    start: float
    meter: Meter | None
    read_before: tuple[int, int]


class AttemptLog:
    """The steps of one attempt, timed as they happen; `finished` gives the attempt as stored."""

    def __init__(self) -> None:
        self.correlation_id = str(uuid4())
        self.peak_memory_bytes: int | None = None
        self.steps: list[dict] = []
        self._started_at = now()
        self._start = time.monotonic()
        self._open: _OpenStep | None = None

    def begin(self, name: StepName, meter: Meter | None = None) -> None:
        """Start step `name`, ending the open one well; its bytes and GETs are what `meter` counts meanwhile."""
        self.end()
        self._open = _OpenStep(name, now(), time.monotonic(), meter, meter() if meter else (0, 0))

    def end(self, error: str | None = None, *, read: tuple[int, int] | None = None) -> None:
        """End the open step, if any: in error when `error` is given; `read` (bytes, GETs) when the
        step read through something no meter watches."""
        step, self._open = self._open, None
        if step is None:
            return
        if read is None and step.meter is not None:
            (bytes_now, gets_now), (bytes_before, gets_before) = step.meter(), step.read_before
            read = (bytes_now - bytes_before, gets_now - gets_before)
        self.steps.append(
            {
                "name": step.name,
                "startedAt": _iso(step.started_at),
                "durationMs": _ms_since(step.start),
                "bytesRead": read[0] if read else None,
                "gets": read[1] if read else None,
                "outcome": "error" if error else "ok",
                "error": _cut(error),
            }
        )

    @property
    def begun(self) -> bool:
        """Whether the attempt reached its checks."""
        return bool(self.steps) or self._open is not None

    def fail(self, error: str) -> None:
        self.end(error)

    def finished(self, outcome: AttemptOutcome, error: str | None = None) -> dict:
        """The attempt as stored (without its number, which `appended` gives); an open step ends well."""
        self.end()
        return {
            "correlationId": self.correlation_id,
            "startedAt": _iso(self._started_at),
            "durationMs": _ms_since(self._start),
            "outcome": outcome,
            "error": _cut(error),
            "peakMemoryBytes": self.peak_memory_bytes,
            "steps": self.steps[-MAX_STEPS:],
        }


def appended(record: list[dict] | None, attempt: dict) -> list[dict]:
    """`record` with `attempt` numbered after its last one, keeping the last MAX_ATTEMPTS."""
    attempts = record or []
    number = attempts[-1]["attempt"] + 1 if attempts else 1
    return [*attempts, {"attempt": number, **attempt}][-MAX_ATTEMPTS:]


def record_attempt(asset_id: str, attempt: dict, store: AssetStore) -> None:
    """Add an attempt that settled nothing (it wrote no terminal state, which carries its attempt) to the
    asset's record, whatever else changed meanwhile; nothing when the asset is gone."""
    for _ in range(_WRITE_ATTEMPTS):
        item = store.get(asset_id)
        if item is None:
            return
        try:
            store.update(item, {"processing": appended(item.processing, attempt)})
            return
        except StaleVersion:
            pass
    raise StaleVersion(f"Asset {asset_id} kept changing while its processing record was written")


def _cut(text: str | None) -> str | None:
    return text[: MAX_TEXT - 1] + "…" if text and len(text) > MAX_TEXT else text


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _ms_since(start: float) -> int:
    return round((time.monotonic() - start) * 1000)


class ProcessingStep(CamelModel):
    name: StepName
    started_at: IsoTime
    duration_ms: int
    bytes_read: int | None
    gets: int | None
    outcome: Literal["ok", "error"]
    error: str | None


class ProcessingAttempt(CamelModel):
    attempt: int
    correlation_id: str
    started_at: IsoTime
    duration_ms: int
    outcome: AttemptOutcome
    error: str | None
    peak_memory_bytes: int | None
    steps: list[ProcessingStep]


class ProcessingRecord(CamelModel):
    asset_id: str
    status: Status
    attempts: list[ProcessingAttempt]


def processing_record(item: AssetModel) -> ProcessingRecord:
    """What the record shows its owner; a link asset has no bytes, so no attempts."""
    return ProcessingRecord(asset_id=item.id, status=item.status, attempts=item.processing or [])
