"""Regular expressions for the opaque tokens the API hands out (list cursors), stated exactly, so the
document and the route check the same set: every string the pattern matches is a token the API
can read, and every other string is refused before it reaches the store."""

from __future__ import annotations

import base64
import itertools
import re

_DIGITS = b"0123456789"
_HEX = b"0123456789abcdef"


def _literal(text: str) -> list[bytes]:
    return [bytes([byte]) for byte in text.encode()]


def _character_class(characters: list[str]) -> str:
    if len(characters) == 1:
        return re.escape(characters[0])
    return "[" + "".join("\\-" if character == "-" else character for character in sorted(characters)) + "]"


def _alternatives(strings: set[str]) -> str:
    """The smallest-effort regex matching exactly `strings` (all of one length): a trie whose
    branches with the same continuation share one character class."""
    trie: dict = {}
    for string in strings:
        node = trie
        for character in string:
            node = node.setdefault(character, {})

    def expression(node: dict) -> str:
        if not node:
            return ""
        by_suffix: dict[str, list[str]] = {}
        for character, child in node.items():
            by_suffix.setdefault(expression(child), []).append(character)
        branches = sorted(_character_class(characters) + suffix for suffix, characters in by_suffix.items())
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return expression(trie)


def base64url_pattern(template: list[bytes]) -> str:
    """The unpadded base64url encodings of the byte strings `template` allows (one set of bytes per
    position): each 3-byte group becomes 4 characters, spelt out group by group."""
    groups = []
    for start in range(0, len(template), 3):
        choices = itertools.product(*template[start : start + 3])
        encoded = {base64.urlsafe_b64encode(bytes(combination)).decode().rstrip("=") for combination in choices}
        groups.append(_alternatives(encoded))
    return "^" + "".join(groups) + "$"


def _uuid4_template() -> list[bytes]:
    hex_digits = [_HEX] * 32
    hex_digits[12], hex_digits[16] = b"4", b"89ab"
    parts = (hex_digits[:8], hex_digits[8:12], hex_digits[12:16], hex_digits[16:20], hex_digits[20:])
    return [byte for index, part in enumerate(parts) for byte in ([*_literal("-"), *part] if index else part)]


# A list cursor is the last item's list key, `2026-12-01T13:36:42.123456Z#<uuid4>`, in base64url
# (functions.core.assets): 64 bytes, 86 characters.
CURSOR_KEY_TEMPLATE: list[bytes] = [
    *[_DIGITS] * 4, *_literal("-"), *[_DIGITS] * 2, *_literal("-"), *[_DIGITS] * 2, *_literal("T"),
    *[_DIGITS] * 2, *_literal(":"), *[_DIGITS] * 2, *_literal(":"), *[_DIGITS] * 2, *_literal("."),
    *[_DIGITS] * 6, *_literal("Z#"), *_uuid4_template(),
]
CURSOR_PATTERN = base64url_pattern(CURSOR_KEY_TEMPLATE)
_CURSOR = re.compile(CURSOR_PATTERN)


def check_cursor(value: str) -> str:
    # A short message: pydantic's own for a pattern would quote all 3,700 characters of it.
    if not _CURSOR.fullmatch(value):
        raise ValueError("Invalid cursor")
    return value
