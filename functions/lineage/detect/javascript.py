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
from dataclasses import dataclass, field
from functools import cache
from typing import Final

from tree_sitter import Language, Node, Parser

from functions.lineage.detect.common import (
    S3_OBJECT_FIELDS,
    CodeSyntaxError,
    DetectedUsage,
    Findings,
    NameResolution,
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
# Where names are bound, besides parameter lists (whose every identifier counts, default values included).
_BINDING_FIELDS: Final = {"variable_declarator": "name", "arrow_function": "parameter"}
# What the parser reads at a time; it asks for the next piece as it goes.
_READ_CHUNK_BYTES: Final = 64 * 1024


def occurrences(code: str, grammar: str) -> list[DetectedUsage]:
    """Every use of an asset in the code, one entry per place (not merged)."""
    source = code.encode()
    return _Scanner(source, _parse(source, grammar)).usages()


def _parse(source: bytes, grammar: str) -> Node:
    """The syntax tree, or CodeSyntaxError at the first error.

    Parsing stops at the first error: code with one is refused anyway, and tree-sitter's error recovery
    costs seconds per megabyte of garbage. The error is then found by parsing the code up to where the
    parser stopped, which holds it.
    """
    stopped_at: int | None = None

    def stop_at_first_error(offset: int, has_error: bool) -> bool:
        nonlocal stopped_at
        if has_error:
            stopped_at = offset
        return has_error

    def read(offset: int, _: object) -> bytes:
        return source[offset : offset + _READ_CHUNK_BYTES]

    try:
        root = Parser(_language(grammar)).parse(read, progress_callback=stop_at_first_error).root_node
    except ValueError:  # tree-sitter's "Parsing failed": stopped by the callback
        if stopped_at is None:
            raise
        prefix = Parser(_language(grammar)).parse(source[:stopped_at]).root_node
        raise _syntax_error(grammar, source, _first_error(prefix), stopped_at) from None
    if root.has_error:
        raise _syntax_error(grammar, source, _first_error(root), len(source))
    return root


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


def _first_error(root: Node) -> Node | None:
    """The first, innermost error: the outer ERROR nodes often span the whole file."""
    node = root
    while child := next((child for child in node.children if child.has_error or child.is_missing), None):
        node = child
    return node if node.is_error or node.is_missing else None


def _syntax_error(grammar: str, source: bytes, error: Node | None, stopped_at: int) -> CodeSyntaxError:
    """The error at its node, or where the parser stopped when no node holds it."""
    reason = f"missing {error.type!r}" if error is not None and error.is_missing else "unexpected code"
    offset = error.start_byte if error is not None else stopped_at
    line_start = source.rfind(b"\n", 0, offset) + 1
    # tree-sitter counts bytes; people count characters.
    column = len(source[line_start:offset].decode(errors="replace")) + 1
    return CodeSyntaxError(grammar, reason, source.count(b"\n", 0, offset) + 1, column)


class _Scanner:
    def __init__(self, source: bytes, root: Node) -> None:
        self._source = source
        self._places = _Places.of(root)
        self._constants = self._constant_values()
        self._names = NameResolution()
        self._findings = Findings()

    def usages(self) -> list[DetectedUsage]:
        for call in self._places.calls:
            if rule := SDK_CALLS.get(self._callee_name(call) or ""):
                self._scan_sdk_call(call, rule)
        for literal in self._places.literals:
            bare = literal.id not in self._findings.explained and _is_plain_literal(literal)
            if bare and (text := self._static_text(literal)):
                self._findings.add(text, normalise_asset_uri(text.value), Mode.UNKNOWN)
        return self._findings.usages

    def _scan_sdk_call(self, call: Node, rule: UriArgument) -> None:
        arguments = _arguments(call)
        for position in rule.positions:
            argument = arguments[position] if position < len(arguments) else None
            if argument is None or any(earlier.type == "spread_element" for earlier in arguments[:position]):
                continue
            if rule.takes_s3_object and argument.type == "object":
                fields = self._object_fields(argument)
                texts = {name: self._static_text(fields[name]) for name in S3_OBJECT_FIELDS if name in fields}
                if reference := s3_object_reference(texts):
                    self._findings.add(*reference, rule.mode)
            elif text := self._static_text(argument):
                self._findings.add(text, sdk_uri(text.value, rule.bare_scheme), rule.mode)

    def _static_text(self, node: Node | None) -> StaticText | None:
        while node is not None and node.type in _TRANSPARENT:  # a loop: wrappers can nest 100,000 deep
            node = node.named_children[0] if node.named_children else None
        if node is None:
            return None
        if node.type in ("string", "template_string"):
            return StaticText.joined([self._piece(child) for child in node.named_children], node.id)
        if node.type == "identifier" and (value := self._constants.get(name := self._text(node))):
            return self._names.resolve(name, None, lambda: self._static_text(value))
        return None

    def _piece(self, child: Node) -> StaticText | None:
        """One part of a string or template literal; None for escapes and holes that aren't static."""
        if child.type == "string_fragment":
            return StaticText(self._text(child), ())
        if child.type == "template_substitution" and child.named_child_count == 1:
            return self._static_text(child.named_children[0])
        return None

    def _constant_values(self) -> dict[str, Node]:
        """Names bound by exactly one `const name = value` and nowhere else, with their values."""
        binding_counts = Counter(self._text(name) for name in self._places.bound_names)
        values: dict[str, Node] = {}
        for declarator in self._places.const_declarators:
            name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
            if name is not None and name.type == "identifier" and value is not None:
                values[self._text(name)] = value
        return {name: value for name, value in values.items() if binding_counts[name] == 1}

    def _callee_name(self, call: Node) -> str | None:
        function = call.child_by_field_name("function")
        match function.type if function else None:
            case "identifier":
                return self._text(function)
            case "member_expression":
                return self._text(function.child_by_field_name("property"))
        return None

    def _object_fields(self, literal: Node) -> dict[str, Node]:
        """`key: value` pairs of an object literal whose keys are plain names or strings."""
        fields: dict[str, Node] = {}
        for pair in literal.named_children:
            if pair.type != "pair":  # spreads, shorthand properties and methods carry no static field
                continue
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if key is not None and value is not None:
                fields[self._text(key).strip("'\"")] = value
        return fields

    def _text(self, node: Node | None) -> str:
        # Sliced here: Node.text of a tree parsed from a reader calls the reader again, per node.
        return self._source[node.start_byte : node.end_byte].decode() if node else ""


@dataclass
class _Places:
    """The nodes a scan looks at, gathered in one walk of the tree with a cursor.

    What a node's ancestors mean for it (a parameter list around it, a `const` declaration above it)
    is carried down with the walk: tree-sitter has no parent pointers, so `Node.parent` searches down
    from the root again, and asking it per node made deep code quadratic (100,000 nested parentheses
    ran for minutes). tree-sitter queries are no way out either: on deep trees they are quadratic too,
    and stop returning matches past 32,767.
    """

    calls: list[Node] = field(default_factory=list)
    literals: list[Node] = field(default_factory=list)  # strings and template literals
    bound_names: list[Node] = field(default_factory=list)  # identifiers in declarator targets and parameters
    const_declarators: list[Node] = field(default_factory=list)  # `name = value` of `const`

    @classmethod
    def of(cls, root: Node) -> _Places:
        places = cls()
        cursor = root.walk()
        # For each ancestor of the cursor's node: its type, whether it binds names, whether it is a
        # `const` declaration.
        ancestors: list[tuple[str, bool, bool]] = []
        binds = in_const = False
        while True:
            node = cursor.node
            kind = node.type
            if node.is_named:  # not punctuation or keywords (TypeScript's `string` type is one)
                if kind == "call_expression":
                    places.calls.append(node)
                elif kind in ("string", "template_string"):
                    places.literals.append(node)
                elif binds and kind in _BOUND_NAMES:
                    places.bound_names.append(node)
                elif kind == "variable_declarator" and in_const:
                    places.const_declarators.append(node)
            if cursor.goto_first_child():
                ancestors.append((kind, binds, kind == "lexical_declaration" and _declares_const(node)))
            else:
                while not cursor.goto_next_sibling():
                    if not cursor.goto_parent():
                        return places
                    ancestors.pop()
            parent_kind, parent_binds, in_const = ancestors[-1]
            binds = parent_binds or parent_kind == "formal_parameters"
            if not binds and parent_kind in _BINDING_FIELDS:
                binds = cursor.field_name == _BINDING_FIELDS[parent_kind]


def _declares_const(declaration: Node) -> bool:
    kind = declaration.child_by_field_name("kind")
    return kind is not None and kind.type == "const"


def _arguments(call: Node) -> list[Node]:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "arguments":  # tag`…` templates have no argument list
        return []
    return [argument for argument in arguments.named_children if argument.type != "comment"]


def _is_plain_literal(node: Node) -> bool:
    """A string, or a template literal without holes: the only whole strings that can be bare URIs."""
    if node.type == "template_string":
        return all(child.type != "template_substitution" for child in node.named_children)
    return node.type == "string"
