"""Usage use cases: scans of code, run-time usages, an asset's and a consumer's usages, manual modes,
and what deleting an asset means for its usages.

The record and its keys are in functions/lineage/models.py, the API's shapes in schemas.py, how a
URI becomes the asset it names in targets.py. Nothing here sees HTTP: callers pass an Identity,
validated models, Settings and the stores (defaults: the ones the handler configured). Lineage calls
core; core never calls lineage (the API routes put the two together).
"""

from __future__ import annotations

import base64
import binascii
from typing import Final
from uuid import UUID

from functions.core.errors import Conflict, InvalidInput, NotFound
from functions.core.identity import Identity
from functions.core.models import AssetModel
from functions.core.observability import traced
from functions.core.settings import Settings
from functions.core.store import AssetStore, StaleVersion
from functions.core.store import default_store as default_asset_store
from functions.lineage import targets
from functions.lineage.consumers import Consumer, ConsumerKind, Origin, Source
from functions.lineage.detect import BeyondScanLimits, CodeSyntaxError, UnsupportedLanguage, detect
from functions.lineage.models import UsageModel, moment, sort_key
from functions.lineage.schemas import ModeChange, ScanRequest
from functions.lineage.store import UsageStore, default_store
from functions.lineage.uris import Mode, asset_uri

# One scan writes one item per asset it finds; past this, the code is a data dump, not a script.
MAX_USAGES_PER_SCAN: Final = 500
# Jobs are many and short-lived: an asset keeps the usages of its latest few only.
MAX_JOB_USAGES_PER_ASSET: Final = 10
_LISTED_CONSUMERS = 10  # in the 409 of a delete


@traced
def scan(
    identity: Identity,
    request: ScanRequest,
    settings: Settings,
    *,
    store: UsageStore | None = None,
    asset_store: AssetStore | None = None,
) -> tuple[Consumer, list[UsageModel]]:
    """Detect the assets a consumer's code uses and make them its `code` usages.

    The consumer's previous static usages are replaced: ones the code no longer mentions go, and a
    usage whose mode a person set (source manual) keeps that mode while the code still mentions it.
    """
    store = store or default_store()
    try:
        detected = detect(request.content, request.language)
    except (CodeSyntaxError, UnsupportedLanguage, BeyondScanLimits) as error:
        raise InvalidInput(str(error)) from None
    if len(detected) > MAX_USAGES_PER_SCAN:
        raise InvalidInput(f"Code uses more than {MAX_USAGES_PER_SCAN} assets")

    consumer = Consumer(ConsumerKind(request.kind), request.path)
    uris = (usage.uri for usage in detected)
    found = targets.resolve(identity.sub, uris, settings, asset_store or default_asset_store())
    modes: dict[targets.Target, Mode] = {}
    for usage in detected:  # two spellings of one asset are one usage
        target = found[usage.uri]
        modes[target] = modes[target].combine(usage.mode) if target in modes else usage.mode

    previous = {
        row.asset_uri: row
        for row in of_consumer(identity, consumer.path, consumer.kind, store=store)
        if row.origin == Origin.CODE
    }
    current = []
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
        row.last_seen = moment()
        current.append(row)
    store.write_batch(puts=current, deletes=previous.values())
    return consumer, sorted(current, key=lambda row: row.asset_uri)


@traced
def record_run(
    identity: Identity, asset_id: str, consumer: Consumer, mode: Mode, *, store: UsageStore | None = None
) -> UsageModel:
    """A request on the consumer's behalf read or wrote the owner's asset `asset_id`. Jobs beyond the
    latest MAX_JOB_USAGES_PER_ASSET usages of this asset are pruned here, on write."""
    store = store or default_store()
    uri = asset_uri(UUID(asset_id))
    row = store.get(identity.sub, uri, sort_key(consumer, Origin.RUN))
    if row is None:
        row = UsageModel.new(
            identity.sub, uri, consumer, Origin.RUN, asset_id=asset_id, mode=mode, source=Source.RUNTIME
        )
    else:
        row.mode = Mode(row.mode).combine(mode).value  # a job that reads and then writes: read-write
        row.last_seen = moment()
    store.put(row)
    if consumer.kind == ConsumerKind.JOB:
        _prune_jobs(identity, row, store)
    return row


