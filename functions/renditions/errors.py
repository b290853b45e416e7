"""What can stop a rendition, as typed domain errors (functions/api/errors.py maps them to HTTP)."""

from __future__ import annotations

from functions.core.errors import Conflict, InvalidInput, TroveError


class InvalidRendition(InvalidInput):
    """A parameter outside its allowed values (400); the detail names them."""


class NotRenderable(Conflict):
    """The asset has no picture to render (audio, a link), is not ready, or its file cannot be
    rendered (409)."""


class RenditionUnavailable(TroveError):
    """Rendering would go over the render budget (the processor's, per type) or past the request's
    time (503: say so rather than time out)."""
