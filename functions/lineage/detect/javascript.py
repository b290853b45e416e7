"""Asset usages in JavaScript and TypeScript, found with tree-sitter.

What counts:

- asset SDK functions, called plainly or as members (``wmill.loadS3File(...)``): ``SDK_CALLS``; their
  S3 functions also take an object literal ``{s3: key, storage: name}`` (``storage`` optional);
- any other string that is an asset URI (links excluded): unknown.

Only static text is followed: string literals without escape sequences, template literals whose every
``${}`` holds static text, and ``const`` names declared once in the file with static text. Scopes are
not modelled: a name declared or taken as a parameter more than once anywhere in the file is skipped
rather than guessed.

As in Python, the SDKs' older scheme-less paths are assets (``loadS3File("bucket/key")`` is
``s3://bucket/key``), and ``setResource``, whose argument order changed between SDK versions, counts
only an explicit URI in either of its first two places.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Final

from tree_sitter import Language, Node, Parser

from functions.lineage.detect.common import (
    S3_OBJECT_FIELDS,
    CodeSyntaxError,
    DetectedUsage,
    Findings,
    StaticText,
    UriArgument,
    s3_object_reference,
)
from functions.lineage.uris import Mode, normalise_asset_uri, sdk_uri

SDK_CALLS: Final[dict[str, UriArgument]] = {
    "loadS3File": UriArgument(Mode.READ, (0,), bare_scheme="s3"),
    "loadS3FileStream": UriArgument(Mode.READ, (0,), bare_scheme="s3"),
    "writeS3File": UriArgument(Mode.WRITE, (0,), bare_scheme="s3"),
    "getResource": UriArgument(Mode.UNKNOWN, (0,), bare_scheme="res"),
    "setResource": UriArgument(Mode.WRITE, (0, 1)),
}

# Expressions that wrap a value without changing it: ("s3://b/k" as const), parentheses, x!.
_TRANSPARENT: Final = frozenset(
    {"as_expression", "satisfies_expression", "parenthesized_expression", "non_null_expression"}
)
_BOUND_NAMES: Final = frozenset({"identifier", "shorthand_property_identifier_pattern"})


def occurrences(code: str, grammar: str) -> list[DetectedUsage]:
    """Every use of an asset in the code, one entry per place (not merged)."""
    source = code.encode()
    root = Parser(_language(grammar)).parse(source).root_node
    if root.has_error:
        raise _syntax_error(grammar, source, root)
    return _Scanner(root).usages()


@cache
def _language(grammar: str) -> Language:
    """The tree-sitter grammar "javascript" (JSX included), "typescript" or "tsx", loaded once."""
    if grammar == "javascript":
        import tree_sitter_javascript

        return Language(tree_sitter_javascript.language())
    import tree_sitter_typescript

    if grammar == "tsx":
        return Language(tree_sitter_typescript.language_tsx())
    return Language(tree_sitter_typescript.language_typescript())


def _syntax_error(grammar: str, source: bytes, root: Node) -> CodeSyntaxError:
    # Descend to the first, innermost error: the outer ERROR nodes often span the whole file.
    node = root
    while child := next((child for child in node.children if child.has_error or child.is_missing), None):
        node = child
    reason = f"missing {node.type!r}" if node.is_missing else "unexpected code"
    row, byte_column = node.start_point
    lines = source.split(b"\n")
    line = lines[row] if row < len(lines) else b""
    # tree-sitter counts bytes; people count characters.
    column = len(line[:byte_column].decode(errors="replace")) + 1
    return CodeSyntaxError(grammar, reason, row + 1, column)


class _Scanner:
    def __init__(self, root: Node) -> None:
        self._nodes = list(_walk(root))
        self._constants = _constants(self._nodes)
        self._findings = Findings()

    def usages(self) -> list[DetectedUsage]:
        for node in self._nodes:
            if node.type == "call_expression" and (rule := SDK_CALLS.get(_callee_name(node) or "")):
                self._scan_sdk_call(node, rule)
        for node in self._nodes:
            bare = node.id not in self._findings.explained and _is_plain_literal(node)
            if bare and (text := self._static_text(node)):
                self._findings.add(text, normalise_asset_uri(text.value), Mode.UNKNOWN)
        return self._findings.usages

    def _scan_sdk_call(self, call: Node, rule: UriArgument) -> None:
        arguments = _arguments(call)
        for position in rule.positions:
            argument = arguments[position] if position < len(arguments) else None
            if argument is None or any(earlier.type == "spread_element" for earlier in arguments[:position]):
                continue
            if rule.takes_s3_object and argument.type == "object":
                fields = _object_fields(argument)
                texts = {name: self._static_text(fields[name]) for name in S3_OBJECT_FIELDS if name in fields}
                if reference := s3_object_reference(texts):
                    self._findings.add(*reference, rule.mode)
            elif text := self._static_text(argument):
                self._findings.add(text, sdk_uri(text.value, rule.bare_scheme), rule.mode)

    def _static_text(self, node: Node | None, resolving: frozenset[str] = frozenset()) -> StaticText | None:
        if node is None:
            return None
        if node.type in ("string", "template_string"):
            return StaticText.joined(
                [self._piece(child, resolving) for child in node.named_children], node.id
            )
        if node.type in _TRANSPARENT and node.named_children:
            return self._static_text(node.named_children[0], resolving)
        name = _text(node)
        if node.type == "identifier" and name not in resolving and (value := self._constants.get(name)):
            return self._static_text(value, resolving | {name})
        return None

    def _piece(self, child: Node, resolving: frozenset[str]) -> StaticText | None:
        """One part of a string or template literal; None for escapes and holes that aren't static."""
        if child.type == "string_fragment":
            return StaticText(_text(child), ())
        if child.type == "template_substitution" and child.named_child_count == 1:
            return self._static_text(child.named_children[0], resolving)
        return None


