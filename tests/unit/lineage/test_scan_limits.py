"""What a scan costs stays bounded: inputs cheap to send and once expensive to scan either yield their
usages or are refused with BeyondScanLimits, naming the problem. The inputs are generated here; none
asserts a time (bench/scan_worst.py times them)."""

from __future__ import annotations

import random

import pytest

from functions.core.topology import (
    MAX_ASSET_URI_BYTES,
    MAX_NAME_RESOLUTION_DEPTH,
    MAX_SCAN_CODE_BYTES,
    MAX_SCOPE_NESTING,
)
from functions.lineage.detect import BeyondScanLimits, CodeSyntaxError, DetectedUsage, detect
from functions.lineage.uris import Mode

LANGUAGE_OF_FAMILY = {"python": "python", "javascript/typescript": "typescript", "sql": "sql"}
COMMENT_OF_FAMILY = {"python": "#", "javascript/typescript": "//", "sql": "--"}


def doubling_python(names: int, first: str, use: str) -> str:
    """`a0 = first`, then each name an f-string of the previous one twice, then `use` of the last."""
    doubled = "".join(f'a{n} = f"{{a{n - 1}}}{{a{n - 1}}}"\n' for n in range(1, names))
    return f'import wmill\na0 = "{first}"\n{doubled}{use.format(last=f"a{names - 1}")}\n'


def doubling_typescript(names: int, first: str, use: str) -> str:
    doubled = "".join(f"const a{n} = `${{a{n - 1}}}${{a{n - 1}}}`;\n" for n in range(1, names))
    return f'const a0 = "{first}";\n{doubled}{use.format(last=f"a{names - 1}")}\n'


def name_chain(names: int) -> str:
    """`a0` a URI, each next name the previous one, the last one opened."""
    chain = "".join(f"a{n} = a{n - 1}\n" for n in range(1, names))
    return f'a0 = "s3://b/k"\n{chain}open(a{names - 1})\n'


# ---- names: resolved once each, never deeper than MAX_NAME_RESOLUTION_DEPTH ----


@pytest.mark.parametrize(
    "code",
    [
        doubling_python(22, "s3://b/k", "wmill.load_s3_file({last})"),
        doubling_typescript(22, "s3://b/k", "await wmill.loadS3File({last});"),
    ],
    ids=["python", "typescript"],
)
def test_names_doubling_a_uri_make_one_too_long_to_be_an_asset(code: str) -> None:
    # given the 22 names, each the previous one twice (once exponential to resolve)
    language = "python" if code.startswith("import") else "typescript"

    # when
    with pytest.raises(BeyondScanLimits) as raised:
        detect(code, language)

    # then
    assert str(raised.value).startswith(
        f"asset URI longer than {MAX_ASSET_URI_BYTES} bytes (UTF-8): s3://b/ks3://b/k"
    )


@pytest.mark.parametrize(
    ("code", "language"),
    [
        (
            doubling_python(MAX_NAME_RESOLUTION_DEPTH, "", 'wmill.load_s3_file(f"s3://b/k{{{last}}}")'),
            "python",
        ),
        (
            doubling_typescript(MAX_NAME_RESOLUTION_DEPTH, "", "wmill.loadS3File(`s3://b/k${{{last}}}`);"),
            "typescript",
        ),
    ],
)
def test_names_doubling_an_empty_text_as_deep_as_allowed_still_resolve(code: str, language: str) -> None:
    # given 2**63 references to one empty literal, through the deepest chain of names allowed

    # when
    usages = detect(code, language)

    # then
    assert usages == [DetectedUsage("s3://b/k", Mode.READ)]


def test_a_chain_of_names_as_deep_as_allowed_resolves() -> None:
    # given
    code = name_chain(MAX_NAME_RESOLUTION_DEPTH)

    # when
    usages = detect(code, "python")

    # then
    assert usages == [DetectedUsage("s3://b/k", Mode.READ)]


def test_a_chain_of_names_deeper_than_allowed_is_refused_naming_the_name() -> None:
    # given
    code = name_chain(MAX_NAME_RESOLUTION_DEPTH * 100)

    # when
    with pytest.raises(BeyondScanLimits) as raised:
        detect(code, "python")

    # then
    assert "is defined through a chain of more than 64 names" in str(raised.value)


