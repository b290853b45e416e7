"""Load through the local stack: uploads from 16 clients at once, each the whole way (the API, the
presigned POST to moto, S3's event, the queue, the processor), each client waiting for its upload
to settle before the next → 0 lost, nothing left pending, no orphan object, the DLQ empty.

`make test` runs 100 uploads; the figures in docs/reliability.md are from 1,000:

    LOAD_UPLOADS=1000 .venv/bin/pytest tests/reliability/test_load.py -m e2e -s
"""

from __future__ import annotations

import json
import os

import boto3
import pytest

from infra.local.harness import MIXED_WORKLOAD, run_load
from tests.media.samples import corpus_sample
from tests.reliability.ledger import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

UPLOADS = int(os.environ.get("LOAD_UPLOADS", "100"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "16"))


def test_uploads_from_16_clients_lose_nothing(ledger, stack, stack_s3):
    # given
    samples = [corpus_sample(name) for name in MIXED_WORKLOAD]

    # when
    result = run_load(stack.url, samples, uploads=UPLOADS, clients=CLIENTS, settle_timeout=120)

    # then
    figures = result.summary()
    moto = stack.state["moto"]
    credentials = {"region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}
    items = boto3.client("dynamodb", endpoint_url=moto, **credentials).get_paginator("scan").paginate(
        TableName="trove-assets", ProjectionExpression="id, #s, thumbnailKey", ExpressionAttributeNames={"#s": "status"}
    )
    records = {item["id"]["S"]: item for page in items for item in page["Items"]}
    loaded = {upload.asset_id for upload in result.settled}
    pages = stack_s3.get_paginator("list_objects_v2").paginate(Bucket=stack.state["bucket"])
    keys = [entry["Key"] for page in pages for entry in page.get("Contents", [])]
    orphans = [key for key in keys if not any(asset_id in key for asset_id in records)]
    sqs = boto3.client("sqs", endpoint_url=moto, **credentials)
    dlq = int(sqs.get_queue_attributes(QueueUrl=stack.state["dlq"], AttributeNames=["ApproximateNumberOfMessages"])
              ["Attributes"]["ApproximateNumberOfMessages"])
    pending = [asset_id for asset_id in loaded if records.get(asset_id, {}).get("status", {}).get("S") == "pending"]
    missing_objects = [asset_id for asset_id in loaded if f"files/{asset_id}" not in keys]
    problems = []
    if figures["lost"] or len(loaded) != UPLOADS:
        problems.append(f"lost {figures['lost']}, recorded {len(loaded)} of {UPLOADS}")
    if figures["ready"] != UPLOADS:
        problems.append(f"only {figures['ready']} ready: {figures}")
    if pending or missing_objects or orphans or dlq:
        problems.append(f"pending {len(pending)}, without bytes {len(missing_objects)}, orphans {len(orphans)}, "
                        f"DLQ {dlq}")
    figures |= {"clients": CLIENTS, "orphans": len(orphans), "dlq": dlq, "pending_after": len(pending)}
    print(f"\nload: {json.dumps(figures)}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"load-{UPLOADS}.json").write_text(json.dumps(figures, indent=2) + "\n")
    ledger("load").record(f"{UPLOADS} uploads, {CLIENTS} clients", passed=not problems, lost=figures["lost"],
                          pending=len(pending), orphans=len(orphans), problems="; ".join(problems),
                          **{key: value for key, value in figures.items() if key not in ("lost", "orphans")})
    assert not problems, problems
