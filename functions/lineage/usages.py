"""Usage records: which consumer (a script, flow or job) uses which asset, how, and how we know.

One item per (owner, asset URI, consumer, origin) in the usages table:

- ``pk`` = ``{owner}#{assetUri}``, ``sk`` = ``{kind}:{path}#{origin}``: "who uses this asset" is one
  Query, and the owner in the key means no one else's usages can be reached;
- the ``byOwnerConsumerPath`` index (``owner``, ``consumerPath``): "what does this consumer use" is one
  Query on the exact path, and "what do a flow's steps use" one Query on the path prefix.

``origin`` keeps the two ways of learning about a usage apart, so neither overwrites the other:
``code`` items come from scans (source ``static``, or ``manual`` once a person set an unknown mode),
``run`` items from requests made on behalf of a consumer (source ``runtime``).

``assetUri`` is canonical: a URI that names one of the owner's own assets (``trove://asset/{id}``, an
``s3://`` URI of its object or thumbnail in Trove's bucket, a link asset's URL) is stored as that
asset's ``trove://`` URI with its id, so every spelling of one asset lands in one partition. Anything
else (another user's asset included) is stored as written with no asset id: an external or unknown
asset, still listed for its consumer and still drawn in flow graphs.

Nothing here sees HTTP: callers pass an Identity, validated models and Settings.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Final, Literal
from uuid import UUID

from pydantic import Field, StringConstraints
from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from functions.core import media, storage, topology
from functions.core.errors import Conflict, InvalidInput, NotFound
from functions.core.models import AssetModel, asset_index, owner_scoped
from functions.core.models import _index as index_from_topology
from functions.core.schemas import CamelModel, Timestamp
from functions.core.settings import Settings, get_settings
from functions.lineage.detect import BeyondScanLimits, CodeSyntaxError, UnsupportedLanguage, detect
from functions.lineage.uris import Mode, asset_uri, is_link_uri, parse_object_uri, parse_trove_uri

if TYPE_CHECKING:
    from functions.core.identity import Identity

_settings = get_settings()

# One scan writes one item per asset it finds; past this, the code is a data dump, not a script.
MAX_USAGES_PER_SCAN: Final = 500
# Jobs are many and short-lived: an asset keeps the usages of its latest few only.
MAX_JOB_USAGES_PER_ASSET: Final = 10
# Consumer paths are Windmill-style (`f/etl/daily`, `u/alice/clean`) or job ids: no `#`, `:` or spaces,
# which the keys use as separators.
CONSUMER_PATH_PATTERN: Final = r"^[A-Za-z0-9_.@-]+(?:/[A-Za-z0-9_.@-]+)*$"
MAX_CONSUMER_PATH: Final = 255
_CONSUMER_PATH = re.compile(CONSUMER_PATH_PATTERN)
_LISTED_CONSUMERS = 10  # in the 409 of a delete

ConsumerPath = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_CONSUMER_PATH, pattern=CONSUMER_PATH_PATTERN)
]


class ConsumerKind(StrEnum):
    SCRIPT = "script"
    FLOW = "flow"
    JOB = "job"


class Source(StrEnum):
    STATIC = "static"  # found in code by a scan
    RUNTIME = "runtime"  # recorded by a request made on the consumer's behalf
    MANUAL = "manual"  # a person set the mode the scan could not tell


class Origin(StrEnum):
    CODE = "code"
    RUN = "run"


@dataclass(frozen=True)
class Consumer:
    kind: ConsumerKind
    path: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.path}"

    @classmethod
    def parse(cls, text: str) -> Consumer:
        """`kind:path`, e.g. `job:1234` or `flow:f/etl/daily`."""
        kind, _, path = text.strip().partition(":")
        if kind not in set(ConsumerKind) or not _is_consumer_path(path):
            raise InvalidInput(
                "Invalid consumer: expected kind:path with kind script, flow or job "
                "and a path of letters, digits, '_', '.', '@', '-' and '/' (e.g. job:1234 or flow:f/etl/daily)"
            )
        return cls(ConsumerKind(kind), path)


def consumer_from(text: str | None) -> Consumer | None:
    """The consumer a request names, if it names one."""
    return Consumer.parse(text) if text else None


def _is_consumer_path(path: str) -> bool:
    return len(path) <= MAX_CONSUMER_PATH and _CONSUMER_PATH.match(path) is not None


class UsageModel(Model):
    class Meta:
        table_name = _settings.usages_table_name
        region = _settings.region
        host = _settings.dynamodb_endpoint_url or None
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True, attr_name=topology.USAGES_TABLE.hash_key)
    sk = UnicodeAttribute(range_key=True, attr_name=topology.USAGES_TABLE.range_key)
    owner = UnicodeAttribute()
    asset_uri = UnicodeAttribute(attr_name="assetUri")
    asset_id = UnicodeAttribute(null=True, attr_name="assetId")
    consumer_kind = UnicodeAttribute(attr_name="consumerKind")
    consumer_path = UnicodeAttribute(attr_name="consumerPath")
    origin = UnicodeAttribute()
    mode = UnicodeAttribute()
    source = UnicodeAttribute()
    last_seen = UTCDateTimeAttribute(attr_name="lastSeen")

    # The assets' index builder: index names and keys stay declared once, in topology.
    by_owner_consumer_path = index_from_topology(topology.USAGE_INDEXES[0])

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
            _sort_key(consumer, origin),
            owner=owner,
            asset_uri=uri,
            asset_id=asset_id,
            consumer_kind=consumer.kind.value,
            consumer_path=consumer.path,
            origin=origin.value,
            mode=mode.value,
            source=source.value,
            last_seen=_moment(),
        )

    @property
    def consumer(self) -> Consumer:
        return Consumer(ConsumerKind(self.consumer_kind), self.consumer_path)

    @property
    def usage_id(self) -> str:
        """The usage's id in the API: its key without the owner (which always comes from the token)."""
        return base64.urlsafe_b64encode(f"{self.sk}\n{self.asset_uri}".encode()).decode().rstrip("=")


