"""What every language scanner shares: the result and error types, SDK call rules, static text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from functions.lineage.uris import Mode, s3_object_uri

S3_OBJECT_FIELDS = ("s3", "storage")  # an SDK S3Object: {s3: key, storage?: name}


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


@dataclass(frozen=True)
class StaticText:
    """A string known without running the code, and the ids of the syntax nodes it was read from."""

    value: str
    sources: tuple[int, ...]

    @classmethod
    def joined(cls, pieces: Sequence[StaticText | None], whole: int) -> StaticText | None:
        """The pieces of one literal (f-string, template) end to end; None unless every piece is static."""
        known = [piece for piece in pieces if piece is not None]
        if len(known) < len(pieces):
            return None
        return cls(
            "".join(piece.value for piece in known),
            (whole, *(id_ for piece in known for id_ in piece.sources)),
        )


@dataclass
class Findings:
    """The usages found so far, and the literals they explain (so those aren't reported again as bare)."""

    usages: list[DetectedUsage] = field(default_factory=list)
    explained: set[int] = field(default_factory=set)

    def add(self, text: StaticText, uri: str | None, mode: Mode) -> None:
        if uri is not None:
            self.usages.append(DetectedUsage(uri, mode))
            self.explained.update(text.sources)


def s3_object_reference(fields: Mapping[str, StaticText | None]) -> tuple[StaticText, str | None] | None:
    """The object an S3Object names, from its fields' static text; None when a field isn't static."""
    key, storage = fields.get("s3"), fields.get("storage")
    if key is None or ("storage" in fields and storage is None):
        return None
    text = StaticText(key.value, key.sources + (storage.sources if storage else ()))
    return text, s3_object_uri(key.value, storage.value if storage else None)
