"""The processor handler on moto: pending records made through the API, bytes put in S3, SQS events
built from events/processor."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote_plus

import pytest

from tests.integration.conftest import LambdaContext, load_event


def sqs_event(key: str, receive_count: int = 1, template: str = "processor/uploaded_image.json") -> dict:
    """An SQS batch of one S3 notification for `key`, URL-encoded as S3 sends it."""
    event = load_event(template)
    record = event["Records"][0]
    notification = json.loads(record["body"])
    notification["Records"][0]["s3"]["object"]["key"] = quote_plus(key)
    record["body"] = json.dumps(notification)
    record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
    return event


@pytest.fixture
def deliver(aws) -> Callable[..., dict]:
    """Hand the processor handler one S3 notification for `key`, as Lambda's SQS poller would."""
    from functions.processor.handler import lambda_handler

    def send(key: str, receive_count: int = 1) -> dict:
        return lambda_handler(sqs_event(key, receive_count), LambdaContext())

    return send


@pytest.fixture
def uploaded(upload, s3, bucket, corpus) -> Callable[..., dict]:
    """A pending asset declared as `declared_type`/`declared_format` whose bytes are the corpus sample `name`."""

    def put(name: str, declared_type: str, declared_format: str, user: str = "user-a") -> dict:
        data = corpus[name].read_bytes()
        asset = upload(user=user, name=name, type=declared_type, format=declared_format, size=max(len(data), 1))
        s3.put_object(Bucket=bucket, Key=f"uploads/{asset['id']}", Body=data)
        return asset

    return put


@pytest.fixture
def record(api) -> Callable[[str], dict]:
    def read(asset_id: str, user: str = "user-a") -> dict:
        return api("GET", f"/api/v2/assets/{asset_id}", user=user, headers={"Accept": "application/json"}).json()

    return read
