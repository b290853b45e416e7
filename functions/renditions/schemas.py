"""The renditions routes' answers (camelCase, like every API shape)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from functions.core.schemas import CamelModel, Timestamp


class RenditionSource(CamelModel):
    width: int = Field(description="The rendition's width in pixels: the `w` descriptor of a srcset entry")
    url: str = Field(description="Signed, token-free URL of the rendition (no Authorization header needed)")


class RenditionLinks(CamelModel):
    """GET /api/v2/assets/{id}/rendition-links: what an `<img srcset>` (or a `<picture>` source) needs."""

    format: str
    fit: str
    expires_at: Timestamp = Field(description="Every URL works until then (the same URLs for a whole window)")
    sources: list[RenditionSource] = Field(description="Narrowest first; none wider than the picture")


class Rendition(CamelModel):
    """GET /api/v2/assets/{id}/renditions with Accept: application/json: where the rendition is, and what."""

    url: str = Field(description="Short-lived URL of the stored rendition")
    width: int
    height: int
    format: Literal["webp", "avif", "jpeg", "png"]
    content_type: str
    expires_at: Timestamp