def _sort_key(consumer: Consumer, origin: Origin) -> str:
    return f"{consumer}#{origin}"


def _moment() -> datetime:
    # Full precision, unlike asset timestamps: the job cap orders usages recorded within one millisecond.
    return datetime.now(UTC)


# ---- the API's shapes ----


class Usage(CamelModel):
    id: str = Field(description="Opaque; PATCH /api/v2/usages/{id} sets its mode")
    consumer_kind: ConsumerKind
    consumer_path: str
    asset_uri: str = Field(
        description="trove://asset/{id} when it names one of your assets, else the URI as found"
    )
    asset_id: str | None = Field(
        description="The asset the URI named when the usage was recorded, if it is yours"
    )
    mode: Mode
    source: Source
    last_seen: Timestamp


class ScanRequest(CamelModel):
    """POST /api/v2/scans: one consumer's code. Jobs are runs, not code: their usages come from run time."""

    path: ConsumerPath
    kind: Literal["script", "flow"]
    language: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    content: str = Field(
        description="The code, as UTF-8 at most "
        + ", ".join(
            f"{size // 1024} KB for {family}" for family, size in topology.MAX_SCAN_CODE_BYTES.items()
        )
    )


class ScanResult(CamelModel):
    consumer_kind: ConsumerKind
    consumer_path: str
    usages: list[Usage] = Field(description="The consumer's usages found in code, after this scan")


class ModeChange(CamelModel):
    mode: Literal["read", "write", "read-write"]


def to_usage(row: UsageModel) -> Usage:
    return Usage(
        id=row.usage_id,
        consumer_kind=ConsumerKind(row.consumer_kind),
        consumer_path=row.consumer_path,
        asset_uri=row.asset_uri,
        asset_id=row.asset_id,
        mode=Mode(row.mode),
        source=Source(row.source),
        last_seen=row.last_seen,
    )


# ---- resolving URIs to the owner's assets ----


@dataclass(frozen=True)
class Target:
    """What a usage is stored against: the canonical URI, and the owner's asset it names (if any)."""

    uri: str
    asset_id: str | None


def resolve(owner: str, uris: Iterable[str], settings: Settings) -> dict[str, Target]:
    """Each URI's target among the owner's own assets: one BatchGetItem for the ids the URIs name, and
    one Query of the owner's link assets when there are URLs (link URLs have no index of their own)."""
    uris = set(uris)
    named = {uri: asset_id for uri in uris if (asset_id := _named_asset_id(uri, settings.bucket_name))}
    owned = _owned_ids(owner, set(named.values()))
    links = _link_assets(owner) if any(is_link_uri(uri) for uri in uris) else {}
    targets = {}
    for uri in uris:
        asset_id = named[uri] if named.get(uri) in owned else links.get(uri)
        targets[uri] = Target(asset_uri(UUID(asset_id)), asset_id) if asset_id else Target(uri, None)
    return targets


