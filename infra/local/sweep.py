"""The local stand-in for DynamoDB TTL: moto keeps expired items for ever, so this sweep does what
TTL does in AWS, and cleans the bytes such items leave behind.

    python -m infra.local.sweep                     # once, against the running `make dev` stack
    python -m infra.local.sweep --every 60          # every minute, until Ctrl-C
    python -m infra.local.sweep --as-of 2030-01-01T00:00:00Z   # as if it were then (to try it out)

What it removes:

- asset records still `pending` whose `expiresAt` (the topology's TTL attribute, set when an upload
  starts, removed when it settles) has passed: uploads whose bytes never arrived, or never settled;
  each with its `uploads/{id}` object and thumbnail, if any. The delete is conditioned on the record
  being still pending and expired, so an upload that settles meanwhile is kept.
- stray objects under `uploads/` and `thumbnails/` that no record names, older than a presigned POST
  lives (bytes posted for a record that is gone; a record is always written before its POST is
  signed, so a younger object may still be on its way to a record).

In AWS, DynamoDB TTL removes the records (`infra/constructs/storage.py` enables it on the same
attribute) and the processor deletes bytes whose record is gone when their event arrives; the
bucket's lifecycle rule aborts abandoned multipart uploads under `uploads/`.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from functions.core import topology

log = logging.getLogger("local.sweep")

PENDING = "pending"
TTL_ATTRIBUTE = topology.ASSETS_TABLE.ttl_attribute
# How often `make dev` sweeps: records expire after a day and strays after a presign's life, so
# a minute keeps the local stack as tidy as TTL keeps AWS.
SWEEP_EVERY_SECONDS = 60
STRAY_AFTER = timedelta(seconds=topology.PRESIGN_EXPIRY_SECONDS)


@dataclass
class SweepReport:
    expired_records: list[str] = field(default_factory=list)
    deleted_objects: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{len(self.expired_records)} expired pending record(s), {len(self.deleted_objects)} object(s) deleted"


def sweep(
    dynamodb: Any,
    s3: Any,
    table: str = topology.ASSETS_TABLE.name,
    bucket: str = topology.BUCKET.name,
    now: datetime | None = None,
    stray_after: timedelta = STRAY_AFTER,
) -> SweepReport:
    """One pass: expired pending records and their objects, then stray objects."""
    now = now or datetime.now(UTC)
    report = SweepReport()
    for asset_id in _expired_pending(dynamodb, table, now):
        # The record first, on the condition that it is still pending and expired, then its objects:
        # an upload that settles meanwhile keeps its bytes, and a failure in between leaves objects
        # no record names, which the stray pass below (now or next time) removes.
        try:
            dynamodb.delete_item(
                TableName=table,
                Key={topology.ASSETS_TABLE.hash_key: {"S": asset_id}},
                ConditionExpression="#status = :pending AND #ttl <= :now",
                ExpressionAttributeNames={"#status": "status", "#ttl": TTL_ATTRIBUTE},
                ExpressionAttributeValues={":pending": {"S": PENDING}, ":now": {"N": str(int(now.timestamp()))}},
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            log.info("asset %s settled while being swept: kept", asset_id)
            continue
        report.expired_records.append(asset_id)
        _delete(s3, bucket, _asset_keys(asset_id), report)
    _delete(s3, bucket, _strays(dynamodb, s3, table, bucket, now - stray_after), report)
    return report


def _expired_pending(dynamodb: Any, table: str, now: datetime) -> list[str]:
    """A Scan: fine on a laptop's table (in AWS, TTL does this without reading anything)."""
    found = []
    for page in dynamodb.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="#status = :pending AND #ttl <= :now",
        ExpressionAttributeNames={"#status": "status", "#ttl": TTL_ATTRIBUTE},
        ExpressionAttributeValues={":pending": {"S": PENDING}, ":now": {"N": str(int(now.timestamp()))}},
        ProjectionExpression="id",
    ):
        found += [item["id"]["S"] for item in page.get("Items", [])]
    return found


def _asset_keys(asset_id: str) -> list[str]:
    return [f"{topology.UPLOADS_PREFIX}{asset_id}", f"{topology.THUMBNAILS_PREFIX}{asset_id}.jpg"]


