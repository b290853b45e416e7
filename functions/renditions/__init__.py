"""Renditions: an asset's picture at the size and format a page needs, made on request, stored once.

    spec = RenditionSpec.parse(w, h, fit, format, page, accept)   # InvalidRendition (400) names the allowed values
    stored = ensure_rendition(item, spec, settings)               # a recorded one: no S3 call, no decode
    forget_renditions(item, settings)                              # new bytes settled: the old renditions go

Images of every allowed format, video posters (the thumbnail's frame at full resolution) and PDF
pages render in the processor's inspection worker under the type's budget (render.py), one request
at a time per rendition (rendering.py); the result is stored under `renditions/{assetId}/{version}/`
and recorded on the asset item, as is what cannot be rendered (store.py). Signed token-free URLs
for them are signing.py's (helper edge); links.py gives the owner a short-lived URL (imported on its
own: it reads the asset through functions/core/assets.py, which imports store.py to delete renditions
with their asset). This package imports no decoder: the API loads it cheaply.
"""

from __future__ import annotations

from functions.renditions.errors import InvalidRendition, NotRenderable, RenditionUnavailable
from functions.renditions.rendering import ensure_rendition
from functions.renditions.spec import RenditionSpec
from functions.renditions.store import StoredRendition, forget_renditions, rendition_keys

__all__ = [
    "InvalidRendition",
    "NotRenderable",
    "RenditionSpec",
    "RenditionUnavailable",
    "StoredRendition",
    "ensure_rendition",
    "forget_renditions",
    "rendition_keys",
]
