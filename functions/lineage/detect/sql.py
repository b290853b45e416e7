"""Asset usages in SQL, found with sqlglot.

What counts:

- a table named by a URI (DuckDB reads ``FROM 's3://…'`` as a table, and ``"s3://…"`` is one in any
  dialect): written when it is the target of INSERT, UPDATE, DELETE, MERGE, CREATE or DROP
  (read-write when the statement also has RETURNING), read everywhere else;
- COPY: ``COPY … TO 'file'`` writes the file, ``COPY t FROM 'file'`` reads it (and writes ``t``);
- the URIs given to the table functions in ``READ_FUNCTIONS`` are read;
- in those places an http(s) link counts too; any other string or quoted name that is an asset URI is
  unknown. Statements sqlglot keeps as raw commands (``CALL …``) are split with sqlglot's tokenizer to
  find those strings.

Code that none of the tried dialects parses is a syntax error, valid SQL that sqlglot does not know
(DuckDB's ``EXPORT DATABASE``) included: a 400 that names the line beats silently missing usages.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from functions.lineage.detect.common import CodeSyntaxError, DetectedUsage, Findings, StaticText
from functions.lineage.uris import Mode, normalise_asset_uri, referenced_uri

READ_FUNCTIONS: Final = frozenset(
    {
        "read_parquet",
        "parquet_scan",
        "read_csv",
        "read_csv_auto",
        "read_json",
        "read_json_auto",
        "read_ndjson",
        "read_ndjson_auto",
        "read_text",
        "read_blob",
        "read_xlsx",
        "delta_scan",
        "iceberg_scan",
    }
)
# Statements whose target table is written.
WRITE_STATEMENTS: Final = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop)
# Tokens that can carry a URI inside a statement sqlglot could only keep as raw text.
STRING_TOKENS: Final = frozenset({TokenType.STRING, TokenType.IDENTIFIER})


def occurrences(code: str, dialects: Sequence[str]) -> list[DetectedUsage]:
    """Every use of an asset in the statements, one entry per place (not merged)."""
    statements, dialect = _parse(code, dialects)
    return [usage for statement in statements for usage in _StatementScan(statement, dialect).usages()]


def _parse(code: str, dialects: Sequence[str]) -> tuple[list[exp.Expression], Dialect]:
    """The statements in the first dialect that parses them all; the first dialect's error otherwise."""
    failures: list[CodeSyntaxError] = []
    for name in dialects:
        dialect = Dialect.get_or_raise(name)
        try:
            return _parse_as(code, dialect), dialect
        except CodeSyntaxError as failure:
            failures.append(failure)
    raise failures[0]


def _parse_as(code: str, dialect: Dialect) -> list[exp.Expression]:
    tokenizer = dialect.tokenizer()
    try:
        tokens = tokenizer.tokenize(code)
    except TokenError as error:
        line, column = _position_after(code, tokenizer.tokens)
        raise CodeSyntaxError("sql", "cannot split into tokens (an unclosed quote?)", line, column) from error
    try:
        statements = dialect.parser().parse(tokens, code)
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        raise CodeSyntaxError(
            "sql", first.get("description", str(error)), first.get("line"), first.get("col")
        ) from error
    return [statement for statement in statements if statement is not None]  # None: an empty statement


def _position_after(code: str, tokens: list[Token]) -> tuple[int, int]:
    """1-based line and column where the token after the last good one starts."""
    offset = tokens[-1].end + 1 if tokens else 0
    while offset < len(code) and code[offset].isspace():
        offset += 1
    line_start = code.rfind("\n", 0, offset) + 1
    return code.count("\n", 0, offset) + 1, offset - line_start + 1