def _strays(dynamodb: Any, s3: Any, table: str, bucket: str, older_than: datetime) -> list[str]:
    """Objects under the two prefixes, older than `older_than`, whose asset record does not exist."""
    candidates: dict[str, list[str]] = {}
    for prefix in (topology.UPLOADS_PREFIX, topology.THUMBNAILS_PREFIX):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                if entry["LastModified"] > older_than:
                    continue
                asset_id = _asset_id(entry["Key"])
                # A key that names no asset id is not one Trove writes: nothing may keep it either.
                candidates.setdefault(asset_id or entry["Key"], []).append(entry["Key"])
    ids = [candidate for candidate in candidates if _is_uuid(candidate)]
    existing = set()
    for start in range(0, len(ids), 100):  # BatchGetItem takes 100 keys at most
        keys = [{topology.ASSETS_TABLE.hash_key: {"S": asset_id}} for asset_id in ids[start : start + 100]]
        request = {table: {"Keys": keys, "ProjectionExpression": "id"}}
        while request:
            answer = dynamodb.batch_get_item(RequestItems=request)
            existing |= {item["id"]["S"] for item in answer["Responses"].get(table, [])}
            request = answer.get("UnprocessedKeys") or {}
    return [key for candidate, keys in candidates.items() if candidate not in existing for key in keys]


def _asset_id(key: str) -> str | None:
    stem = key.removeprefix(topology.UPLOADS_PREFIX).removeprefix(topology.THUMBNAILS_PREFIX).removesuffix(".jpg")
    return str(UUID(stem)) if _is_uuid(stem) else None


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


def _delete(s3: Any, bucket: str, keys: list[str], report: SweepReport) -> None:
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True})
        failed = {error["Key"] for error in answer.get("Errors", [])}
        report.deleted_objects += [key for key in chunk if key not in failed]


def clients(moto_url: str) -> tuple[Any, Any]:
    import boto3

    credentials = {"aws_access_key_id": "local", "aws_secret_access_key": "local", "region_name": "us-east-1"}
    return (
        boto3.client("dynamodb", endpoint_url=moto_url, **credentials),
        boto3.client("s3", endpoint_url=moto_url, **credentials),
    )


class PeriodicSweep(threading.Thread):
    """`make dev`'s stand-in for TTL: a sweep every `every` seconds until stopped."""

    def __init__(self, moto_url: str, bucket: str, every: float = SWEEP_EVERY_SECONDS) -> None:
        super().__init__(name="sweep", daemon=True)
        self.dynamodb, self.s3 = clients(moto_url)
        self.bucket = bucket
        self.every = every
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self.every):
            try:
                report = sweep(self.dynamodb, self.s3, topology.ASSETS_TABLE.name, self.bucket)
            except Exception:  # a failed pass is logged and the next one tries again
                log.exception("sweep failed")
                continue
            if report.expired_records or report.deleted_objects:
                log.info("%s", report)

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def main(argv: list[str] | None = None) -> int:
    from infra.local.state import DEFAULT_STATE_FILE, load

    parser = argparse.ArgumentParser(prog="python -m infra.local.sweep", description=__doc__.split("\n\n")[0])
    parser.add_argument("--state-file", type=Path, default=DEFAULT_STATE_FILE, help="the running stack's state file")
    parser.add_argument("--every", type=float, default=0, help="sweep every so many seconds (0: once)")
    parser.add_argument("--as-of", help="sweep as if it were this moment (ISO 8601), e.g. to see what TTL would do")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s  %(message)s", datefmt="%H:%M:%S")
    try:
        state = load(args.state_file)
    except FileNotFoundError:
        print(f"no running stack: {args.state_file} does not exist (start it with make dev)", file=sys.stderr)
        return 1
    dynamodb, s3 = clients(state["moto"])
    as_of = datetime.fromisoformat(args.as_of) if args.as_of else None
    try:
        while True:
            report = sweep(dynamodb, s3, topology.ASSETS_TABLE.name, state["bucket"], now=as_of)
            log.info("%s", report)
            if not args.every:
                return 0
            time.sleep(args.every)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