def test_a_name_met_deep_in_another_chain_counts_its_whole_depth() -> None:
    # given: a chain resolved first on its own, then reached again from the end of a longer one
    half = MAX_NAME_RESOLUTION_DEPTH // 2 + 1
    first = "".join(f"b{n} = b{n - 1}\n" for n in range(1, half))
    second = "".join(f"c{n} = c{n - 1}\n" for n in range(1, half + 1))
    code = f'b0 = "s3://b/k"\n{first}open(b{half - 1})\nc0 = b{half - 1}\n{second}open(c{half})\n'

    # when
    with pytest.raises(BeyondScanLimits) as raised:
        detect(code, "python")

    # then: the same answer as if the long chain had been met first
    assert "is defined through a chain of more than 64 names" in str(raised.value)


def test_names_bound_in_a_cycle_have_no_static_value_and_cost_nothing() -> None:
    # given
    code = 'a = f"{b}"\nb = f"{c}{a}"\nc = "s3://b/k"\nopen(a)\nopen(b)\n'

    # when
    usages = detect(code, "python")

    # then: only the literal, as a bare string
    assert usages == [DetectedUsage("s3://b/k", Mode.UNKNOWN)]


def test_a_literal_read_through_shared_names_is_explained_once() -> None:
    # given one literal reached through many paths of names
    code = doubling_python(30, "", 'open(f"s3://b/k{{{last}}}", "w")') + 'k = "s3://b/k"\nopen(k)\n'

    # when
    usages = detect(code, "python")

    # then
    assert usages == [DetectedUsage("s3://b/k", Mode.READ_WRITE)]


# ---- nesting ----


def test_100000_nested_parentheses_in_javascript_are_walked() -> None:
    # given
    code = (
        "x = "
        + "(" * 100_000
        + "1"
        + ")" * 100_000
        + ";\nloadS3File("
        + "(" * 100_000
        + "'s3://b/k'"
        + ")" * 100_000
        + ");"
    )

    # when
    usages = detect(code, "javascript")

    # then
    assert usages == [DetectedUsage("s3://b/k", Mode.READ)]


def test_parameters_nested_20000_deep_in_default_values_are_counted_once_each() -> None:
    # given arrow functions nested in one another's default values (each parameter list was walked
    # again by every list around it), and a constant beside them
    depth = 20_000
    code = (
        'const k = "s3://b/k";\nconst f = ' + "(p = " * depth + "0" + ") => 0" * depth + ";\nloadS3File(k);"
    )

    # when
    usages = detect(code, "javascript")

    # then
    assert usages == [DetectedUsage("s3://b/k", Mode.READ)]


@pytest.mark.parametrize(
    ("language", "code", "detail"),
    [
        (
            "python",
            "x = " + "-" * 200_000 + "1",
            "python code too deeply nested for its parser (it ran out of memory)",
        ),
        ("python", "y = " + " + ".join(["'a'"] * 20_000), "python code too deeply nested to analyse"),
        ("sql", "SELECT " + "(" * 500 + "1" + ")" * 500, "sql code too deeply nested to analyse"),
        (
            "javascript",
            "loadS3File(" + "`${" * 100_000 + "'s3://b/k'" + "}`" * 100_000 + ")",
            "javascript code too deeply nested to analyse",
        ),
    ],
    ids=["python-minus-signs", "python-concatenation", "sql-parentheses", "javascript-templates"],
)
def test_code_too_deeply_nested_for_a_parser_is_refused_naming_the_problem(
    language: str, code: str, detail: str
) -> None:
    # given code that exhausts a parser's stack or memory, or the scan's recursion

    # when
    with pytest.raises(BeyondScanLimits) as raised:
        detect(code, language)

    # then
    assert str(raised.value) == detail


def test_scopes_nested_as_deep_as_allowed_are_followed() -> None:
    # given a module constant used from the innermost of the deepest scopes allowed
    code = 'k = "s3://b/k"\nf = ' + "lambda: " * MAX_SCOPE_NESTING + "open(k)\n"

    # when
    usages = detect(code, "python")

    # then
    assert usages == [DetectedUsage("s3://b/k", Mode.READ)]


def test_scopes_nested_deeper_than_allowed_are_refused() -> None:
    # given
    code = "f = " + "lambda: " * (MAX_SCOPE_NESTING + 1) + "1\n"

    # when
    with pytest.raises(BeyondScanLimits) as raised:
        detect(code, "python")

    # then
    assert (
        str(raised.value)
        == f"functions, lambdas and classes nested more than {MAX_SCOPE_NESTING} deep, too deep to follow"
    )


