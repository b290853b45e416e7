"""Figures of a reliability run: every case a test tries is one row, kept per run under
tests/artifacts/reliability/ (gitignored), and rendered as Markdown tables.

    python -m tests.reliability.ledger      # the tables of the latest run, as docs/reliability.md shows them

Rows are appended as JSON lines (one small write each, so pytest-xdist workers can share a file);
a run is pytest-xdist's test run id (the same in every worker), or one made per process without it.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "reliability"
RUNS = ARTIFACTS / "runs"
KEEP_RUNS = 5
_LOCAL_RUN = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"


def run_id(config: object | None = None) -> str:
    workerinput = getattr(config, "workerinput", None)
    if workerinput and workerinput.get("testrunuid"):
        return f"xdist-{workerinput['testrunuid']}"
    return _LOCAL_RUN


class Ledger:
    """The rows of one area (hostile, tenancy, events, faults, races, expiry, fuzzing, load) in one run."""

    def __init__(self, area: str, run: str) -> None:
        self.area = area
        self.directory = RUNS / run
        self.path = self.directory / f"{area}.jsonl"

    def record(self, case: str, passed: bool, **details: object) -> None:
        if not self.directory.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            _prune_old_runs(keep=self.directory)
        line = json.dumps({"area": self.area, "case": case, "passed": passed, **details}, default=str)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    def rows(self) -> list[dict]:
        return read_rows(self.path)


def read_rows(path: Path) -> list[dict]:
    """The rows of one area file; a case recorded twice (a rerun) counts once, as last recorded."""
    if not path.exists():
        return []
    latest: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            latest[row["case"]] = row
    return list(latest.values())


def _prune_old_runs(keep: Path) -> None:
    runs = sorted((run for run in RUNS.iterdir() if run.is_dir()), key=lambda run: run.stat().st_mtime)
    for old in runs[:-KEEP_RUNS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def latest_run() -> Path | None:
    if not RUNS.exists():
        return None
    runs = [run for run in RUNS.iterdir() if run.is_dir()]
    return max(runs, key=lambda run: run.stat().st_mtime) if runs else None


def summary_table(run: Path) -> str:
    """One line per area: cases tried, passed, and the counts each area guards (wrongly accepted,
    crashes, left pending, orphans, leaks, lost, double effects)."""
    lines = [
        ("| area | cases tried | passed | wrongly accepted | crashes (5xx / unhandled) | left pending | orphan objects "
        "| leaks | lost | double effects |"),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    totals: Counter[str] = Counter()
    for path in sorted(run.glob("*.jsonl")):
        rows = read_rows(path)
        counts = Counter()
        counts["tried"] = len(rows)
        counts["passed"] = sum(1 for row in rows if row["passed"])
        for key in ("wrongly_accepted", "crash", "pending", "orphans", "leaks", "lost", "double_effects"):
            counts[key] = sum(int(row.get(key) or 0) for row in rows)
        totals.update(counts)
        lines.append(_summary_line(path.stem, counts))
    lines.append(_summary_line("**total**", totals))
    return "\n".join(lines)


def _summary_line(name: str, counts: Counter) -> str:
    keys = ("tried", "passed", "wrongly_accepted", "crash", "pending", "orphans", "leaks", "lost", "double_effects")
    return f"| {name} | " + " | ".join(f"{counts[key]:,}" for key in keys) + " |"


def category_table(rows: list[dict], outcome_key: str = "outcome") -> str:
    """Cases per category, with how they ended."""
    by_category: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_category[row.get("category", "-")].append(row)
    lines = ["| category | cases | passed | outcomes |", "| --- | ---: | ---: | --- |"]
    for category, members in by_category.items():
        outcomes = Counter(str(row.get(outcome_key)) for row in members)
        shown = ", ".join(f"{outcome} × {count}" for outcome, count in sorted(outcomes.items()))
        passed = sum(1 for row in members if row["passed"])
        lines.append(f"| {category} | {len(members)} | {passed} | {shown} |")
    return "\n".join(lines)


def case_table(rows: list[dict], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    for row in rows:
        cells = [str(row.get(column, "")).replace("|", "\\|").replace("\n", " ") for column in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_tables(run: Path) -> Path:
    """tests/artifacts/reliability/summary.md: the summary, then each area's cases."""
    parts = ["# Reliability run " + run.name, "", summary_table(run)]
    for path in sorted(run.glob("*.jsonl")):
        rows = read_rows(path)
        parts += ["", f"## {path.stem}", ""]
        if any("category" in row for row in rows):
            parts += [category_table(rows), ""]
        columns = ["case", "passed"] + sorted({key for row in rows for key in row} - {"case", "passed", "area"})
        parts.append(case_table(rows, columns))
    target = ARTIFACTS / "summary.md"
    target.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    run = Path(sys.argv[1]) if len(sys.argv) > 1 else latest_run()
    if run is None:
        print("no reliability run recorded yet: run pytest tests/reliability first")
        sys.exit(1)
    print(summary_table(run))
    print(f"\nevery case: {write_tables(run)}", file=sys.stderr)
