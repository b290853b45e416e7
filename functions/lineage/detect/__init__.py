"""Static detection of the assets code uses, and how (read, write, both, or unknown).

``detect(code, language)`` parses the code with a real parser (``ast``, sqlglot, tree-sitter),
finds asset URIs from the calls and statements around them (the rules are in each language's
module), and returns one usage per URI. Pure: no I/O, no AWS.

Every place a URI appears counts: a place the rules recognise gives its mode, and any other string
that is an asset URI (an unused constant, a config dict, a WHERE clause) is an unknown use. A literal
that a recognised call reads, directly or through a constant, is not counted again as a bare string.
The uses of one URI are merged with ``Mode.combine``: read and write make read-write, and an unknown
use keeps the whole usage unknown until a person sets it.

Each scan is bounded (numbers in functions/core/topology.py): code per parser family, names
followed through other names, nested scopes, and the length of an asset URI; names are resolved once
each and trees walked without recursion, so the worst input answers within seconds. Past a bound, or
when a parser runs out of stack or memory, the scan raises BeyondScanLimits.

The parsers load on first use of their language, so importing this module stays cheap for the API's
cold start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Final

from functions.core.topology import MAX_SCAN_CODE_BYTES
from functions.lineage.detect.common import (
    BeyondScanLimits,
    CodeSyntaxError,
    DetectedUsage,
    UnsupportedLanguage,
)
from functions.lineage.uris import Mode

__all__ = [
    "SUPPORTED_LANGUAGES",
    "BeyondScanLimits",
    "CodeSyntaxError",
    "DetectedUsage",
    "UnsupportedLanguage",
    "detect",
]

PYTHON_NAMES: Final = frozenset({"python", "py", "python3"})
# Plain "sql" is tried as DuckDB (its COPY and read_parquet cover the S3 uses), then as PostgreSQL.
SQL_DIALECTS: Final[dict[str, tuple[str, ...]]] = {
    "sql": ("duckdb", "postgres"),
    "duckdb": ("duckdb",),
    "postgresql": ("postgres",),
    "postgres": ("postgres",),
    "mysql": ("mysql",),
    "bigquery": ("bigquery",),
    "snowflake": ("snowflake",),
    "mssql": ("tsql",),
}
SCRIPT_GRAMMARS: Final[dict[str, str]] = {
    "javascript": "javascript",
    "js": "javascript",
    "jsx": "javascript",
    "typescript": "typescript",
    "ts": "typescript",
    "deno": "typescript",
    "bun": "typescript",
    "tsx": "tsx",
}
SUPPORTED_LANGUAGES: Final = PYTHON_NAMES | SQL_DIALECTS.keys() | SCRIPT_GRAMMARS.keys()


def detect(code: str, language: str) -> list[DetectedUsage]:
    """The assets the code uses, one per URI, sorted by URI.

    Raises UnsupportedLanguage for a language outside SUPPORTED_LANGUAGES (case-insensitive),
    CodeSyntaxError when the code does not parse, and BeyondScanLimits when it costs more to analyse
    than a scan allows; all are ValueErrors.
    """
    family, occurrences = _scanner(language)
    limit = MAX_SCAN_CODE_BYTES[family]
    if len(code.encode()) > limit:
        raise BeyondScanLimits(
            f"{language} code larger than {limit // 1024} KB (UTF-8), more than a scan reads"
        )
    try:
        found = occurrences(code)
    except RecursionError as error:
        # Deep nesting exhausts recursive parsers (sqlglot near 200 parentheses): bad input, not a crash.
        raise BeyondScanLimits(f"{language} code too deeply nested to analyse") from error
    except MemoryError as error:
        # CPython's parser reports nesting past its own stack (`x = ------…1`) as MemoryError.
        raise BeyondScanLimits(
            f"{language} code too deeply nested for its parser (it ran out of memory)"
        ) from error
    return _merge(found)


def _scanner(language: str) -> tuple[str, Callable[[str], list[DetectedUsage]]]:
    """The parser family of a language (a key of MAX_SCAN_CODE_BYTES) and its scanner."""
    name = language.strip().lower()
    if name in PYTHON_NAMES:
        from functions.lineage.detect import python

        return "python", python.occurrences
    if name in SQL_DIALECTS:
        from functions.lineage.detect import sql

        return "sql", partial(sql.occurrences, dialects=SQL_DIALECTS[name])
    if name in SCRIPT_GRAMMARS:
        from functions.lineage.detect import javascript

        return "javascript/typescript", partial(javascript.occurrences, grammar=SCRIPT_GRAMMARS[name])
    raise UnsupportedLanguage(language)


def _merge(occurrences: Iterable[DetectedUsage]) -> list[DetectedUsage]:
    modes: dict[str, Mode] = {}
    for usage in occurrences:
        modes[usage.uri] = modes[usage.uri].combine(usage.mode) if usage.uri in modes else usage.mode
    return [DetectedUsage(uri, mode) for uri, mode in sorted(modes.items())]
