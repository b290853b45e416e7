"""What every language scanner shares: the result and error types, SDK call rules, static text, and
the scan limits (the numbers are in functions/core/topology.py)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

from functions.core.topology import MAX_ASSET_URI_BYTES, MAX_NAME_RESOLUTION_DEPTH
from functions.lineage.uris import Mode, s3_object_uri

S3_OBJECT_FIELDS = ("s3", "storage")  # an SDK S3Object: {s3: key, storage?: name}
# Static text is kept up to one character past the longest URI: enough to tell that a text built from
# many parts is too long to be an asset, without ever building it whole (each part can double it).
MAX_STATIC_TEXT_CHARS = MAX_ASSET_URI_BYTES + 1


@dataclass(frozen=True)
class DetectedUsage:
    uri: str
    mode: Mode


class UnsupportedLanguage(ValueError):
    def __init__(self, language: str) -> None:
        super().__init__(f"unsupported language: {language!r}")
        self.language = language


class CodeSyntaxError(ValueError):
    """The code does not parse; line and column are 1-based when the parser says where."""

    def __init__(self, language: str, reason: str, line: int | None, column: int | None) -> None:
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"{language} syntax error{where}: {reason}")
        self.language = language
        self.reason = reason
        self.line = line
        self.column = column


class BeyondScanLimits(ValueError):
    """The code may well be valid, but analysing it costs more than a scan allows (or its result could
    not be stored): too large, nested or indirect, or naming an asset by a URI too long to keep."""


@dataclass(frozen=True)
class UriArgument:
    """Where an asset SDK function takes the asset it uses, and how it uses it."""

    mode: Mode
    positions: tuple[int, ...]
    keyword: str | None = None
    bare_scheme: str | None = None  # scheme of the SDK's older scheme-less paths (see uris.sdk_uri)

    @property
    def takes_s3_object(self) -> bool:
        """The S3 functions also take an S3Object."""
        return self.bare_scheme == "s3"


@dataclass(frozen=True, eq=False)  # compared by identity: one text per syntax node or name
class StaticText:
    """A string known without running the code, where it was read from: the ids of its own syntax
    nodes, and the texts it was made of (shared, not copied: a name used twice is one text)."""

    value: str
    sources: tuple[int, ...]
    parts: tuple[StaticText, ...] = ()

    @classmethod
    def joined(cls, pieces: Sequence[StaticText | None], whole: int) -> StaticText | None:
        """The pieces of one literal (f-string, template) end to end, cut at MAX_STATIC_TEXT_CHARS;
        None unless every piece is static."""
        known = [piece for piece in pieces if piece is not None]
        if len(known) < len(pieces):
            return None
        values, room = [], MAX_STATIC_TEXT_CHARS
        for piece in known:
            if room <= 0:
                break
            values.append(piece.value[:room])
            room -= len(values[-1])
        return cls("".join(values), (whole,), tuple(known))


class NameResolution:
    """Names resolved to their static text once each, however often the code refers to them.

    A name's depth is the length of the chain of names it is defined through (`a = "s3://…"` is 1,
    `b = f"{a}"` 2); past MAX_NAME_RESOLUTION_DEPTH the scan is refused (the same whichever name of the
    chain the scan meets first), so the recursion stays shallow. A name met again while its own value is being resolved (`x = f"{x}"`,
    or a longer cycle) has no static value: every name on the cycle resolves to None.
    """

    def __init__(self) -> None:
        self._known: dict[Hashable, tuple[StaticText | None, int]] = {}
        self._open: dict[Hashable, int] = {}  # being resolved → the deepest name its value used so far

    def resolve(
        self, name: str, scope: Hashable, value: Callable[[], StaticText | None]
    ) -> StaticText | None:
        key = (scope, name)
        if key in self._known:
            text, depth = self._known[key]
        elif key in self._open:
            return None
        else:
            if len(self._open) >= MAX_NAME_RESOLUTION_DEPTH:
                raise _too_deep(name)
            self._open[key] = 0
            try:
                text = value()
            finally:
                depth = self._open.pop(key) + 1
            if depth > MAX_NAME_RESOLUTION_DEPTH:
                raise _too_deep(name)
            self._known[key] = text, depth
        if self._open:  # the name being resolved now goes through this one
            innermost = next(reversed(self._open))
            self._open[innermost] = max(self._open[innermost], depth)
        return text


def _too_deep(name: str) -> BeyondScanLimits:
    return BeyondScanLimits(
        f"{name!r} is defined through a chain of more than {MAX_NAME_RESOLUTION_DEPTH} names, too long to follow"
    )


@dataclass
class Findings:
    """The usages found so far, and the literals they explain (so those aren't reported again as bare)."""

    usages: list[DetectedUsage] = field(default_factory=list)
    explained: set[int] = field(default_factory=set)
    _explained_texts: set[StaticText] = field(default_factory=set)

    def add(self, text: StaticText, uri: str | None, mode: Mode) -> None:
        if uri is None:
            return
        if len(uri.encode()) > MAX_ASSET_URI_BYTES:
            raise BeyondScanLimits(f"asset URI longer than {MAX_ASSET_URI_BYTES} bytes (UTF-8): {uri[:60]}…")
        self.usages.append(DetectedUsage(uri, mode))
        # Each text once: texts share their parts, so walking every path could take exponential time.
        pending = [text]
        while pending:
            current = pending.pop()
            if current not in self._explained_texts:
                self._explained_texts.add(current)
                self.explained.update(current.sources)
                pending.extend(current.parts)


def s3_object_reference(fields: Mapping[str, StaticText | None]) -> tuple[StaticText, str | None] | None:
    """The object an S3Object names, from its fields' static text; None when a field isn't static."""
    key, storage = fields.get("s3"), fields.get("storage")
    if key is None or ("storage" in fields and storage is None):
        return None
    text = StaticText(key.value, (), (key, storage) if storage else (key,))
    return text, s3_object_uri(key.value, storage.value if storage else None)
