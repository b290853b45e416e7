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


@pytest.fixture
def processor_s3(aws):
    from functions.core.settings import get_settings
    from functions.core.storage import s3_client

    s3_client.cache_clear()  # a client made inside this test's moto mock
    client = s3_client(get_settings())
    yield client
    s3_client.cache_clear()


@pytest.fixture
def throttle_s3_gets(processor_s3) -> Callable[..., None]:
    """Make the processor's S3 client throttle its next `times` GetObject calls (botocore's own hook)."""
    from botocore.exceptions import ClientError

    def throttle_next(times: int) -> None:
        failures = [times]

        def throttle(**_: object) -> None:
            if failures[0] > 0:
                failures[0] -= 1
                raise ClientError(
                    {"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}},
                    "GetObject",
                )

        processor_s3.meta.events.register("before-call.s3.GetObject", throttle)

    return throttle_next
