from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.core.media import AssetType, by_extension
from functions.processor.inspect import RangedObjectReader

BUCKET = "trove-test-assets"


@pytest.fixture(scope="session")
def sample(corpus: dict[str, Path]) -> Callable[[str], bytes]:
    return lambda name: corpus[name].read_bytes()


class BytesClient:
    """An S3 client's get_object over bytes in memory, counting calls; it can fail on a given call."""

    def __init__(self, data: bytes, fail_on_call: int | None = None, error: Exception | None = None) -> None:
        self.data = data
        self.calls = 0
        self.fail_on_call = fail_on_call
        self.error = error

    def get_object(self, Bucket: str, Key: str, Range: str) -> dict[str, Any]:  # boto3's argument names
        self.calls += 1
        if self.calls == self.fail_on_call:
            assert self.error is not None
            raise self.error
        first, last = (int(bound) for bound in Range.removeprefix("bytes=").split("-"))
        return {"Body": io.BytesIO(self.data[first : last + 1])}


@pytest.fixture(scope="session")
def declared() -> Callable[[str], tuple[AssetType, str]]:
    """The asset type and format an upload of this file name declares."""

    def of(name: str) -> tuple[AssetType, str]:
        extension = name.rsplit(".", 1)[1]
        media = by_extension(extension)
        assert media is not None
        return media.asset_type, extension

    return of


@pytest.fixture
def bytes_client() -> type[BytesClient]:
    return BytesClient


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture
def s3_reader(s3: Any) -> Callable[..., RangedObjectReader]:
    """Puts bytes in the mocked bucket and returns a RangedObjectReader over them."""

    def put(data: bytes, key: str = "uploads/object", **options: Any) -> RangedObjectReader:
        s3.put_object(Bucket=BUCKET, Key=key, Body=data)
        return RangedObjectReader(s3, BUCKET, key, len(data), **options)

    return put
