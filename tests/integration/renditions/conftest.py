"""Renditions on moto: assets settled by the real processor (pipeline.process_upload) from bytes the
tests generate, the API called as API Gateway would, and the S3 calls the API makes counted."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from PIL import Image

from functions.core import storage
from functions.core.settings import get_settings


@pytest.fixture
def settled(upload, s3, bucket) -> Callable[..., dict]:
    """A `ready` asset of `user` whose bytes are `data`, checked and described by the processor."""
    from functions.processor.pipeline import process_upload

    def settle(data: bytes, type: str = "image", format: str = "jpg", user: str = "user-a") -> dict:
        asset = upload(user=user, name=f"sample.{format}", type=type, format=format, size=len(data))
        repost(asset["id"], data)
        return asset

    def repost(asset_id: str, data: bytes) -> None:
        key = storage.upload_key(asset_id)
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        outcome = process_upload(key, get_settings(), s3)
        assert outcome is not None and outcome.status == "ready", outcome

    settle.repost = repost
    return settle


@pytest.fixture
def rendition(api) -> Callable[..., dict]:
    """GET the rendition as JSON (`query` as given, strings); asserts a 200."""

    def get(asset_id: str, user: str = "user-a", accept: str = "application/json", **query: str) -> dict:
        response = api(
            "GET", f"/api/v2/assets/{asset_id}/renditions", user=user, query=query, headers={"Accept": accept}
        )
        assert response.status == 200, response.body
        return response.json()

    return get


@pytest.fixture
def fetched(s3, bucket) -> Callable[[str], tuple[Image.Image, str, bytes]]:
    """The object a presigned URL names, decoded: (picture, its stored Content-Type, its bytes)."""

    def read(url: str) -> tuple[Image.Image, str, bytes]:
        key = urlsplit(url).path.removeprefix(f"/{bucket}/")
        found = s3.get_object(Bucket=bucket, Key=key)
        body = found["Body"].read()
        picture = Image.open(io.BytesIO(body))
        picture.load()
        return picture, found["ContentType"], body

    return read


@pytest.fixture
def api_s3_calls(aws) -> Iterator[list[str]]:
    """Every S3 operation the API's own client sends from now on, by name (PutObject, GetObject, ...).
    Presigning is local: it sends nothing."""
    client = storage.s3_client(get_settings())
    calls: list[str] = []

    def record(model, **_) -> None:
        calls.append(model.name)

    client.meta.events.register("before-call.s3", record, unique_id="renditions-test-calls")
    yield calls
    client.meta.events.unregister("before-call.s3", unique_id="renditions-test-calls")


@pytest.fixture
def rendition_objects(s3, bucket) -> Callable[[str], list[str]]:
    def listed(asset_id: str) -> list[str]:
        found = s3.list_objects_v2(Bucket=bucket, Prefix=f"renditions/{asset_id}/")
        return sorted(entry["Key"] for entry in found.get("Contents", []))

    return listed
