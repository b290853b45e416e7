"""The local stack's sweep (the AWS sweep's pass, every minute): moto keeps expired items, so `make dev`
removes them itself."""

from __future__ import annotations

import time
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from functions.core import topology
from infra.local.sweep import PeriodicSweep

EXPIRED_ID = "5d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6"
LIVE_ID = "6e1f2a3b-4c5d-4e6f-9071-8293a4b5c6d7"
ARRIVED_ID = "7f2a3b4c-5d6e-4f70-8182-93a4b5c6d7e8"


@pytest.fixture
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    yield "http://{}:{}".format(*server.get_host_and_port())
    server.stop()


def test_the_periodic_sweep_removes_an_expired_pending_upload_whose_bytes_never_came(moto_url):
    # given: a table and bucket as the stack makes them; an expired pending upload without bytes, a
    # live one, and an expired one whose bytes just came (left for the processor to settle)
    credentials = {"aws_access_key_id": "local", "aws_secret_access_key": "local", "region_name": "us-east-1"}
    dynamodb = boto3.client("dynamodb", endpoint_url=moto_url, **credentials)
    s3 = boto3.client("s3", endpoint_url=moto_url, **credentials)
    table, key = topology.ASSETS_TABLE.name, topology.ASSETS_TABLE.hash_key
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    s3.create_bucket(Bucket=topology.BUCKET.name)
    now = int(time.time())
    for asset_id, expires_at in ((EXPIRED_ID, now - 60), (LIVE_ID, now + 3600), (ARRIVED_ID, now - 60)):
        dynamodb.put_item(
            TableName=table,
            Item={key: {"S": asset_id}, "status": {"S": "pending"}, topology.ASSETS_TABLE.ttl_attribute: {"N": str(expires_at)}},
        )
    s3.put_object(Bucket=topology.BUCKET.name, Key=f"{topology.UPLOADS_PREFIX}{ARRIVED_ID}", Body=b"bytes")
    sweeper = PeriodicSweep(moto_url, topology.BUCKET.name, every=0.05)

    # when
    sweeper.start()
    try:
        deadline = time.monotonic() + 20
        while "Item" in dynamodb.get_item(TableName=table, Key={key: {"S": EXPIRED_ID}}) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sweeper.stop()

    # then
    assert "Item" not in dynamodb.get_item(TableName=table, Key={key: {"S": EXPIRED_ID}})
    assert "Item" in dynamodb.get_item(TableName=table, Key={key: {"S": LIVE_ID}})
    assert "Item" in dynamodb.get_item(TableName=table, Key={key: {"S": ARRIVED_ID}})
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=topology.BUCKET.name)["Contents"]]
    assert keys == [f"{topology.UPLOADS_PREFIX}{ARRIVED_ID}"]
    assert not sweeper.is_alive()
