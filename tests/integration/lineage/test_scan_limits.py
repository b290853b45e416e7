"""POST /api/v2/scans on inputs cheap to send and once expensive to scan: each answers with its usages or
a 400 naming the problem, never a 500 or 503 (issue 13's cases, generated here)."""

from __future__ import annotations

import pytest

from functions.core.topology import MAX_ASSET_URI_BYTES, MAX_NAME_RESOLUTION_DEPTH, MAX_SCAN_CODE_BYTES
from tests.integration.lineage.helpers import brief, used_by


def doubling_python(names: int) -> str:
    doubled = "".join(f'a{n} = f"{{a{n - 1}}}{{a{n - 1}}}"\n' for n in range(1, names))
    return f'import wmill\na0 = "s3://b/k"\n{doubled}wmill.load_s3_file(a{names - 1})\n'


def doubling_typescript(names: int) -> str:
    doubled = "".join(f"const a{n} = `${{a{n - 1}}}${{a{n - 1}}}`;\n" for n in range(1, names))
    return f'const a0 = "s3://b/k";\n{doubled}await wmill.loadS3File(a{names - 1});\n'


def name_chain(names: int) -> str:
    chain = "".join(f"a{n} = a{n - 1}\n" for n in range(1, names))
    return f'a0 = "s3://b/k"\n{chain}open(a{names - 1})\n'


TOO_LONG = f"asset URI longer than {MAX_ASSET_URI_BYTES} bytes (UTF-8): "


@pytest.mark.parametrize(
    ("language", "code", "detail"),
    [
        ("python", doubling_python(22), TOO_LONG + "s3://b/ks3://b/k"),
        ("typescript", doubling_typescript(22), TOO_LONG + "s3://b/ks3://b/k"),
        (
            "python",
            "x = " + "-" * 200_000 + "1",
            "python code too deeply nested for its parser (it ran out of memory)",
        ),
        ("python", f"open('s3://b/{'k' * 2100}')", TOO_LONG + "s3://b/kkk"),
        (
            "python",
            name_chain(MAX_NAME_RESOLUTION_DEPTH + 1),
            "is defined through a chain of more than 64 names",
        ),
        ("sql", "SELECT " + "(" * 500 + "1" + ")" * 500, "sql code too deeply nested to analyse"),
        (
            "python",
            "#" * (MAX_SCAN_CODE_BYTES["python"] + 1),
            f"python code larger than {MAX_SCAN_CODE_BYTES['python'] // 1024} KB (UTF-8)",
        ),
        (
            "sql",
            "--" + "x" * MAX_SCAN_CODE_BYTES["sql"],
            f"sql code larger than {MAX_SCAN_CODE_BYTES['sql'] // 1024} KB",
        ),
    ],
    ids=[
        "python-doubling-names",
        "typescript-doubling-names",
        "python-200000-minus-signs",
        "2100-character-uri",
        "names-too-deep",
        "sql-too-nested",
        "python-too-large",
        "sql-too-large",
    ],
)
def test_a_scan_beyond_the_limits_is_a_400_naming_the_problem(scan, language, code, detail):
    # when
    response = scan(code, language=language)

    # then
    assert response.status == 400, response.body
    assert detail in response.json()["detail"]


def test_100000_nested_parentheses_in_javascript_answer_with_the_usage(scan):
    # given
    code = "await wmill.loadS3File(" + "(" * 100_000 + '"s3://b/k"' + ")" * 100_000 + ");"

    # when
    response = scan(code, language="javascript")

    # then
    assert response.status == 200, response.body
    assert brief(response.json()["usages"]) == [("script:f/x/script", "s3://b/k", "read", "static")]


def test_a_uri_as_long_as_allowed_is_stored(api, scan):
    # given the longest URI a usage's key holds
    uri = "s3://b/" + "k" * (MAX_ASSET_URI_BYTES - len("s3://b/"))

    # when
    response = scan(f"import wmill\nwmill.load_s3_file('{uri}')")

    # then
    assert response.status == 200, response.body
    assert [usage["assetUri"] for usage in used_by(api, "f/x/script")] == [uri]


def test_a_refused_rescan_leaves_the_consumers_usages_as_they_were(api, scan):
    # given
    scan("import wmill\nwmill.load_s3_file('s3://b/kept.csv')")

    # when
    response = scan(doubling_python(22))

    # then
    assert response.status == 400
    assert [usage["assetUri"] for usage in used_by(api, "f/x/script")] == ["s3://b/kept.csv"]