def _prune_jobs(identity: Identity, latest: UsageModel, store: UsageStore) -> None:
    jobs = list(store.of_asset_uri(identity.sub, latest.asset_uri, sort_key_prefix=f"{ConsumerKind.JOB}:"))
    # Newest first, and the usage just written first of all even if another has the same timestamp.
    jobs.sort(key=lambda row: (row.sk == latest.sk, row.last_seen), reverse=True)
    stale = jobs[MAX_JOB_USAGES_PER_ASSET:]
    if stale:
        store.write_batch(deletes=stale)


@traced
def of_asset(identity: Identity, item: AssetModel, *, store: UsageStore | None = None) -> list[UsageModel]:
    """Who uses an asset the caller owns (the caller checked ownership with assets.get_owned)."""
    store = store or default_store()
    rows = [row for uri in targets.asset_uris(item) for row in store.of_asset_uri(identity.sub, uri)]
    return sorted(rows, key=lambda row: (row.consumer_kind, row.consumer_path, row.origin))


@traced
def of_consumer(
    identity: Identity, path: str, kind: ConsumerKind | None = None, *, store: UsageStore | None = None
) -> list[UsageModel]:
    """What one consumer uses; all kinds with that path when no kind is given."""
    rows = (store or default_store()).of_consumer_path(identity.sub, path, kind.value if kind else None)
    return sorted(rows, key=lambda row: (row.consumer_kind, row.asset_uri, row.origin))


@traced
def of_flow(identity: Identity, flow_path: str, *, store: UsageStore | None = None) -> list[UsageModel]:
    """The usages of a flow and of its steps (the consumers whose path is under the flow's)."""
    return [
        row
        for row in (store or default_store()).under_consumer_path(identity.sub, flow_path)
        if row.consumer_path.startswith(f"{flow_path}/")
        or (row.consumer_path == flow_path and row.consumer_kind == ConsumerKind.FLOW)
    ]


@traced
def set_mode(
    identity: Identity, usage_id: str, change: ModeChange, *, store: UsageStore | None = None
) -> UsageModel:
    """A person sets the mode a scan could not tell (or changes their own earlier choice).

    Detected and run-time modes are facts from code or requests, not opinions: 409 for those.
    """
    store = store or default_store()
    key, uri = _decode_usage_id(usage_id)
    row = store.get(identity.sub, uri, key)
    if row is None:
        raise NotFound("Usage not found")
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
        store.put_if_unchanged(row, seen_mode, seen_source)
    except StaleVersion:
        raise Conflict("The usage changed meanwhile; read it again") from None
    return row


def _decode_usage_id(usage_id: str) -> tuple[str, str]:
    """The usage's key. Ids are opaque base64url (the document's USAGE_ID_PATTERN, checked by the
    route): one that does not decode to a usage key names no usage, a 404 like any other unknown id."""
    try:
        text = base64.urlsafe_b64decode(usage_id + "=" * (-len(usage_id) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    key, _, uri = text.partition("\n")
    consumer, _, origin = key.rpartition("#")
    try:
        Consumer.parse(consumer)
        Origin(origin)
    except (InvalidInput, ValueError):
        raise NotFound("Usage not found") from None
    if not uri or any(character.isspace() for character in uri):
        raise NotFound("Usage not found")
    return key, uri


# ---- deleting an asset ----


def ensure_unused(identity: Identity, item: AssetModel, *, store: UsageStore | None = None) -> None:
    """409 while anything uses the asset, naming the consumers."""
    consumers = sorted({str(row.consumer) for row in of_asset(identity, item, store=store)})
    if not consumers:
        return
    listed = ", ".join(consumers[:_LISTED_CONSUMERS])
    more = f" and {len(consumers) - _LISTED_CONSUMERS} more" if len(consumers) > _LISTED_CONSUMERS else ""
    raise Conflict(f"Asset is used by {listed}{more}; delete with ?force=true to delete anyway")


@traced
def forget_asset(identity: Identity, item: AssetModel, *, store: UsageStore | None = None) -> None:
    """Remove every usage of a deleted asset."""
    store = store or default_store()
    store.write_batch(deletes=of_asset(identity, item, store=store))