def _named_asset_id(uri: str, bucket: str) -> str | None:
    """The id a trove:// URI names, or an s3:// URI of an asset's object or thumbnail in our bucket."""
    if (asset_id := parse_trove_uri(uri)) is not None:
        return str(asset_id)
    parts = parse_object_uri(uri)
    if parts is None or parts[0] != bucket:
        return None
    key = parts[1]
    stem = (
        key.removeprefix(topology.UPLOADS_PREFIX)
        .removeprefix(topology.THUMBNAILS_PREFIX)
        .removesuffix(".jpg")
    )
    try:
        candidate = str(UUID(stem))
    except ValueError:
        return None
    # Only the exact keys Trove writes: `uploads/{id}` and `thumbnails/{id}.jpg`.
    return candidate if key in (storage.upload_key(candidate), storage.thumbnail_key(candidate)) else None


def _owned_ids(owner: str, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    items = AssetModel.batch_get(sorted(ids), attributes_to_get=["id", "owner"])
    return {item.id for item in items if item.owner == owner}


def _link_assets(owner: str) -> dict[str, str]:
    """URL → id of the owner's link assets; the newest wins when two share a URL."""
    found: dict[str, str] = {}
    query = asset_index("byOwnerType").query(
        owner_scoped(owner, media.AssetType.LINK), scan_index_forward=False, attributes_to_get=["id", "url"]
    )
    for item in query:
        if item.url:
            found.setdefault(item.url, item.id)
    return found


def _asset_uris(item: AssetModel) -> list[str]:
    """Where usages of an asset are stored: its trove:// URI, and a link asset's URL too (usages found
    before the link asset existed are stored under the URL)."""
    uris = [asset_uri(UUID(item.id))]
    if item.asset_type == media.AssetType.LINK and item.url:
        uris.append(item.url)
    return uris


# ---- use cases ----


def scan(identity: Identity, request: ScanRequest, settings: Settings) -> tuple[Consumer, list[UsageModel]]:
    """Detect the assets a consumer's code uses and make them its `code` usages.

    The consumer's previous static usages are replaced: ones the code no longer mentions go, and a
    usage whose mode a person set (source manual) keeps that mode while the code still mentions it.
    """
    try:
        detected = detect(request.content, request.language)
    except (CodeSyntaxError, UnsupportedLanguage, BeyondScanLimits) as error:
        raise InvalidInput(str(error)) from None
    if len(detected) > MAX_USAGES_PER_SCAN:
        raise InvalidInput(f"Code uses more than {MAX_USAGES_PER_SCAN} assets")

    consumer = Consumer(ConsumerKind(request.kind), request.path)
    targets = resolve(identity.sub, (usage.uri for usage in detected), settings)
    modes: dict[Target, Mode] = {}
    for usage in detected:  # two spellings of one asset are one usage
        target = targets[usage.uri]
        modes[target] = modes[target].combine(usage.mode) if target in modes else usage.mode

    previous = {
        row.asset_uri: row
        for row in of_consumer(identity, consumer.path, consumer.kind)
        if row.origin == Origin.CODE
    }
    current = []
    with UsageModel.batch_write() as batch:
        for target, mode in modes.items():
            row = previous.pop(target.uri, None)
            if row is None or row.source != Source.MANUAL:
                row = UsageModel.new(
                    identity.sub,
                    target.uri,
                    consumer,
                    Origin.CODE,
                    asset_id=target.asset_id,
                    mode=mode,
                    source=Source.STATIC,
                )
            row.asset_id = target.asset_id
            row.last_seen = _moment()
            batch.save(row)
            current.append(row)
        for gone in previous.values():
            batch.delete(gone)
    return consumer, sorted(current, key=lambda row: row.asset_uri)


def record_run(identity: Identity, item: AssetModel, consumer: Consumer, mode: Mode) -> UsageModel:
    """A request on the consumer's behalf read or wrote the owner's asset. Jobs beyond the latest
    MAX_JOB_USAGES_PER_ASSET usages of this asset are pruned here, on write."""
    uri = asset_uri(UUID(item.id))
    try:
        row = UsageModel.get(owner_scoped(identity.sub, uri), _sort_key(consumer, Origin.RUN))
        row.mode = Mode(row.mode).combine(mode).value  # a job that reads and then writes: read-write
        row.last_seen = _moment()
    except UsageModel.DoesNotExist:
        row = UsageModel.new(
            identity.sub, uri, consumer, Origin.RUN, asset_id=item.id, mode=mode, source=Source.RUNTIME
        )
    row.save()
    if consumer.kind == ConsumerKind.JOB:
        _prune_jobs(row)
    return row


def _prune_jobs(latest: UsageModel) -> None:
    jobs = list(UsageModel.query(latest.pk, UsageModel.sk.startswith(f"{ConsumerKind.JOB}:")))
    # Newest first, and the usage just written first of all even if another has the same timestamp.
    jobs.sort(key=lambda row: (row.sk == latest.sk, row.last_seen), reverse=True)
    stale = jobs[MAX_JOB_USAGES_PER_ASSET:]
    if stale:
        with UsageModel.batch_write() as batch:
            for row in stale:
                batch.delete(row)


def of_asset(identity: Identity, item: AssetModel) -> list[UsageModel]:
    """Who uses an asset the caller owns (the caller checked ownership with assets.get_owned)."""
    rows = [row for uri in _asset_uris(item) for row in UsageModel.query(owner_scoped(identity.sub, uri))]
    return sorted(rows, key=lambda row: (row.consumer_kind, row.consumer_path, row.origin))


def of_consumer(identity: Identity, path: str, kind: ConsumerKind | None = None) -> list[UsageModel]:
    """What one consumer uses; all kinds with that path when no kind is given."""
    rows = UsageModel.by_owner_consumer_path.query(
        identity.sub,
        UsageModel.consumer_path == path,
        filter_condition=(UsageModel.consumer_kind == kind.value) if kind else None,
    )
    return sorted(rows, key=lambda row: (row.consumer_kind, row.asset_uri, row.origin))


def of_flow(identity: Identity, flow_path: str) -> list[UsageModel]:
    """The usages of a flow and of its steps (the consumers whose path is under the flow's)."""
    rows = UsageModel.by_owner_consumer_path.query(
        identity.sub, UsageModel.consumer_path.startswith(flow_path)
    )
    return [
        row
        for row in rows
        if row.consumer_path.startswith(f"{flow_path}/")
        or (row.consumer_path == flow_path and row.consumer_kind == ConsumerKind.FLOW)
    ]


def set_mode(identity: Identity, usage_id: str, change: ModeChange) -> UsageModel:
    """A person sets the mode a scan could not tell (or changes their own earlier choice).

    Detected and run-time modes are facts from code or requests, not opinions: 409 for those.
    """
    sort_key, uri = _decode_usage_id(usage_id)
    try:
        row = UsageModel.get(owner_scoped(identity.sub, uri), sort_key)
    except UsageModel.DoesNotExist:
        raise NotFound("Usage not found") from None
    if row.source == Source.RUNTIME:
        raise Conflict("This usage was recorded at run time; its mode is what the consumer did")
    if row.source == Source.STATIC and row.mode != Mode.UNKNOWN:
        raise Conflict(
            f"This usage's mode was detected in code as {row.mode}; only an unknown mode can be set"
        )
    seen_mode, seen_source = row.mode, row.source
    row.mode = change.mode
    row.source = Source.MANUAL.value
    try:
        # A scan may have replaced the usage meanwhile: set the mode on what we checked, or not at all.
        row.save(condition=(UsageModel.mode == seen_mode) & (UsageModel.source == seen_source))
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict("The usage changed meanwhile; read it again") from None
    return row


def _decode_usage_id(usage_id: str) -> tuple[str, str]:
    """The usage's key. Ids are opaque base64url (the document's USAGE_ID_PATTERN, checked by the
    route): one that does not decode to a usage key names no usage, a 404 like any other unknown id."""
    try:
        text = base64.urlsafe_b64decode(usage_id + "=" * (-len(usage_id) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    sort_key, _, uri = text.partition("\n")
    consumer, _, origin = sort_key.rpartition("#")
    try:
        Consumer.parse(consumer)
        Origin(origin)
    except (InvalidInput, ValueError):
        raise NotFound("Usage not found") from None
    if not uri or any(character.isspace() for character in uri):
        raise NotFound("Usage not found")
    return sort_key, uri


# ---- deleting an asset ----


def ensure_unused(identity: Identity, item: AssetModel) -> None:
    """409 while anything uses the asset, naming the consumers."""
    consumers = sorted({str(row.consumer) for row in of_asset(identity, item)})
    if not consumers:
        return
    listed = ", ".join(consumers[:_LISTED_CONSUMERS])
    more = f" and {len(consumers) - _LISTED_CONSUMERS} more" if len(consumers) > _LISTED_CONSUMERS else ""
    raise Conflict(f"Asset is used by {listed}{more}; delete with ?force=true to delete anyway")


def forget_asset(identity: Identity, item: AssetModel) -> None:
    """Remove every usage of a deleted asset."""
    with UsageModel.batch_write() as batch:
        for row in of_asset(identity, item):
            batch.delete(row)
