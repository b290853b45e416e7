"""The worst inputs for POST /api/v2/scans, timed through the API handler and the scan use case.

    python -m bench.scan_worst

One process, in-process moto (as bench/api_queries.py). Each case is code that is cheap to send and
was (or could be) expensive to scan: exponential name resolution, deep nesting, parser worst cases at
the largest size a scan reads, URIs past what DynamoDB keys hold, as many assets as a scan may store.
Each is sent as an HTTP API v2 event to the API handler (the parsers warmed first) and timed: the
figure is the CPU seconds of that one request (goal: at most 5 each). A scan is single-threaded, so on
an idle machine that is its answer time; CPU time keeps the figure honest on a shared one. A case that
answers another status than expected fails the run, so the figure always times the path it names.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from functions.core.topology import (
    MAX_ASSET_URI_BYTES,
    MAX_NAME_RESOLUTION_DEPTH,
    MAX_SCAN_CODE_BYTES,
    MAX_SCOPE_NESTING,
)

ROOT = Path(__file__).resolve().parents[1]
OWNER = "bench-owner"
GOAL_SECONDS = 5.0
SCRIPTS = "javascript/typescript"  # the size limit's family


def _fill(family: str, unit: str, head: str = "", tail: str = "") -> str:
    """`head`, then `unit` as many times as fits the family's size limit with `tail`."""
    room = MAX_SCAN_CODE_BYTES[family] - len(head.encode()) - len(tail.encode())
    return head + unit * (room // len(unit.encode())) + tail


def _nested(
    family: str, head: str, opening: str, inner: str, closing: str, depth: int = 0, tail: str = ""
) -> str:
    """`inner` wrapped `depth` times (as deep as the family's size limit allows when 0)."""
    if not depth:
        room = MAX_SCAN_CODE_BYTES[family] - len(head) - len(inner) - len(tail)
        depth = room // (len(opening) + len(closing))
    return head + opening * depth + inner + closing * depth + tail


def _doubling_python(lines: int) -> str:
    doubled = "".join(f'a{n} = f"{{a{n - 1}}}{{a{n - 1}}}"\n' for n in range(1, lines))
    return f'import wmill\na0 = "s3://b/k"\n{doubled}wmill.load_s3_file(a{lines - 1})\n'


def _doubling_typescript(lines: int) -> str:
    doubled = "".join(f"const a{n} = `${{a{n - 1}}}${{a{n - 1}}}`;\n" for n in range(1, lines))
    return f'const a0 = "s3://b/k";\n{doubled}await wmill.loadS3File(a{lines - 1});\n'


def _doubling_to_a_uri_python() -> str:
    """Names doubling an empty text as deep as resolution goes, then one real URI built on the last."""
    lines = MAX_NAME_RESOLUTION_DEPTH - 1
    doubled = "".join(f'a{n} = f"{{a{n - 1}}}{{a{n - 1}}}"\n' for n in range(1, lines))
    return f'import wmill\na0 = ""\n{doubled}wmill.load_s3_file(f"s3://b/k{{a{lines - 1}}}")\n'


def _garbage(family: str, alphabet: str) -> str:
    generator = random.Random(13)
    return "".join(generator.choice(alphabet) for _ in range(MAX_SCAN_CODE_BYTES[family]))


def _deep_lambdas_with_many_lookups() -> str:
    """Names bound at module level, looked up from the deepest scope allowed: every lookup climbs."""
    names = "".join(f"n{index} = 's{index}'\n" for index in range(20_000))
    inner = "lambda: " * MAX_SCOPE_NESTING
    calls = _fill("python", "open(n1, n2) or ", head=names + f"f = {inner}(", tail="1)\n")
    return calls


def _name_chain(length: int) -> str:
    chain = "".join(f"a{n} = a{n - 1}\n" for n in range(1, length))
    return f'a0 = "s3://b/k"\n{chain}open(a{length - 1})\n'


def _distinct_uris(count: int, size: int) -> str:
    lines = (f"wmill.load_s3_file('s3://bucket/{index:05d}/{'k' * (size - 22)}')\n" for index in range(count))
    return "import wmill\n" + "".join(lines)


# name: (language, code, expected status). Built lazily: some are a megabyte.
CASES: dict[str, tuple[str, Callable[[], str], int]] = {
    # the cases
    "python: 22 names, each an f-string of the previous twice": ("python", lambda: _doubling_python(22), 400),
    "typescript: 22 names, each a template of the previous twice": (
        "typescript",
        lambda: _doubling_typescript(22),
        400,
    ),
    "javascript: 100,000 nested parentheses": (
        "javascript",
        lambda: _nested(SCRIPTS, "x = ", "(", "1", ")", 100_000),
        200,
    ),
    "python: x = followed by 200,000 minus signs": ("python", lambda: "x = " + "-" * 200_000 + "1", 400),
    "python: a 2,100-character s3:// URI": ("python", lambda: f"open('s3://b/{'k' * 2100}')", 400),
    # the same, as large as a scan reads
    "python: 62 names doubling an empty text, then a URI": ("python", _doubling_to_a_uri_python, 200),
    "typescript: 5,000 doubling names": ("typescript", lambda: _doubling_typescript(5_000), 400),
    "javascript: nested parentheses up to the size limit": (
        "javascript",
        lambda: _nested(SCRIPTS, "x = ", "(", "1", ")"),
        200,
    ),
    "javascript: nested templates up to the size limit, used by an SDK call": (
        "javascript",
        lambda: _nested(SCRIPTS, "loadS3File(", "`${", "'s3://b/k'", "}`", tail=")"),
        400,
    ),
    "python: a chain of names past the resolution depth": (
        "python",
        lambda: _name_chain(MAX_NAME_RESOLUTION_DEPTH * 1000),
        400,
    ),
    "python: names looked up from the innermost of the deepest scopes allowed": (
        "python",
        _deep_lambdas_with_many_lookups,
        200,
    ),
    # parser worst cases at the size limit
    "typescript: random punctuation (error recovery)": (
        "typescript",
        lambda: _garbage(SCRIPTS, "(){}[]<>;,.:=?'\"`$ab1+-*/!&|\n"),
        400,
    ),
    "javascript: random punctuation (error recovery)": (
        "javascript",
        lambda: _garbage(SCRIPTS, "(){}[]<>;,.:=?'\"`$ab1+-*/!&|\n"),
        400,
    ),
    "typescript: a < b, ... (generic or comparison)": (
        "typescript",
        lambda: _fill(SCRIPTS, "a<b,", "f(", ")"),
        200,
    ),
    "typescript: a < a < a ...": ("typescript", lambda: _fill(SCRIPTS, "<a", "a"), 200),
    "typescript: nested generic calls": (
        "typescript",
        lambda: _nested(SCRIPTS, "x = ", "f<a>(", "1", ")"),
        200,
    ),
    "typescript: nested generic calls, never closed": (
        "typescript",
        lambda: _fill(SCRIPTS, "f<a>(", "x = "),
        400,
    ),
    "python: one long concatenation": ("python", lambda: _fill("python", "'s3://b/k' + ", "x = ", "''"), 400),
    "python: 1 MB of assignments": ("python", lambda: _fill("python", "a = 's3://b/k'\n"), 200),
    "sql: a long AND chain": ("sql", lambda: _fill("sql", " AND a = 1", "SELECT * FROM t WHERE a = 1"), 200),
    "sql: a long || concatenation": ("sql", lambda: _fill("sql", " || 's3://b/k'", "SELECT 'a'"), 200),
    "sql: valid statements, an error at the end (parsed as DuckDB, then PostgreSQL)": (
        "sql",
        lambda: _fill("sql", "SELECT * FROM read_parquet('s3://b/k');\n", tail="SELECT * FROM"),
        400,
    ),
    "sql: a long JSON path, an error at the end (parsed as DuckDB, then PostgreSQL)": (
        "sql",
        lambda: _fill("sql", "->'a'", "SELECT x", ";\nSELECT * FROM"),
        400,
    ),
    "sql: nested parentheses up to the size limit": (
        "sql",
        lambda: _nested("sql", "SELECT ", "(", "1", ")"),
        400,
    ),
    "sql: nested read_parquet around a long list": (
        "sql",
        lambda: _fill(
            "sql", "'s3://b/k', ", "SELECT * FROM " + "read_parquet(" * 20 + "[", "'s3://b/k']" + ")" * 20
        ),
        200,
    ),
    # what a scan may store
    "python: 500 distinct URIs of the longest length": (
        "python",
        lambda: _distinct_uris(500, MAX_ASSET_URI_BYTES),
        200,
    ),
    "python: 15,000 distinct URIs (more than a scan stores)": (
        "python",
        lambda: _distinct_uris(15_000, 40),
        400,
    ),
}


class _Context:
    function_name = "trove-api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:trove-api"
    aws_request_id = "bench"


def _event(language: str, code: str, case_number: int) -> dict:
    event = json.loads((ROOT / "events" / "api" / "list_assets.json").read_text())
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/v2/scans"
    event["requestContext"]["http"]["method"] = "POST"
    event["rawQueryString"] = ""
    event.pop("queryStringParameters", None)
    event["headers"]["content-type"] = "application/json"
    event["requestContext"]["authorizer"]["jwt"]["claims"] = {"sub": OWNER}
    body = {"path": f"f/bench/case{case_number}", "kind": "script", "language": language, "content": code}
    event["body"] = json.dumps(body)
    event["isBase64Encoded"] = False
    return event


def run() -> dict:
    """{case: seconds} for one scan of each worst input, through the API handler on moto."""
    from bench.processor import ENVIRONMENT

    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    os.environ["POWERTOOLS_LOG_LEVEL"] = "CRITICAL"  # the 400s are logged otherwise
    for variable in ("TROVE_S3_ENDPOINT", "TROVE_DYNAMODB_ENDPOINT"):
        os.environ.pop(variable, None)

    import warnings

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    from moto import mock_aws

    figures: dict[str, float] = {}
    unexpected: list[str] = []
    with mock_aws():
        from functions.api.handler import lambda_handler
        from functions.core.models import AssetModel
        from functions.lineage.models import UsageModel

        for model in (AssetModel, UsageModel):
            model._connection = None
            model.create_table(wait=True)
        for language in ("python", "javascript", "typescript", "sql"):  # load each parser once
            lambda_handler(_event(language, "", 0), _Context())
        for number, (name, (language, build, expected)) in enumerate(CASES.items(), start=1):
            event = _event(language, build(), number)
            started = time.process_time()
            response = lambda_handler(event, _Context())
            figures[name] = round(time.process_time() - started, 3)
            print(f"{figures[name]:7.2f} s  {response['statusCode']}  {name}", file=sys.stderr, flush=True)
            if response["statusCode"] != expected:
                unexpected.append(
                    f"{name}: {response['statusCode']} instead of {expected}: {response['body'][:200]}"
                )
    if unexpected:
        raise RuntimeError("\n".join(unexpected))
    return figures


def main() -> int:
    figures = run()
    print(json.dumps(figures, indent=2))
    return 0 if all(seconds <= GOAL_SECONDS for seconds in figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
