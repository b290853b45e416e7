"""A markdown table of the real-world corpus for docs/reliability.md: files per format, where they
come from, and how many Trove handles as the independent tools do.

    python -m tests.realworld.summary
"""

from __future__ import annotations

from collections import defaultdict

from functions.core.media import MEDIA_FORMATS
from tests.realworld.check import Outcome, check
from tests.realworld.corpus import Package, load, missing


def table(outcomes: list[Outcome]) -> str:
    by_format: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_format[outcome.entry.format].append(outcome)
    lines = [
        "| format | files | sources | match the tools | differ |",
        "| --- | ---: | --- | ---: | --- |",
    ]
    for media in MEDIA_FORMATS:
        rows = by_format.get(media.format, [])
        sources = sorted({_source(o.entry.package) for o in rows})
        differ = [f"{o.entry.name}: {'; '.join(o.mismatches)}" for o in rows if o.mismatches]
        matched = len(rows) - len(differ)
        lines.append(
            f"| {media.format} | {len(rows)} | {', '.join(sources)} | {matched} | {'<br>'.join(differ) or '—'} |"
        )
    total = sum(1 for o in outcomes if not o.mismatches)
    lines.append(
        f"| **all** | {len(outcomes)} | {len({o.entry.package.key for o in outcomes})} packages | {total} | |"
    )
    return "\n".join(lines)


def _source(package: Package) -> str:
    where = f"{package.registry} {package.kind}" if package.kind in ("source", "wheel") else package.registry
    return f"{package.name} {package.version} ({where})"


def main() -> None:
    _, entries = load()
    if absent := missing(entries):
        raise SystemExit(f"{len(absent)} files not fetched: run python -m tests.realworld.fetch first")
    print(table([check(entry) for entry in entries]))


if __name__ == "__main__":
    main()