@dataclass
class _Places:
    """Where a statement can use assets, gathered in one walk of its tree (sqlglot's nodes are slow to
    walk, and a walk per kind of place, or per read function, made nested SQL quadratic)."""

    changes: list[exp.Expression] = field(default_factory=list)
    copies: list[exp.Copy] = field(default_factory=list)
    read_strings: list[exp.Literal | exp.Identifier] = field(default_factory=list)  # inside READ_FUNCTIONS
    tables: list[exp.Table] = field(default_factory=list)
    strings: list[exp.Literal | exp.Identifier] = field(default_factory=list)
    commands: list[exp.Command] = field(default_factory=list)

    @classmethod
    def of(cls, statement: exp.Expression) -> _Places:
        places = cls()
        pending: list[tuple[exp.Expression, bool]] = [(statement, False)]
        while pending:
            node, in_read_function = pending.pop()
            if isinstance(node, WRITE_STATEMENTS):
                places.changes.append(node)
            elif isinstance(node, exp.Copy):
                places.copies.append(node)
            elif isinstance(node, exp.Table):
                places.tables.append(node)
            elif isinstance(node, exp.Command):
                places.commands.append(node)
            elif _is_string(node):
                places.strings.append(node)
                if in_read_function:
                    places.read_strings.append(node)
            reads = in_read_function or (
                isinstance(node, exp.Func) and _function_name(node) in READ_FUNCTIONS
            )
            pending.extend((child, reads) for child in node.iter_expressions(reverse=True))
        return places


class _StatementScan:
    def __init__(self, statement: exp.Expression, dialect: Dialect) -> None:
        self._statement = statement
        self._dialect = dialect
        self._findings = Findings()

    def usages(self) -> list[DetectedUsage]:
        places = _Places.of(self._statement)
        # Targets first: a table is read unless a statement writes it.
        for change in places.changes:
            mode = Mode.READ_WRITE if change.args.get("returning") else Mode.WRITE
            for table in _target_tables(change):
                self._use(table.this, mode)
        for copy in places.copies:
            self._scan_copy(copy)
        for node in places.read_strings:
            self._use(node, Mode.READ)
        for table in places.tables:
            self._use(table.this, Mode.READ)
        for node in places.strings:
            if id(node) not in self._findings.explained:
                self._mention(node.name, id(node))
        for command in places.commands:
            for token in self._dialect.tokenize(command.text("expression")):
                if token.token_type in STRING_TOKENS:
                    self._mention(token.text, id(token))
        return self._findings.usages

    def _scan_copy(self, copy: exp.Copy) -> None:
        loads = bool(copy.args.get("kind"))  # True for COPY … FROM, False for COPY … TO
        if loads:
            for table in _target_tables(copy):
                self._use(table.this, Mode.WRITE)
        for file in copy.args.get("files") or []:
            for node in file.find_all(exp.Literal, exp.Identifier):
                if _is_string(node):
                    self._use(node, Mode.READ if loads else Mode.WRITE)

    def _use(self, node: exp.Expression, mode: Mode) -> None:
        if id(node) not in self._findings.explained and isinstance(node, exp.Literal | exp.Identifier):
            self._findings.add(StaticText(node.name, (id(node),)), referenced_uri(node.name), mode)

    def _mention(self, text: str, source: int) -> None:
        self._findings.add(StaticText(text, (source,)), normalise_asset_uri(text), Mode.UNKNOWN)


def _target_tables(statement: exp.Expression) -> Iterator[exp.Table]:
    """The tables a statement changes: its subject (inside a column list for INSERT/CREATE) or DROP's list."""
    for target in (statement.this, *(statement.args.get("tables") or [])):
        table = target.this if isinstance(target, exp.Schema) else target
        if isinstance(table, exp.Table):
            yield table


def _function_name(function: exp.Func) -> str:
    return (function.name if isinstance(function, exp.Anonymous) else function.sql_name()).lower()


def _is_string(node: exp.Expression) -> bool:
    """A string literal or an identifier (quoted names can be URIs)."""
    return isinstance(node, exp.Identifier) or (isinstance(node, exp.Literal) and node.is_string)
