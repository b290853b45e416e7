"""Asset usages in Python code, found with the standard library's ``ast``.

What counts, by the call around a string (the tables below are the rules):

- asset SDK functions, called plainly or as methods (``wmill.load_s3_file(...)``): ``SDK_CALLS``;
  their S3 functions also take an ``S3Object`` (``{"s3": key, "storage": name}`` or
  ``S3Object(s3=..., storage=...)``);
- boto3 S3 object calls: ``BOTO3_CALLS``, giving ``s3://{Bucket}/{Key}`` when both are static;
- ``open(uri, mode)``, as a function or a method (``fsspec.open``, ``s3fs`` file systems): the mode
  string decides (``+`` read-write; ``w``, ``a``, ``x`` write; otherwise, or no mode, read);
- any other string that is an asset URI (links excluded): unknown.

Only static text is followed: string literals, f-strings whose every hole is static, and names bound
exactly once in their scope (module, function or class body) to static text. Parameters,
reassigned names, concatenations and calls are skipped rather than guessed.

The SDKs' older scheme-less paths are assets too: ``wmill.load_s3_file('storage/path/to/file.csv')``
is ``s3://storage/path/to/file.csv``, the same asset as the URI form (see ``uris.sdk_uri``).
``set_resource`` takes its path first in some SDK versions and second in others, so only an explicit
URI counts there, in either place.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from functions.core.topology import MAX_SCOPE_NESTING
from functions.lineage.detect.common import (
    S3_OBJECT_FIELDS,
    BeyondScanLimits,
    CodeSyntaxError,
    DetectedUsage,
    Findings,
    NameResolution,
    StaticText,
    UriArgument,
    s3_object_reference,
)
from functions.lineage.uris import Mode, normalise_asset_uri, referenced_uri, sdk_uri

SDK_CALLS: Final[dict[str, UriArgument]] = {
    "load_s3_file": UriArgument(Mode.READ, (0,), "s3object", bare_scheme="s3"),
    "load_s3_file_reader": UriArgument(Mode.READ, (0,), "s3object", bare_scheme="s3"),
    "write_s3_file": UriArgument(Mode.WRITE, (0,), "s3object", bare_scheme="s3"),
    "get_resource": UriArgument(Mode.UNKNOWN, (0,), "path", bare_scheme="res"),
    "set_resource": UriArgument(Mode.WRITE, (0, 1), "path"),
}


@dataclass(frozen=True)
class ObjectArguments:
    """Where a boto3 client call takes Bucket and Key besides its keywords (None: keyword-only)."""

    mode: Mode
    positions: tuple[int, int] | None = None


BOTO3_CALLS: Final[dict[str, ObjectArguments]] = {
    "get_object": ObjectArguments(Mode.READ),
    "download_file": ObjectArguments(Mode.READ, (0, 1)),
    "download_fileobj": ObjectArguments(Mode.READ, (0, 1)),
    "put_object": ObjectArguments(Mode.WRITE),
    "upload_file": ObjectArguments(Mode.WRITE, (1, 2)),
    "upload_fileobj": ObjectArguments(Mode.WRITE, (1, 2)),
}
# The client's transfer methods take three arguments; the resource's (Bucket.download_file(key, filename))
# take two and name no bucket, so positions are only read from calls with three or more.
CLIENT_TRANSFER_ARITY: Final = 3

OPEN_FUNCTION: Final = "open"
S3_OBJECT_TYPE: Final = "S3Object"

_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def occurrences(code: str) -> list[DetectedUsage]:
    """Every use of an asset in the code, one entry per place (not merged)."""
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        raise CodeSyntaxError("python", error.msg, error.lineno, error.offset) from error
    except ValueError as error:  # e.g. a null byte: no position to give
        raise CodeSyntaxError("python", str(error), None, None) from error
    return _Scanner(tree).usages()


@dataclass
class _Scope:
    """A module, function or class body: its own nodes (not those of nested scopes) and its names."""

    node: ast.AST
    parent: _Scope | None  # the scope whose names this one sees (class bodies are skipped, as in Python)
    nesting: int  # scopes around this one, class bodies included
    own_nodes: list[ast.AST]
    binding_counts: Counter[str] = field(default_factory=Counter)
    assignments: dict[str, ast.expr] = field(default_factory=dict)

    @classmethod
    def of(cls, node: ast.AST, parent: _Scope | None, nesting: int) -> _Scope:
        if nesting > MAX_SCOPE_NESTING:
            raise BeyondScanLimits(
                f"functions, lambdas and classes nested more than {MAX_SCOPE_NESTING} deep, too deep to follow"
            )
        scope = cls(node, parent, nesting, _own_nodes(node))
        for child in scope.own_nodes:
            scope._record_binding(child)
        return scope

    def constant(self, name: str) -> tuple[_Scope, ast.expr] | None:
        """The value a name is bound to exactly once, and the scope binding it; None otherwise."""
        scope: _Scope | None = self
        while scope is not None:
            if count := scope.binding_counts.get(name):
                value = scope.assignments.get(name)
                return (scope, value) if count == 1 and value is not None else None
            scope = scope.parent
        return None

    def visible_to_nested(self) -> _Scope:
        """The scope whose names a function or class nested here sees: a class body is not visible in it."""
        if isinstance(self.node, ast.ClassDef) and self.parent is not None:
            return self.parent
        return self

    def _record_binding(self, node: ast.AST) -> None:
        match node:
            case ast.Assign(targets=[ast.Name(id=name)], value=value):
                self.assignments[name] = value
            case ast.AnnAssign(target=ast.Name(id=name), value=ast.expr() as value):
                self.assignments[name] = value
            case ast.Name(id=name, ctx=ast.Store()) | ast.arg(arg=name) | ast.ExceptHandler(name=str(name)):
                self.binding_counts[name] += 1
            case ast.FunctionDef(name=name) | ast.AsyncFunctionDef(name=name) | ast.ClassDef(name=name):
                self.binding_counts[name] += 1
            case ast.Global(names=names) | ast.Nonlocal(names=names):
                self.binding_counts.update(names)  # bound elsewhere: not a constant of this scope
            case ast.alias(name=name, asname=asname):
                self.binding_counts[asname or name.partition(".")[0]] += 1


def _own_nodes(scope_node: ast.AST) -> list[ast.AST]:
    # Iterative: generated code can nest deeper than the recursion limit.
    nodes: list[ast.AST] = []
    pending = list(ast.iter_child_nodes(scope_node))
    while pending:
        node = pending.pop()
        nodes.append(node)
        if not isinstance(node, _NESTED_SCOPES):
            pending.extend(ast.iter_child_nodes(node))
    return nodes


def _scopes(tree: ast.Module) -> list[_Scope]:
    scopes = [_Scope.of(tree, None, 0)]
    for scope in scopes:  # grows while iterating: every nested scope is visited once
        scopes.extend(
            _Scope.of(node, scope.visible_to_nested(), scope.nesting + 1)
            for node in scope.own_nodes
            if isinstance(node, _NESTED_SCOPES)
        )
    return scopes


class _Scanner:
    def __init__(self, tree: ast.Module) -> None:
        self._tree = tree
        self._findings = Findings()
        self._names = NameResolution()

    def usages(self) -> list[DetectedUsage]:
        for scope in _scopes(self._tree):
            for node in scope.own_nodes:
                if isinstance(node, ast.Call):
                    self._scan_call(node, scope)
        for text in self._bare_strings():
            self._findings.add(text, normalise_asset_uri(text.value), Mode.UNKNOWN)
        return self._findings.usages

    def _scan_call(self, call: ast.Call, scope: _Scope) -> None:
        name = _callee_name(call)
        if name in SDK_CALLS:
            self._scan_sdk_call(call, SDK_CALLS[name], scope)
        elif name in BOTO3_CALLS:
            self._scan_boto3_call(call, BOTO3_CALLS[name], scope)
        elif name == OPEN_FUNCTION:
            self._scan_open(call, scope)

    def _scan_sdk_call(self, call: ast.Call, rule: UriArgument, scope: _Scope) -> None:
        candidates = [_argument(call, position, None) for position in rule.positions]
        candidates.append(_argument(call, None, rule.keyword))
        for argument in filter(None, candidates):
            if rule.takes_s3_object and (fields := _s3_object_fields(argument)):
                texts = {name: self._static_text(value, scope) for name, value in fields.items()}
                if reference := s3_object_reference(texts):
                    self._findings.add(*reference, rule.mode)
            elif text := self._static_text(argument, scope):
                self._findings.add(text, sdk_uri(text.value, rule.bare_scheme), rule.mode)

    def _scan_boto3_call(self, call: ast.Call, rule: ObjectArguments, scope: _Scope) -> None:
        arity = len(call.args) + len(call.keywords)
        bucket_at, key_at = (
            rule.positions if rule.positions and arity >= CLIENT_TRANSFER_ARITY else (None, None)
        )
        bucket = self._static_text(_argument(call, bucket_at, "Bucket"), scope)
        key = self._static_text(_argument(call, key_at, "Key"), scope)
        if bucket and key:
            uri = normalise_asset_uri(f"s3://{bucket.value}/{key.value}")
            self._findings.add(StaticText(key.value, (), (bucket, key)), uri, rule.mode)

    def _scan_open(self, call: ast.Call, scope: _Scope) -> None:
        target = self._static_text(_argument(call, 0, "file"), scope)
        if target is None or (uri := referenced_uri(target.value)) is None:
            return
        flags_argument = _argument(call, 1, "mode")
        flags = self._static_text(flags_argument, scope)
        if flags_argument is None:
            mode = Mode.READ
        elif flags is None:
            mode = Mode.UNKNOWN
        else:
            mode = _open_mode(flags.value)
        self._findings.add(target, uri, mode)

    def _static_text(self, node: ast.AST | None, scope: _Scope) -> StaticText | None:
        match node:
            case ast.Constant(value=str(value)):
                return StaticText(value, (id(node),))
            case ast.JoinedStr(values=parts):
                return StaticText.joined([self._static_text(part, scope) for part in parts], id(node))
            case ast.FormattedValue(value=inner, conversion=-1, format_spec=None):
                return self._static_text(inner, scope)
            case ast.Name(id=name):
                if binding := scope.constant(name):
                    owner, value = binding
                    return self._names.resolve(name, id(owner), lambda: self._static_text(value, owner))
        return None

    def _bare_strings(self) -> Iterator[StaticText]:
        """Whole string literals no call explained: plain strings and f-strings without holes."""
        nodes = list(ast.walk(self._tree))
        fstring_parts = {
            id(part) for node in nodes if isinstance(node, ast.JoinedStr) for part in node.values
        }
        for node in nodes:
            if id(node) in self._findings.explained or id(node) in fstring_parts:
                continue
            match node:
                case ast.Constant(value=str(value)):
                    yield StaticText(value, (id(node),))
                case ast.JoinedStr(values=parts) if all(isinstance(part, ast.Constant) for part in parts):
                    yield StaticText("".join(part.value for part in parts), (id(node),))


def _callee_name(call: ast.Call) -> str | None:
    match call.func:
        case ast.Name(id=name) | ast.Attribute(attr=name):
            return name
    return None


def _argument(call: ast.Call, position: int | None, keyword: str | None) -> ast.expr | None:
    """The argument passed by keyword or at a position; None when absent or hidden behind *args."""
    for passed in call.keywords:
        if keyword is not None and passed.arg == keyword:
            return passed.value
    if position is None or position >= len(call.args):
        return None
    if any(isinstance(argument, ast.Starred) for argument in call.args[: position + 1]):
        return None
    return call.args[position]


def _s3_object_fields(node: ast.expr) -> dict[str, ast.expr] | None:
    """The fields of an S3Object written as a dict display or an S3Object(...) call, if it is one."""
    match node:
        case ast.Dict(keys=keys, values=values):
            fields = {key.value: value for key, value in zip(keys, values) if isinstance(key, ast.Constant)}
        case ast.Call(keywords=keywords) if _callee_name(node) == S3_OBJECT_TYPE:
            fields = {keyword.arg: keyword.value for keyword in keywords if keyword.arg}
        case _:
            return None
    return {name: fields[name] for name in S3_OBJECT_FIELDS if name in fields} if "s3" in fields else None


def _open_mode(flags: str) -> Mode:
    if "+" in flags:
        return Mode.READ_WRITE
    if any(flag in flags for flag in "wax"):
        return Mode.WRITE
    return Mode.READ
