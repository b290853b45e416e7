"""What can stop a rendition, as typed domain errors (functions/api/errors.py maps them to HTTP)."""

from __future__ import annotations

from functions.core.errors import Conflict, InvalidInput, TroveError


class InvalidRendition(InvalidInput):
    """A parameter outside its allowed values (400); the detail names them."""


class NotRenderable(Conflict):
    """The asset has no picture to render (audio, a link), is not ready, or its file cannot be
    rendered, at all or at this size (over the render budget) (409)."""


class RenditionUnavailable(TroveError):
    """Not now: the request's time ran out, or another request is making the same rendition (503,
    with a Retry-After when there is a better time to ask than at once)."""

    def __init__(self, detail: str, *, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
