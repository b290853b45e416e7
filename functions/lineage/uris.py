"""Asset URIs, and the mode in which code uses them.

An asset is named by one of:

- ``trove://asset/{uuid}``: a Trove asset by id (the id is lower-cased to its canonical form);
- ``s3://{bucket}/{key}``: an object (both parts required; no ``s3:///key`` default-storage form);
- ``res://{path}``: a resource;
- an ``http(s)://`` URL: a link asset. Code is full of URLs that are not assets, so a URL counts only
  where code hands it to something that reads or writes (see ``referenced_uri``), never as a bare
  string.

A URI is one token: whitespace anywhere means the text is prose, not a URI.
"""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import urlsplit
from uuid import UUID

from functions.core.urls import ascii_url

TROVE_PREFIX = "trove://asset/"
OBJECT_PREFIX = "s3://"
RESOURCE_PREFIX = "res://"
LINK_SCHEMES = frozenset({"http", "https"})


class Mode(StrEnum):
    """How a consumer uses an asset."""

    READ = "read"
    WRITE = "write"
    READ_WRITE = "read-write"
    UNKNOWN = "unknown"  # code alone can't tell; a person sets it

    def combine(self, other: Mode) -> Mode:
        """The mode of one consumer that uses the same asset in both ways.

        Unknown wins over everything, because a guess would hide the question from the person who
        has to answer it; two different known modes mean the asset is both read and written.
        """
        if self == other:
            return self
        if Mode.UNKNOWN in (self, other):
            return Mode.UNKNOWN
        return Mode.READ_WRITE


def asset_uri(asset_id: UUID) -> str:
    return f"{TROVE_PREFIX}{asset_id}"


def object_uri(bucket: str, key: str) -> str:
    """``s3://bucket/key``; ValueError when the parts can't make one (empty, slash in bucket, spaces)."""
    uri = f"{OBJECT_PREFIX}{bucket}/{key}"
    if parse_object_uri(uri) != (bucket, key):
        raise ValueError(f"not an S3 object: bucket {bucket!r}, key {key!r}")
    return uri


def parse_trove_uri(uri: str) -> UUID | None:
    """The asset id in ``trove://asset/{uuid}``; None for anything else, malformed ids included."""
    if not uri.startswith(TROVE_PREFIX):
        return None
    text = uri.removeprefix(TROVE_PREFIX)
    try:
        asset_id = UUID(text)
    except ValueError:
        return None
    # UUID() also takes braces, "urn:uuid:" and unhyphenated hex: only the canonical spelling names an asset.
    return asset_id if str(asset_id) == text.lower() else None


def parse_object_uri(uri: str) -> tuple[str, str] | None:
    """(bucket, key) of ``s3://bucket/key``; None when either part is missing."""
    if not uri.startswith(OBJECT_PREFIX) or _has_whitespace(uri):
        return None
    bucket, _, key = uri.removeprefix(OBJECT_PREFIX).partition("/")
    return (bucket, key) if bucket and key else None


def normalise_asset_uri(text: str) -> str | None:
    """The canonical form of a trove://, s3:// or res:// URI; None when text is not one."""
    if (asset_id := parse_trove_uri(text)) is not None:
        return asset_uri(asset_id)
    if parse_object_uri(text) is not None:
        return text
    if text.startswith(RESOURCE_PREFIX) and len(text) > len(RESOURCE_PREFIX) and not _has_whitespace(text):
        return text
    return None


def is_asset_uri(text: str) -> bool:
    """Whether a string, wherever it appears, names an asset (links excluded: see the module doc)."""
    return normalise_asset_uri(text) is not None


def is_link_uri(text: str) -> bool:
    """An absolute http(s) URL with a host."""
    if _has_whitespace(text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. a malformed IPv6 host
        return False
    return parts.scheme in LINK_SCHEMES and bool(parts.hostname)


def referenced_uri(text: str) -> str | None:
    """The asset a string names where code reads or writes through it: an asset URI or a link."""
    return normalise_asset_uri(text) or _link_url(text)


def _link_url(text: str) -> str | None:
    """A link in the ASCII form link assets are stored in (`urls.ascii_url`), so code naming
    `https://de.wikipedia.org/wiki/Müller` finds the asset stored as `…/wiki/M%C3%BCller`; None for
    what is no http(s) URL a link asset could have."""
    if not is_link_uri(text):
        return None
    try:
        return ascii_url(text)
    except ValueError:
        return None


def sdk_uri(argument: str, bare_scheme: str | None) -> str | None:
    """The asset an SDK call's path argument names.

    The SDKs still take their older scheme-less paths (``load_s3_file('storage/path/file.csv')``,
    ``get_resource('f/folder/db')``), and those are assets too: with ``bare_scheme`` set, a
    scheme-less path is read as ``{bare_scheme}://{path}``. For objects the path's first segment is
    therefore the bucket, so the URI and the older form of one file name the same asset.
    """
    if "://" in argument or bare_scheme is None:
        return referenced_uri(argument)
    return normalise_asset_uri(f"{bare_scheme}://{argument}")


def s3_object_uri(key: str, storage: str | None) -> str | None:
    """The object an SDK ``S3Object`` (``{s3: key, storage?: name}``) names."""
    if storage is None:
        return sdk_uri(key, "s3")
    return normalise_asset_uri(f"{OBJECT_PREFIX}{storage}/{key}")


def _has_whitespace(text: str) -> bool:
    return any(character.isspace() for character in text)
