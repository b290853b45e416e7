"""The usage record in DynamoDB (pynamodb): which consumer uses which asset, how, and how we know.

One item per (owner, asset URI, consumer, origin) in the usages table:

- ``pk`` = ``{owner}#{assetUri}``, ``sk`` = ``{kind}:{path}#{origin}``: "who uses this asset" is one
  Query, and the owner in the key means no one else's usages can be reached;
- the ``byOwnerConsumerPath`` index (``owner``, ``consumerPath``): "what does this consumer use" is one
  Query on the exact path, and "what do a flow's steps use" one Query on the path prefix.

``origin`` keeps the two ways of learning about a usage apart, so neither overwrites the other:
``code`` items come from scans (source ``static``, or ``manual`` once a person set an unknown mode),
``run`` items from requests made on behalf of a consumer (source ``runtime``).

Which table, region and endpoint the model talks to is set by `bind(settings)` when a handler
starts (functions/lineage/store.py), never at import, as for the asset record.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from functions.core import topology
from functions.core.models import owner_scoped, topology_index
from functions.core.settings import Settings, get_settings
from functions.lineage.consumers import Consumer, ConsumerKind, Origin, Source
from functions.lineage.uris import Mode


class UsageModel(Model):
    class Meta:
        # Set by `bind`: None until a handler (or the first use, below) binds the model.
        table_name = None
        region = None
        host = None
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True, attr_name=topology.USAGES_TABLE.hash_key)
    sk = UnicodeAttribute(range_key=True, attr_name=topology.USAGES_TABLE.range_key)
    owner = UnicodeAttribute()
    asset_uri = UnicodeAttribute(attr_name="assetUri")
    asset_id = UnicodeAttribute(null=True, attr_name="assetId")
    consumer_kind = UnicodeAttribute(attr_name="consumerKind")
    consumer_path = UnicodeAttribute(attr_name=topology.BY_OWNER_CONSUMER_PATH.range_key)
    origin = UnicodeAttribute()
    mode = UnicodeAttribute()
    source = UnicodeAttribute()
    last_seen = UTCDateTimeAttribute(attr_name="lastSeen")

    by_owner_consumer_path = topology_index(topology.BY_OWNER_CONSUMER_PATH)

    @classmethod
    def new(
        cls,
        owner: str,
        uri: str,
        consumer: Consumer,
        origin: Origin,
        *,
        asset_id: str | None,
        mode: Mode,
        source: Source,
    ) -> UsageModel:
        return cls(
            owner_scoped(owner, uri),
            sort_key(consumer, origin),
            owner=owner,
            asset_uri=uri,
            asset_id=asset_id,
            consumer_kind=consumer.kind.value,
            consumer_path=consumer.path,
            origin=origin.value,
            mode=mode.value,
            source=source.value,
            last_seen=moment(),
        )

    @property
    def consumer(self) -> Consumer:
        return Consumer(ConsumerKind(self.consumer_kind), self.consumer_path)

    @property
    def usage_id(self) -> str:
        """The usage's id in the API: its key without the owner (which always comes from the token)."""
        return base64.urlsafe_b64encode(f"{self.sk}\n{self.asset_uri}".encode()).decode().rstrip("=")

    @classmethod
    def _get_connection(cls):
        # As AssetModel: code that uses the model without a store finds it bound on first use.
        if cls.Meta.table_name is None:
            bind(get_settings())
        return super()._get_connection()


def sort_key(consumer: Consumer, origin: Origin) -> str:
    return f"{consumer}#{origin}"


def moment() -> datetime:
    # Full precision, unlike asset timestamps: the job cap orders usages recorded within one millisecond.
    return datetime.now(UTC)


def bind(settings: Settings) -> None:
    """Point UsageModel at the settings' usages table, region and endpoint, with a new connection."""
    UsageModel.Meta.table_name = settings.usages_table_name
    UsageModel.Meta.region = settings.region
    UsageModel.Meta.host = settings.dynamodb_endpoint_url or None
    UsageModel._connection = None