def _walk(root: Node) -> Iterator[Node]:
    """Named nodes only: punctuation and keywords (TypeScript's `string` type is one) are skipped.

    Iterative: generated code can nest deeper than the recursion limit.
    """
    pending = [root]
    while pending:
        node = pending.pop()
        yield node
        pending.extend(reversed(node.named_children))


def _text(node: Node | None) -> str:
    return (node.text or b"").decode() if node else ""


def _constants(nodes: list[Node]) -> dict[str, Node]:
    """Names bound by exactly one `const name = value` and nowhere else, with their values."""
    binding_counts: Counter[str] = Counter()
    values: dict[str, Node] = {}
    for node in nodes:
        for site in _binding_sites(node):
            binding_counts.update(_text(name) for name in _walk(site) if name.type in _BOUND_NAMES)
        if (name := _const_name(node)) and (value := node.child_by_field_name("value")):
            values[name] = value
    return {name: value for name, value in values.items() if binding_counts[name] == 1}


def _binding_sites(node: Node) -> Iterator[Node]:
    """The parts of a node that introduce names: declarator targets and parameters."""
    if node.type == "formal_parameters":
        yield node
    elif node.type in ("variable_declarator", "arrow_function"):
        site = node.child_by_field_name("name" if node.type == "variable_declarator" else "parameter")
        if site is not None:
            yield site


def _const_name(node: Node) -> str | None:
    """The name a `const name = …` declarator binds; None for any other node."""
    name = node.child_by_field_name("name")
    declaration = node.parent
    if node.type != "variable_declarator" or name is None or name.type != "identifier" or declaration is None:
        return None
    return _text(name) if _text(declaration.child_by_field_name("kind")) == "const" else None


def _callee_name(call: Node) -> str | None:
    function = call.child_by_field_name("function")
    match function.type if function else None:
        case "identifier":
            return _text(function)
        case "member_expression":
            return _text(function.child_by_field_name("property"))
    return None


def _arguments(call: Node) -> list[Node]:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "arguments":  # tag`…` templates have no argument list
        return []
    return [argument for argument in arguments.named_children if argument.type != "comment"]


def _object_fields(literal: Node) -> dict[str, Node]:
    """`key: value` pairs of an object literal whose keys are plain names or strings."""
    fields: dict[str, Node] = {}
    for pair in literal.named_children:
        if pair.type != "pair":  # spreads, shorthand properties and methods carry no static field
            continue
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if key is not None and value is not None:
            fields[_text(key).strip("'\"")] = value
    return fields


def _is_plain_literal(node: Node) -> bool:
    """A string, or a template literal without holes: the only whole strings that can be bare URIs."""
    if node.type == "template_string":
        return all(child.type != "template_substitution" for child in node.named_children)
    return node.type == "string"
