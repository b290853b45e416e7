"""The asset record in DynamoDB (pynamodb).

One item per asset. Every list filter is a Query on a sparse index whose hash key joins the
owner with the filter value, so a user's query can never reach another user's items.

Which table, region and endpoint the model talks to is set by `bind(settings)` when a handler
starts (functions/core/store.py), never at import: importing this module reads no settings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from functions.core import topology
from functions.core.settings import Settings, get_settings


class AssetStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    REJECTED = "rejected"
    FAILED = "failed"


def topology_index(spec: topology.Index) -> GlobalSecondaryIndex:
    """A pynamodb index built from the shared topology, so index names and keys are declared once
    (the usage model's index is built by it too)."""
    meta = type("Meta", (), {"index_name": spec.name, "projection": AllProjection()})
    attributes = {
        "Meta": meta,
        "hash_value": UnicodeAttribute(hash_key=True, attr_name=spec.hash_key),
        "range_value": UnicodeAttribute(range_key=True, attr_name=spec.range_key),
    }
    return type(f"{spec.name}Index", (GlobalSecondaryIndex,), attributes)()


_INDEXES = {spec.name: topology_index(spec) for spec in topology.ASSET_INDEXES}


def owner_scoped(owner: str, value: str) -> str:
    """The hash key of an owner-scoped index: the owner first, so no value can cross tenants."""
    return f"{owner}#{value}"


def now() -> datetime:
    """The current time at millisecond precision, as stored and shown."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class AssetModel(Model):
    class Meta:
        # Set by `bind`: None until a handler (or the first use, below) binds the model.
        table_name = None
        region = None
        host = None
        billing_mode = "PAY_PER_REQUEST"

    id = UnicodeAttribute(hash_key=True)
    owner = UnicodeAttribute()
    user_id = NumberAttribute(null=True, attr_name="userId")
    asset_type = UnicodeAttribute(attr_name="type")
    status = UnicodeAttribute(default=AssetStatus.PENDING.value)
    status_reason = UnicodeAttribute(null=True, attr_name="statusReason")
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, null=True)
    format = UnicodeAttribute(null=True)
    content_type = UnicodeAttribute(null=True, attr_name="contentType")
    size = NumberAttribute(null=True)
    client_id = UnicodeAttribute(null=True, attr_name="clientId")
    campaign_id = UnicodeAttribute(null=True, attr_name="campaignId")
    project_id = UnicodeAttribute(null=True, attr_name="projectId")
    todo_id = UnicodeAttribute(null=True, attr_name="todoId")
    url = UnicodeAttribute(null=True)  # link assets: the reference URL
    object_key = UnicodeAttribute(null=True, attr_name="objectKey")
    thumbnail_key = UnicodeAttribute(null=True, attr_name="thumbnailKey")
    # Renditions made so far (functions/renditions/): spec name → {key, width, height, format, bytes}.
    renditions = MapAttribute(null=True, attr_name="renditions")
    # The ETag of the object the processor checked: other bytes posted later to the same key differ.
    etag = UnicodeAttribute(null=True, attr_name="objectEtag")
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    duration = NumberAttribute(null=True)
    page_count = NumberAttribute(null=True, attr_name="pageCount")
    # Lowercase hex SHA-256 of the bytes: the client's declared one while pending, the processor's once ready.
    sha256 = UnicodeAttribute(null=True, attr_name="sha256")
    placeholder = UnicodeAttribute(null=True, attr_name="placeholder")  # ThumbHash of the thumbnail, base64
    # What each processing attempt did, step by step (functions/core/processing.py): the last few.
    processing = ListAttribute(null=True, attr_name="processing")
    uploaded_at = UTCDateTimeAttribute(attr_name="uploadedAt")
    created_at = UTCDateTimeAttribute(attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(attr_name="updatedAt")
    version = VersionAttribute()
    expires_at = TTLAttribute(null=True, attr_name=topology.ASSETS_TABLE.ttl_attribute)

    # Index keys, derived from the fields above by `refresh_index_keys` before every write.
    list_key = UnicodeAttribute(attr_name=topology.SORT_KEY)
    owner_client = UnicodeAttribute(null=True, attr_name=topology.BY_OWNER_CLIENT.hash_key)
    owner_campaign = UnicodeAttribute(null=True, attr_name=topology.BY_OWNER_CAMPAIGN.hash_key)
    owner_project = UnicodeAttribute(null=True, attr_name=topology.BY_OWNER_PROJECT.hash_key)
    owner_todo = UnicodeAttribute(null=True, attr_name=topology.BY_OWNER_TODO.hash_key)
    owner_type = UnicodeAttribute(null=True, attr_name=topology.BY_OWNER_TYPE.hash_key)
    owner_sha256 = UnicodeAttribute(null=True, attr_name=topology.BY_OWNER_SHA256.hash_key)

    by_owner = _INDEXES[topology.BY_OWNER.name]
    by_owner_client = _INDEXES[topology.BY_OWNER_CLIENT.name]
    by_owner_campaign = _INDEXES[topology.BY_OWNER_CAMPAIGN.name]
    by_owner_project = _INDEXES[topology.BY_OWNER_PROJECT.name]
    by_owner_todo = _INDEXES[topology.BY_OWNER_TODO.name]
    by_owner_type = _INDEXES[topology.BY_OWNER_TYPE.name]
    by_owner_sha256 = _INDEXES[topology.BY_OWNER_SHA256.name]

    def refresh_index_keys(self) -> None:
        # Newest first: ISO timestamps sort as text; the id breaks ties and makes the key unique.
        self.list_key = f"{self.created_at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{self.id}"
        self.owner_client = owner_scoped(self.owner, self.client_id) if self.client_id else None
        self.owner_campaign = owner_scoped(self.owner, self.campaign_id) if self.campaign_id else None
        self.owner_project = owner_scoped(self.owner, self.project_id) if self.project_id else None
        self.owner_todo = owner_scoped(self.owner, self.todo_id) if self.todo_id else None
        self.owner_type = owner_scoped(self.owner, self.asset_type)
        # Only confirmed hashes of served bytes are found by hash: not a pending upload's declared one.
        ready_hash = self.sha256 if self.status == AssetStatus.READY else None
        self.owner_sha256 = owner_scoped(self.owner, ready_hash) if ready_hash else None

    def save(self, *args, **kwargs):
        self.refresh_index_keys()
        return super().save(*args, **kwargs)

    @classmethod
    def _get_connection(cls):
        # Every pynamodb operation starts here. Code that uses the model without a store (the local
        # stack's tools, benches) finds it bound to the process's settings on first use.
        if cls.Meta.table_name is None:
            bind(get_settings())
        return super()._get_connection()


def bind(settings: Settings) -> None:
    """Point AssetModel at the settings' table, region and endpoint, with a new connection (pynamodb
    keeps one per model, made on first use, and would not notice a new endpoint by itself)."""
    AssetModel.Meta.table_name = settings.table_name
    AssetModel.Meta.region = settings.region
    AssetModel.Meta.host = settings.dynamodb_endpoint_url or None
    AssetModel._connection = None


def asset_index(name: str) -> GlobalSecondaryIndex:
    """The index bound to AssetModel (pynamodb binds a copy of each index to its model class)."""
    return AssetModel._indexes[name]
