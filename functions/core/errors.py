"""Typed domain errors. The API maps each to an HTTP status in one place (functions/api/errors.py)."""

from __future__ import annotations


class TroveError(Exception):
    """A failure whose message is safe to show to the caller."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(TroveError):
    """Bad input: a malformed id, body, type or size."""


class Unauthenticated(TroveError):
    """No identity, or one that can't be trusted."""


class Forbidden(TroveError):
    """The asset exists and belongs to someone else."""


class NotFound(TroveError):
    """No such asset (or thumbnail)."""


class Conflict(TroveError):
    """The asset is not in a state that allows this (not ready yet, still in use, changed meanwhile)."""


class UnsupportedMediaType(TroveError):
    """A request body in a format the route does not read."""


class PayloadTooLarge(TroveError):
    """More bytes than this path can carry."""


class Gone(TroveError):
    """A retired endpoint."""
