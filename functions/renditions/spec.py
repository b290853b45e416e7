"""What a rendition is: validated parameters, the size they give a picture, and the names they store under.

    spec = RenditionSpec.parse(w="640", h=None, fit=None, format="auto", page=None, accept="image/avif,*/*")
    spec.name            # "640x-inside-p1.avif": the map key on the asset and the object's file name
    spec.key(asset_id, content_version(etag))   # "renditions/{assetId}/{version}/640x-inside-p1.avif"
    plan(6000, 4000, spec)   # Plan(scaled=(640, 427), output=(640, 427))

Every value is checked against an allow-list before anything else sees it, so an object key is
built from allowed values only and a caller cannot make the service store unbounded variants.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

from functions.core import topology
from functions.renditions.errors import InvalidRendition

SIDES = topology.RENDITION_SIDES
# inside: the whole picture within w×h; contain: the same, padded to exactly w×h; cover: w×h filled,
# the overflow cropped evenly. With one side given the three are the same: the spec says `inside`.
FITS = ("inside", "contain", "cover")
DEFAULT_FIT = "inside"
CONTENT_TYPES = {"webp": "image/webp", "avif": "image/avif", "jpeg": "image/jpeg", "png": "image/png"}
FORMATS = tuple(CONTENT_TYPES)
AUTO = "auto"
# `auto` picks the first of these the Accept header names explicitly ("image/*" or "*/*" count for
# no format: a client that says that may not decode AVIF), and JPEG, which everything shows, otherwise.
NEGOTIATED = ("avif", "webp")
FALLBACK_FORMAT = "jpeg"
# A PDF page is vector: drawn as if its longest side were the largest allowed size.
VECTOR_SIDE = max(SIDES)
MAX_PAGE = 100_000  # more than any PDF within the upload size has; page_count is checked too


def _allowed(values) -> str:
    return ", ".join(str(value) for value in values)


@dataclass(frozen=True)
class RenditionSpec:
    width: int | None
    height: int | None
    fit: str
    format: str
    page: int = 1

    @classmethod
    def parse(
        cls,
        w: str | int | None,
        h: str | int | None,
        fit: str | None,
        format: str | None,
        page: str | int | None,
        accept: str | None,
    ) -> RenditionSpec:
        """The spec the query asks for; InvalidRendition naming the allowed values otherwise."""
        width, height = _side("w", w), _side("h", h)
        if width is None and height is None:
            raise InvalidRendition(f"Give w or h (or both), each one of {_allowed(SIDES)}")
        fit = fit if fit is not None else DEFAULT_FIT
        if fit not in FITS:
            raise InvalidRendition(f"fit must be one of {_allowed(FITS)}")
        if format is None or format == AUTO:
            format = negotiate(accept)
        elif format not in FORMATS:
            raise InvalidRendition(f"format must be one of {_allowed((*FORMATS, AUTO))}")
        return cls(width, height, fit if width and height else DEFAULT_FIT, format, _page(page))

    @property
    def name(self) -> str:
        return f"{self.width or ''}x{self.height or ''}-{self.fit}-p{self.page}.{self.format}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def key(self, asset_id: str, version: str) -> str:
        """Under the bytes' version: a rendition of replaced bytes never shares a key with one of the new."""
        return f"{version_prefix(asset_id, version)}{self.name}"


def content_version(etag: str) -> str:
    """A short, path-safe name for the bytes a rendition is made from (the checked object's ETag)."""
    return hashlib.sha256(etag.encode()).hexdigest()[:16]


def version_prefix(asset_id: str, version: str = "") -> str:
    """Where an asset's renditions are stored: all of them, or (with `version`) those of one version."""
    return f"{topology.RENDITIONS_PREFIX}{UUID(asset_id)}/{version + '/' if version else ''}"


def _number(text: str) -> int | None:
    """A whole number spelt as the OpenAPI document's integers are: ASCII digits, no leading zero."""
    return int(text) if text.isascii() and text.isdigit() and text == str(int(text)) else None


def _side(name: str, raw: str | int | None) -> int | None:
    if raw is None or raw == "":
        return None
    side = _number(str(raw))
    if side not in SIDES:
        raise InvalidRendition(f"{name} must be one of {_allowed(SIDES)}")
    return side


def _page(raw: str | int | None) -> int:
    if raw is None or raw == "":
        return 1
    page = _number(str(raw))
    if page is None or not 1 <= page <= MAX_PAGE:
        raise InvalidRendition("page must be a whole number from 1 to the document's page count")
    return page


def negotiate(accept: str | None) -> str:
    """The format `auto` means for this Accept header."""
    accepted = set()
    for part in (accept or "").lower().split(","):
        media_type, *parameters = (piece.strip() for piece in part.split(";"))
        refused = any(
            parameter.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for parameter in parameters
        )
        if not refused:
            accepted.add(media_type)
    return next((format for format in NEGOTIATED if CONTENT_TYPES[format] in accepted), FALLBACK_FORMAT)


@dataclass(frozen=True)
class Plan:
    """`scaled`: the whole picture's size once resized; `output`: the rendition's size (the scaled
    picture cropped to it for cover, padded to it for contain, the same for inside)."""

    scaled: tuple[int, int]
    output: tuple[int, int]


def plan(width: int, height: int, spec: RenditionSpec) -> Plan:
    """Sizes for a width×height picture (as displayed). Never enlarged: the output is at most the
    source's size on each side, a box larger than the picture shrinks, keeping its aspect ratio."""
    if spec.width is None or spec.height is None or spec.fit == "inside":
        scale = min(
            1.0, *(side / total for side, total in ((spec.width, width), (spec.height, height)) if side)
        )
        scaled = _scaled(width, height, scale)
        return Plan(scaled, scaled)
    shrink = min(1.0, width / spec.width, height / spec.height)
    box = (max(1, round(spec.width * shrink)), max(1, round(spec.height * shrink)))
    pick = max if spec.fit == "cover" else min
    scale = min(1.0, pick(box[0] / width, box[1] / height))
    scaled = _scaled(width, height, scale)
    if spec.fit == "cover":  # rounding may leave the scaled picture a pixel short of the box
        scaled = (max(scaled[0], box[0]), max(scaled[1], box[1]))
    return Plan(scaled, box)


def _scaled(width: int, height: int, scale: float) -> tuple[int, int]:
    return max(1, round(width * scale)), max(1, round(height * scale))
