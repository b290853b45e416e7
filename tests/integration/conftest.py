"""Moto-backed AWS for integration tests: the table, the bucket, and an API caller built from events/."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from moto import mock_aws

EVENTS = Path(__file__).resolve().parents[2] / "events"


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        from functions.core import store
        from functions.core.models import AssetModel
        from functions.core.settings import get_settings
        from functions.lineage import store as lineage_store
        from functions.lineage.models import UsageModel

        # As a handler does at cold start: fresh connections inside this mock.
        store.configure(get_settings())
        lineage_store.configure(get_settings())
        for model in (AssetModel, UsageModel):  # deleting an asset reads its usages
            model.create_table(wait=True)
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=get_settings().bucket_name)
        yield


@pytest.fixture
def s3(aws: None):
    return boto3.client("s3", region_name="us-east-1")


@pytest.fixture
def bucket() -> str:
    from functions.core.settings import get_settings

    return get_settings().bucket_name


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


class LambdaContext:
    function_name = "trove-api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:trove-api"
    aws_request_id = "test-request"
    remaining_seconds = 30.0  # a Lambda's default timeout

    def get_remaining_time_in_millis(self) -> int:
        return int(self.remaining_seconds * 1000)


def load_event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def http_event(
    method: str,
    path: str,
    *,
    user: str | None = "user-a",
    body: Any = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict:
    """An HTTP API v2 event built on events/api/list_assets.json, as API Gateway sends it."""
    event = copy.deepcopy(load_event("api/list_assets.json"))
    event["rawPath"] = path
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["path"] = path
    event["rawQueryString"] = urlencode(query or {})
    event.pop("queryStringParameters", None)
    if query:
        event["queryStringParameters"] = dict(query)
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    if headers:
        event["headers"].update({key.lower(): value for key, value in headers.items()})
    if user is None:
        del event["requestContext"]["authorizer"]
    else:
        event["requestContext"]["authorizer"]["jwt"]["claims"] = {"sub": user}
    return event


Api = Callable[..., ApiResponse]


@pytest.fixture
def api(aws: None) -> Api:
    """Call the API handler the way API Gateway would: `api("GET", "/api/v2/assets", user="user-b")`."""
    from functions.api.handler import lambda_handler

    def call(method: str, path: str, **kwargs: Any) -> ApiResponse:
        raw = lambda_handler(http_event(method, path, **kwargs), LambdaContext())
        headers = {key.lower(): value for key, value in (raw.get("headers") or {}).items()}
        return ApiResponse(status=int(raw["statusCode"]), headers=headers, body=raw.get("body") or "")

    return call


UPLOAD = {"name": "logo.png", "type": "image", "format": "png", "size": 51200}


@pytest.fixture
def upload(api: Api) -> Callable[..., dict]:
    """Start an upload as `user` and return the created asset JSON."""

    def start(user: str = "user-a", **fields: Any) -> dict:
        response = api("POST", "/api/v2/uploads", user=user, body={**UPLOAD, **fields})
        assert response.status == 201, response.body
        return response.json()["asset"]

    return start


@pytest.fixture
def make_ready(s3, bucket: str) -> Callable[..., None]:
    """Put bytes (and a thumbnail) where the processor would, and settle the record as `ready`."""
    from functions.core import storage
    from functions.core.models import AssetModel

    def settle(asset_id: str, *, body: bytes = b"\x89PNG\r\n\x1a\n", thumbnail: bool = True, **fields: Any) -> None:
        s3.put_object(Bucket=bucket, Key=storage.file_key(asset_id), Body=body)
        item = AssetModel.get(asset_id)
        item.status = "ready"
        item.object_key = storage.file_key(asset_id)
        item.expires_at = None
        if thumbnail:
            s3.put_object(Bucket=bucket, Key=storage.thumbnail_key(asset_id), Body=b"\xff\xd8\xff")
            item.thumbnail_key = storage.thumbnail_key(asset_id)
        for name, value in fields.items():
            setattr(item, name, value)
        item.save()

    return settle


@pytest.fixture
def dynamodb_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict]]:
    """Every DynamoDB operation pynamodb sends, in order, as (operation name, request)."""
    from pynamodb.connection.base import Connection

    calls: list[tuple[str, dict]] = []
    send = Connection.dispatch

    def recording_dispatch(self: Connection, operation_name: str, operation_kwargs: dict) -> dict:
        calls.append((operation_name, copy.deepcopy(operation_kwargs)))
        return send(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", recording_dispatch)
    return calls
