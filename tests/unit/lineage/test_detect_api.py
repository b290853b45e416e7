"""detect()'s contract: languages and aliases, errors the API turns into 400s, result shape, cheap import."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from functions.lineage.detect import (
    SUPPORTED_LANGUAGES,
    CodeSyntaxError,
    DetectedUsage,
    UnsupportedLanguage,
    detect,
)
from functions.lineage.uris import Mode

SNIPPET_BY_FAMILY = {
    "python": "wmill.load_s3_file('s3://b/k.csv')",
    "sql": "SELECT * FROM read_parquet('s3://b/k.csv')",
    "script": "wmill.loadS3File('s3://b/k.csv')",
}
FAMILY_BY_LANGUAGE = {
    **dict.fromkeys(["python", "py", "python3"], "python"),
    **dict.fromkeys(
        ["sql", "duckdb", "postgresql", "postgres", "mysql", "bigquery", "snowflake", "mssql"], "sql"
    ),
    **dict.fromkeys(["javascript", "js", "jsx", "typescript", "ts", "tsx", "deno", "bun"], "script"),
}


def test_every_supported_language_is_covered_here() -> None:
    # given
    covered = set(FAMILY_BY_LANGUAGE)

    # when
    supported = set(SUPPORTED_LANGUAGES)

    # then
    assert supported == covered


@pytest.mark.parametrize(("language", "family"), FAMILY_BY_LANGUAGE.items())
def test_each_alias_uses_its_language_rules(language: str, family: str) -> None:
    # given
    code = SNIPPET_BY_FAMILY[family]

    # when
    usages = detect(code, language)

    # then
    assert usages == [DetectedUsage("s3://b/k.csv", Mode.READ)]


def test_language_names_ignore_case_and_spaces() -> None:
    # given
    code = SNIPPET_BY_FAMILY["python"]

    # when
    usages = detect(code, " Python ")

    # then
    assert usages == [DetectedUsage("s3://b/k.csv", Mode.READ)]


@pytest.mark.parametrize("language", ["cobol", "", "go", "pythonista"])
def test_unknown_language_is_refused(language: str) -> None:
    # given
    code = "print('s3://b/k')"

    # when
    with pytest.raises(UnsupportedLanguage) as raised:
        detect(code, language)

    # then
    assert isinstance(raised.value, ValueError)
    assert raised.value.language == language
    assert str(raised.value) == f"unsupported language: {language!r}"


@pytest.mark.parametrize(
    ("language", "code", "line", "column"),
    [
        ("python", "import wmill\ndef main(:\n    pass\n", 2, 10),
        ("python", "x = (1,\n", 1, 5),
        ("sql", "SELECT 1;\nSELECT * FROM (x", 2, 16),
        ("sql", "SELECT 1;\n  SELECT 'never closed", 2, 10),
        ("duckdb", "SELECT * FROM", 1, 13),
        ("typescript", "const a = 1;\nconst x = (;\n", 2, 9),
        ("javascript", "let é = 'é' +;", 1, 13),
    ],
)
def test_syntax_errors_say_where(language: str, code: str, line: int, column: int) -> None:
    # given code that does not parse

    # when
    with pytest.raises(CodeSyntaxError) as raised:
        detect(code, language)

    # then
    error = raised.value
    assert isinstance(error, ValueError)
    assert (error.line, error.column) == (line, column)
    assert str(error).startswith(f"{error.language} syntax error at line {line}, column {column}: ")


def test_sql_falls_back_to_postgres_and_reports_the_first_dialects_error() -> None:
    # given SQL neither DuckDB nor PostgreSQL parse
    code = "SELECT * FROM"

    # when
    with pytest.raises(CodeSyntaxError) as raised:
        detect(code, "sql")

    # then
    assert raised.value.language == "sql"
    assert raised.value.reason.startswith("Expected table name")


def test_python_null_byte_is_a_syntax_error_without_position() -> None:
    # given
    code = "x = 1\0"

    # when
    with pytest.raises(CodeSyntaxError) as raised:
        detect(code, "python")

    # then
    assert raised.value.language == "python"


def test_usages_are_frozen_and_sorted_by_uri() -> None:
    # given
    code = "load_s3_file('s3://z/last')\nwrite_s3_file('s3://a/first', b'')\nget_resource('res://m/middle')"

    # when
    usages = detect(code, "python")

    # then
    assert [usage.uri for usage in usages] == ["res://m/middle", "s3://a/first", "s3://z/last"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        usages[0].mode = Mode.READ  # type: ignore[misc]


def test_empty_code_has_no_usages() -> None:
    # given
    languages = ["python", "sql", "typescript", "javascript"]

    # when
    results = [detect("", language) for language in languages]

    # then
    assert results == [[], [], [], []]


def test_importing_detect_does_not_load_the_parsers() -> None:
    # given a fresh interpreter (the API's cold start)
    script = (
        "import sys, functions.lineage.detect as d;"
        "print(sorted(m for m in ('sqlglot', 'tree_sitter') if m in sys.modules))"
    )

    # when
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)

    # then
    assert result.stdout.strip() == "[]"
