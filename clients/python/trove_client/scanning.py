"""`trove scan PATH`: register the asset usages of a folder of scripts.

Every .py, .sql, .ts and .js file under PATH (hidden folders, node_modules and __pycache__ skipped)
is sent to `POST /api/v2/scans` as a script whose path is the file's path relative to PATH without
its extension (`etl/extract.py` → `etl/extract`), in the language its extension names. The API
replaces that script's previous static usages.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TextIO

from trove_client.client import Trove
from trove_client.errors import ApiError

LANGUAGES: Final = {".py": "python", ".sql": "sql", ".ts": "typescript", ".js": "javascript"}
SKIPPED_FOLDERS: Final = frozenset({"node_modules", "__pycache__"})


@dataclass(frozen=True)
class Row:
    path: str
    mode: str
    what: str  # the asset URI, or why the file has none


def scripts(root: Path) -> Iterator[tuple[str, str, Path]]:
    """(script path, language, file) for every file the scan sends, in path order."""
    for file in sorted(root.rglob("*")):
        relative = file.relative_to(root)
        skipped = any(part.startswith(".") or part in SKIPPED_FOLDERS for part in relative.parts[:-1])
        if file.is_file() and file.suffix in LANGUAGES and not skipped:
            yield relative.with_suffix("").as_posix(), LANGUAGES[file.suffix], file


def scan_folder(root: Path, trove: Trove) -> list[Row]:
    """One row per usage found (or per file without any, or refused); TroveConnectionError propagates."""
    rows = []
    for path, language, file in scripts(root):
        try:
            content = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            rows.append(Row(path, "error", f"cannot read the file: {error}"))
            continue
        try:
            usages = trove.scan(path, content, language=language).usages
        except ApiError as error:
            rows.append(Row(path, "error", f"{error.status}: {error.detail}"))
            continue
        rows.extend(
            [Row(path, usage.mode, usage.asset_uri) for usage in usages] or [Row(path, "-", "no assets")]
        )
    return rows


def print_table(rows: Sequence[Row], out: TextIO) -> None:
    header = Row("SCRIPT", "MODE", "ASSET")
    widths = [max(len(getattr(row, field)) for row in (header, *rows)) for field in ("path", "mode")]
    for row in (header, *rows):
        print(f"{row.path:<{widths[0]}}  {row.mode:<{widths[1]}}  {row.what}".rstrip(), file=out)
    files = len({row.path for row in rows})
    errors = sum(row.mode == "error" for row in rows)
    usages = sum(row.mode not in ("error", "-") for row in rows)
    print(f"\n{files} file(s) scanned, {usages} usage(s), {errors} error(s)", file=out)