def test_sql_read_functions_nested_in_one_another_read_each_uri_once() -> None:
    # given
    code = "SELECT * FROM " + "read_parquet(" * 20 + "['s3://b/k', 's3://b/l']" + ")" * 20

    # when
    usages = detect(code, "duckdb")

    # then
    assert usages == [DetectedUsage("s3://b/k", Mode.READ), DetectedUsage("s3://b/l", Mode.READ)]


# ---- parser worst cases ----


@pytest.mark.parametrize("language", ["javascript", "typescript"])
def test_garbage_after_valid_code_is_a_syntax_error_where_the_garbage_starts(language: str) -> None:
    # given as much garbage as a scan reads (its error recovery took seconds per megabyte)
    generator = random.Random(13)
    valid = "const a = 1;\n" * 1000
    garbage = "}" + "".join(
        generator.choice("(){}[]<>;,.:=?'\"`$ab1+-*/!&|\n")
        for _ in range(MAX_SCAN_CODE_BYTES["javascript/typescript"] - len(valid) - 1)
    )

    # when
    with pytest.raises(CodeSyntaxError) as raised:
        detect(valid + garbage, language)

    # then
    assert (raised.value.line, raised.value.column) == (1001, 1)


# ---- sizes ----


@pytest.mark.parametrize("family", sorted(MAX_SCAN_CODE_BYTES))
def test_code_up_to_its_familys_size_is_read(family: str) -> None:
    # given a comment as large as allowed
    code = COMMENT_OF_FAMILY[family] + "x" * (MAX_SCAN_CODE_BYTES[family] - len(COMMENT_OF_FAMILY[family]))

    # when
    usages = detect(code, LANGUAGE_OF_FAMILY[family])

    # then
    assert usages == []


@pytest.mark.parametrize("family", sorted(MAX_SCAN_CODE_BYTES))
def test_code_over_its_familys_size_is_refused(family: str) -> None:
    # given one byte too many (é is two in UTF-8)
    code = COMMENT_OF_FAMILY[family] + "é" * (
        (MAX_SCAN_CODE_BYTES[family] - len(COMMENT_OF_FAMILY[family])) // 2 + 1
    )
    language = LANGUAGE_OF_FAMILY[family]

    # when
    with pytest.raises(BeyondScanLimits) as raised:
        detect(code, language)

    # then
    limit_kb = MAX_SCAN_CODE_BYTES[family] // 1024
    assert str(raised.value) == f"{language} code larger than {limit_kb} KB (UTF-8), more than a scan reads"


# ---- URIs ----


URI_USES = {
    "python": "wmill.load_s3_file('{uri}')",
    "typescript": "wmill.loadS3File('{uri}');",
    "sql": "SELECT * FROM read_parquet('{uri}')",
}


@pytest.mark.parametrize("language", sorted(URI_USES))
def test_a_uri_as_long_as_allowed_is_found(language: str) -> None:
    # given
    uri = "s3://b/" + "k" * (MAX_ASSET_URI_BYTES - len("s3://b/"))

    # when
    usages = detect(URI_USES[language].format(uri=uri), language)

    # then
    assert usages == [DetectedUsage(uri, Mode.READ)]


@pytest.mark.parametrize("language", sorted(URI_USES))
@pytest.mark.parametrize("key", ["k" * 2100, "é" * 600], ids=["2100-characters", "1200-bytes"])
def test_a_uri_longer_than_allowed_is_refused(language: str, key: str) -> None:
    # given a URI its usage's DynamoDB key could not hold
    uri = f"s3://b/{key}"

    # when
    with pytest.raises(BeyondScanLimits) as raised:
        detect(URI_USES[language].format(uri=uri), language)

    # then
    assert str(raised.value) == f"asset URI longer than {MAX_ASSET_URI_BYTES} bytes (UTF-8): {uri[:60]}…"


def test_a_long_string_that_is_no_uri_is_not_refused() -> None:
    # given a long f-string built from names, with spaces (a query, say)
    code = (
        'table = "s3://b/k"\nquery = f"SELECT * FROM {table} WHERE '
        + "x = 1 AND " * 500
        + 'y = 2"\nopen(query)\n'
    )

    # when
    usages = detect(code, "python")

    # then: the constant is still found, as a bare string
    assert usages == [DetectedUsage("s3://b/k", Mode.UNKNOWN)]
