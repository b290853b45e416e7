"""Who is calling: shared by every use case, in core and lineage alike."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    """The token's subject, and the numeric user id where the identity provider has one."""

    sub: str
    user_id: int | None = None
