"""The API's shapes (pydantic): constrained types defined once, request bodies, and the asset
as seed 002's discriminated union (camelCase), plus Trove's `link` type."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from functions.core.media import AssetType, parse_media_type
from functions.core.urls import MAX_URL_LENGTH, ascii_url


def _no_control_characters(value: str) -> str:
    # NUL, newlines and bidi overrides (RTL tricks in file names) have no place in a name or tag.
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in value):
        raise ValueError("must not contain control or formatting characters")
    return value


def check_uuid4(value: str) -> str:
    try:
        parsed = UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise ValueError("must be a UUID") from None
    if parsed.version != 4 or str(parsed) != value.lower():
        raise ValueError("must be a UUID")
    return str(parsed)


def _media_type(value: str) -> str:
    # Parameters (a charset, say) tell nothing the bytes don't, and are dropped: what remains is a
    # bare type/subtype, never the raw text, which reaches an S3 POST policy and a stored record.
    return parse_media_type(value)[0]


AssetId = Annotated[str, AfterValidator(check_uuid4)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    AfterValidator(_no_control_characters),
]
Description = Annotated[str, StringConstraints(max_length=2000)]
Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(_no_control_characters),
]
Tags = Annotated[list[Tag], Field(max_length=50)]
# Client, campaign, project and task ids come from other systems: any short, plain token.
LINK_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]*$"
LinkId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=LINK_ID_PATTERN)]
Format = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=16)]
ReferenceUrl = Annotated[str, StringConstraints(max_length=MAX_URL_LENGTH), AfterValidator(ascii_url)]
MediaType = Annotated[str, StringConstraints(max_length=128), AfterValidator(_media_type)]
SHA256_PATTERN = r"^[0-9a-f]{64}$"
Sha256 = Annotated[str, StringConstraints(pattern=SHA256_PATTERN), Field(description="lowercase hex SHA-256")]


def _json_integer(value: object) -> object:
    """A JSON Schema integer: a number with no fraction (2.0 is one), never a boolean or a string."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


# What the document's `"type": "integer"` allows, no more: pydantic's own int would take `true` and "1".
JsonInteger = Annotated[int, BeforeValidator(_json_integer)]

# ISO 8601 in UTC, to the second; documented as the date-time it is (the serializer alone says "string").
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ"), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
FileAssetType = Literal["image", "video", "audio", "document"]
Status = Literal["pending", "ready", "rejected", "failed"]


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Links(CamelModel):
    client_id: LinkId | None = None
    campaign_id: LinkId | None = None
    project_id: LinkId | None = None
    todo_id: LinkId | None = None


class UploadRequest(Links):
    """POST /api/v2/uploads: what the browser is about to send straight to S3."""

    name: Name
    type: FileAssetType
    format: Format
    size: int = Field(ge=0, description="bytes")
    content_type: MediaType | None = None
    description: Description | None = None
    tags: Tags | None = None
    sha256: Sha256 | None = Field(
        default=None, description="The file's SHA-256, if the client computed it: S3 then refuses other bytes"
    )


class LinkCreate(Links):
    """POST /api/v2/assets: a link asset, a reference URL with no file."""

    name: Name
    url: ReferenceUrl
    description: Description | None = None
    tags: Tags | None = None


class AssetPatch(Links):
    """PATCH /api/v2/assets/{id}: only the fields sent change; null unlinks or clears. A name and a
    link's URL can change but not be cleared: they take no null (absent leaves them as they are)."""

    name: Name = None  # type: ignore[assignment] - absent, never null
    description: Description | None = None
    tags: Tags | None = None
    url: ReferenceUrl = None  # type: ignore[assignment] - absent, never null


# ---- responses: seed 002's TypeScript types, field for field ----


class BaseAsset(CamelModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    id: str
    user_id: int | None
    client_id: str | None
    campaign_id: str | None
    name: str
    url: str
    size: int | None
    uploaded_at: Timestamp
    tags: list[str] | None
    format: str
    # Trove's additions (docs/decisions.md): processing state, and the links and text seed 000 has.
    status: Status
    status_reason: str | None
    description: str | None
    project_id: str | None
    todo_id: str | None
    # Content identity (docs/api.md): the stored file's SHA-256 once ready, and the thumbnail's ThumbHash.
    sha256: str | None
    placeholder: str | None


class ImageAsset(BaseAsset):
    type: Literal["image"] = "image"
    width: int | None
    height: int | None


class VideoAsset(BaseAsset):
    type: Literal["video"] = "video"
    width: int | None
    height: int | None
    duration: float | None
    thumbnail_url: str | None


class AudioAsset(BaseAsset):
    type: Literal["audio"] = "audio"
    duration: float | None
    waveform_url: str | None = None


class DocumentAsset(BaseAsset):
    type: Literal["document"] = "document"
    page_count: int | None
    thumbnail_url: str | None


class LinkAsset(BaseAsset):
    type: Literal["link"] = "link"


Asset = Annotated[
    ImageAsset | VideoAsset | AudioAsset | DocumentAsset | LinkAsset, Field(discriminator="type")
]

ASSET_SCHEMAS: dict[AssetType, type[BaseAsset]] = {
    AssetType.IMAGE: ImageAsset,
    AssetType.VIDEO: VideoAsset,
    AssetType.AUDIO: AudioAsset,
    AssetType.DOCUMENT: DocumentAsset,
    AssetType.LINK: LinkAsset,
}


class PresignedUpload(CamelModel):
    url: str
    fields: dict[str, str]
    expires_at: Timestamp


class UploadResponse(CamelModel):
    asset: Asset
    upload: PresignedUpload


class DeleteResponse(BaseModel):
    success: bool
    message: str


def to_asset(item, base_url: str) -> BaseAsset:
    """The record as the API shows it: seed 002's fields for its type, URLs on the API's own base."""
    file_url = f"{base_url}/api/v2/assets/{item.id}"
    thumbnail_url = f"{file_url}/thumbnail" if item.thumbnail_key else None
    fields = {
        "id": item.id,
        "user_id": int(item.user_id) if item.user_id is not None else None,
        "client_id": item.client_id,
        "campaign_id": item.campaign_id,
        "name": item.name,
        "url": item.url if item.asset_type == AssetType.LINK else file_url,
        "size": int(item.size) if item.size is not None else None,
        "uploaded_at": item.uploaded_at,
        "tags": item.tags,
        "format": item.format or "",
        "status": item.status,
        "status_reason": item.status_reason,
        "description": item.description,
        "project_id": item.project_id,
        "todo_id": item.todo_id,
        "width": _int_or_none(item.width),
        "height": _int_or_none(item.height),
        "duration": float(item.duration) if item.duration is not None else None,
        "page_count": _int_or_none(item.page_count),
        "thumbnail_url": thumbnail_url,
        "sha256": item.sha256 if item.status == "ready" else None,
        "placeholder": item.placeholder,
    }
    schema = ASSET_SCHEMAS[AssetType(item.asset_type)]
    return schema(**{name: value for name, value in fields.items() if name in schema.model_fields})


def _int_or_none(value: float | None) -> int | None:
    return int(value) if value is not None else None
