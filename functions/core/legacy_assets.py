"""Seed 000's `/api/assets/` contract, as a view over the same records as `/api/v2`.

snake_case, `reference_url`, `project_id`/`todo_id`, `skip`/`limit`, PUT as a full update. A
create makes a `link` asset; uploaded files show here with their file URL as `reference_url`.
Every use case goes through `functions.core.assets`, so ownership, validation and storage rules
are the ones `/api/v2` has.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from functions.core import assets
from functions.core.errors import Conflict
from functions.core.media import AssetType
from functions.core.models import AssetModel
from functions.core.schemas import (
    AssetPatch,
    Description,
    LinkCreate,
    LinkId,
    Name,
    ReferenceUrl,
    Timestamp,
    to_asset,
)
from functions.core.store import AssetStore

MAX_LIMIT = 500  # seed 000: "Maximum results (max 500)"
DEFAULT_LIMIT = 100
# Every skipped item is still read from the index, so the offset is bounded like /api/v2's.
MAX_SKIP = 10_000
# Integers beyond this lose precision in JavaScript clients; such ids come back as strings.
_MAX_SAFE_INTEGER = 2**53 - 1



def _integral_number(value: object) -> object:
    # JSON has one number type: `7.0` is the integer 7 as JSON Schema's "integer" says (and as
    # JavaScript clients may send it); a float with a fraction stays a float, and is refused.
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Seed 000 types the links as int; Trove's links are short tokens from other systems (as in
# /api/v2), so both an integer and such a string are accepted, and stored as text.
LinkRef = Annotated[
    Annotated[StrictInt, Field(ge=0, le=_MAX_SAFE_INTEGER)] | LinkId, BeforeValidator(_integral_number)
]


class LegacyAssetCreate(BaseModel):
    """POST /api/assets/ (seed 000, "Create Asset")."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None
    reference_url: ReferenceUrl
    project_id: LinkRef | None = None
    todo_id: LinkRef | None = None


class LegacyAssetUpdate(BaseModel):
    """PUT /api/assets/{id} (seed 000, "Update Asset"): the whole record. A field left out is
    null, as if sent as null (`todo_id: null` unlinks), but for `reference_url`, which no asset can
    be without: left out or null, it stays as it is (a link's URL; an uploaded file's file URL,
    which may also be sent back unchanged)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None
    reference_url: ReferenceUrl | None = None
    project_id: LinkRef | None = None
    todo_id: LinkRef | None = None


class LegacyAsset(BaseModel):
    """Seed 000's Database Model, field for field; `id` is Trove's UUID (a string, not an int)."""

    id: str
    name: str
    description: str | None
    reference_url: str
    project_id: int | str | None
    todo_id: int | str | None
    created_at: Timestamp
    updated_at: Timestamp


def view(item: AssetModel, base_url: str) -> LegacyAsset:
    # `url` as /api/v2 shows it: the reference URL of a link, the file URL of an upload.
    reference_url = to_asset(item, base_url).url
    return LegacyAsset(
        id=item.id,
        name=item.name,
        description=item.description,
        reference_url=reference_url,
        project_id=_link_out(item.project_id),
        todo_id=_link_out(item.todo_id),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def create(identity: assets.Identity, body: LegacyAssetCreate, *, store: AssetStore | None = None) -> AssetModel:
    link = LinkCreate(
        name=body.name,
        url=body.reference_url,
        description=body.description,
        project_id=_link_in(body.project_id),
        todo_id=_link_in(body.todo_id),
    )
    return assets.create_link(identity, link, store=store)


def list_page(
    identity: assets.Identity,
    project_id: str | None = None,
    todo_id: str | None = None,
    skip: int = 0,
    limit: int = DEFAULT_LIMIT,
    *,
    store: AssetStore | None = None,
) -> list[AssetModel]:
    """Newest first, like /api/v2; a Query on byOwnerProject, byOwnerTodo or byOwner."""
    filters = assets.AssetFilters(project_id=project_id, todo_id=todo_id)
    return assets.list_assets(identity, filters, limit=limit, offset=skip, store=store).items


def replace(
    identity: assets.Identity, raw_id: str, body: LegacyAssetUpdate, base_url: str, *, store: AssetStore | None = None
) -> AssetModel:
    """PUT as a PATCH of every field seed 000 knows; fields it does not know (client and campaign
    links, tags) are left as they are."""
    # The type decides what reference_url may be; it never changes, so reading it first is safe.
    current = assets.get_owned(identity, raw_id, "change", store=store)
    changes = {
        "name": body.name,
        "description": body.description,
        "project_id": _link_in(body.project_id),
        "todo_id": _link_in(body.todo_id),
    }
    # No asset is without a reference URL: null or absent leaves it as it is. An uploaded file's is
    # its file URL: another is a well-formed request this asset's state refuses (409, not 400).
    if body.reference_url is not None and current.asset_type == AssetType.LINK:
        changes["url"] = body.reference_url
    elif body.reference_url not in (None, to_asset(current, base_url).url):
        raise Conflict(
            "reference_url of an uploaded file is its file URL and cannot be changed; "
            "send it unchanged or leave it out"
        )
    return assets.patch_asset(identity, raw_id, AssetPatch(**changes), store=store)


def _link_in(value: int | str | None) -> str | None:
    return None if value is None else str(value)


def _link_out(value: str | None) -> int | str | None:
    """Seed 000's links are ints: an id stored as canonical digits goes back as an integer;
    anything else ("007", "PRJ-7") stays the string it was sent as."""
    canonical = value is not None and value.isascii() and value.isdigit() and str(int(value)) == value
    return int(value) if canonical and int(value) <= _MAX_SAFE_INTEGER else value
