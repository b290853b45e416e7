"""`trove scan PATH`: register the asset usages of a folder of scripts.

Every .py, .sql, .ts and .js file under PATH (hidden folders, node_modules and __pycache__ skipped)
is sent to `POST /api/v2/scans` as a script whose path is the file's path relative to PATH without
its extension (`etl/extract.py` → `etl/extract`), in the language its extension names. The API
replaces that script's previous static usages. A table of what was found is printed; the exit status
is 1 when any file failed (a syntax error, a file too large, a refused token), else 0.

    trove scan ./scripts --api http://127.0.0.1:8000 --token "$TOKEN"

The API and token default to the environment variables TROVE_API_URL and TROVE_TOKEN.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TextIO

LANGUAGES: Final = {".py": "python", ".sql": "sql", ".ts": "typescript", ".js": "javascript"}
SKIPPED_FOLDERS: Final = frozenset({"node_modules", "__pycache__"})
DEFAULT_API: Final = "http://127.0.0.1:8000"  # the local stack (`make dev`)
SCANS_PATH: Final = "/api/v2/scans"
TIMEOUT_SECONDS: Final = 30

# (method, url, headers, body) → (status, body): urllib by default; tests hand the API in directly.
Transport = Callable[[str, str, dict[str, str], bytes], tuple[int, bytes]]


@dataclass(frozen=True)
class Row:
    path: str
    mode: str
    what: str  # the asset URI, or why the file has none


def urllib_transport(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def scripts(root: Path) -> Iterator[tuple[str, str, Path]]:
    """(script path, language, file) for every file the scan sends, in path order."""
    for file in sorted(root.rglob("*")):
        relative = file.relative_to(root)
        skipped = any(part.startswith(".") or part in SKIPPED_FOLDERS for part in relative.parts[:-1])
        if file.is_file() and file.suffix in LANGUAGES and not skipped:
            yield relative.with_suffix("").as_posix(), LANGUAGES[file.suffix], file


def scan_folder(root: Path, api: str, token: str, transport: Transport) -> list[Row]:
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Authorization": f"Bearer {token}",
    }
    rows = []
    for path, language, file in scripts(root):
        try:
            content = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            rows.append(Row(path, "error", f"cannot read the file: {error}"))
            continue
        body = json.dumps({"path": path, "kind": "script", "language": language, "content": content}).encode()
        status, answer = transport("POST", f"{api.rstrip('/')}{SCANS_PATH}", headers, body)
        rows.extend(_rows(path, status, answer))
    return rows


def _rows(path: str, status: int, answer: bytes) -> list[Row]:
    try:
        parsed = json.loads(answer)
    except ValueError:
        parsed = {}
    if status != 200:
        detail = parsed.get("detail") if isinstance(parsed, dict) else None
        return [Row(path, "error", f"{status}: {detail or answer[:200].decode(errors='replace')}")]
    usages = parsed.get("usages", [])
    if not usages:
        return [Row(path, "-", "no assets")]
    return [Row(path, usage["mode"], usage["assetUri"]) for usage in usages]


def print_table(rows: Sequence[Row], out: TextIO) -> None:
    header = Row("SCRIPT", "MODE", "ASSET")
    widths = [max(len(getattr(row, field)) for row in (header, *rows)) for field in ("path", "mode")]
    for row in (header, *rows):
        print(f"{row.path:<{widths[0]}}  {row.mode:<{widths[1]}}  {row.what}".rstrip(), file=out)
    files = len({row.path for row in rows})
    errors = sum(row.mode == "error" for row in rows)
    usages = sum(row.mode not in ("error", "-") for row in rows)
    print(f"\n{files} file(s) scanned, {usages} usage(s), {errors} error(s)", file=out)


def main(
    argv: Sequence[str] | None = None, transport: Transport | None = None, out: TextIO | None = None
) -> int:
    parser = argparse.ArgumentParser(prog="trove", description="Trove's command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    scan = commands.add_parser("scan", help="register the asset usages of a folder of scripts")
    scan.add_argument("path", type=Path, help="the folder to scan")
    scan.add_argument("--api", default=os.environ.get("TROVE_API_URL", DEFAULT_API), help="env TROVE_API_URL")
    scan.add_argument(
        "--token", default=os.environ.get("TROVE_TOKEN"), help="a bearer token, env TROVE_TOKEN"
    )
    args = parser.parse_args(argv)
    out = out or sys.stdout

    if not args.path.is_dir():
        parser.error(f"{args.path} is not a folder")
    if not args.token:
        parser.error("no token: pass --token or set TROVE_TOKEN")
    try:
        rows = scan_folder(args.path, args.api, args.token, transport or urllib_transport)
    except urllib.error.URLError as error:
        print(f"trove: cannot reach {args.api}: {error.reason}", file=sys.stderr)
        return 2
    print_table(rows, out)
    return 1 if any(row.mode == "error" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
