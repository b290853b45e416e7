"""Uploads through both routes on moto, settled by the processor: the presigned flow (with or without the
client's SHA-256) and the multipart route, each answering the settled asset JSON."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable

import pytest

from tests.integration.compat.conftest import multipart_body
from tests.integration.conftest import LambdaContext, http_event
from tests.integration.processor.conftest import sqs_event

# Every allowed format, as (asset type, format) of its corpus sample.
FORMATS = {
    "photo.jpg": ("image", "jpg"),
    "alpha.png": ("image", "png"),
    "animated.gif": ("image", "gif"),
    "animated.webp": ("image", "webp"),
    "clip.mp4": ("video", "mp4"),
    "clip.mov": ("video", "mov"),
    "tone.mp3": ("audio", "mp3"),
    "tone.wav": ("audio", "wav"),
    "doc.pdf": ("document", "pdf"),
}


@pytest.fixture
def presigned_upload(api, s3, bucket, corpus) -> Callable[..., dict]:
    """POST /api/v2/uploads for a corpus sample (declaring its SHA-256 or not), its bytes stored as S3
    stores a POST it accepted (with the checksum it verified, when one was declared), the processor's
    notification delivered; the settled asset JSON."""
    from functions.processor.handler import lambda_handler

    def upload(name: str, *, declare_sha256: bool, user: str = "user-a") -> dict:
        data = corpus[name].read_bytes()
        asset_type, declared_format = FORMATS[name]
        body = {"name": name, "type": asset_type, "format": declared_format, "size": len(data)}
        if declare_sha256:
            body["sha256"] = hashlib.sha256(data).hexdigest()
        started = api("POST", "/api/v2/uploads", user=user, body=body)
        assert started.status == 201, started.body
        created = started.json()
        checksum = created["upload"]["fields"].get("x-amz-checksum-sha256")
        kept = {"ChecksumAlgorithm": "SHA256", "ChecksumSHA256": checksum} if checksum else {}
        s3.put_object(Bucket=bucket, Key=created["upload"]["fields"]["key"], Body=data, **kept)
        assert lambda_handler(sqs_event(created["upload"]["fields"]["key"]), LambdaContext()) == {
            "batchItemFailures": []
        }
        return api(
            "GET",
            f"/api/v2/assets/{created['asset']['id']}",
            user=user,
            headers={"Accept": "application/json"},
        ).json()

    return upload


@pytest.fixture
def multipart_upload(aws, corpus) -> Callable[..., tuple[int, dict]]:
    """POST /api/v2/upload-asset with a corpus sample, as API Gateway sends a form (base64): status and JSON."""
    from functions.api.handler import lambda_handler

    def upload(name: str, user: str = "user-a") -> tuple[int, dict]:
        data, content_type = multipart_body(
            [("file", (name, corpus[name].read_bytes(), "application/octet-stream"))]
        )
        headers = {"content-type": content_type, "content-length": str(len(data))}
        event = http_event(
            "POST", "/api/v2/upload-asset", user=user, body=base64.b64encode(data).decode(), headers=headers
        )
        event["isBase64Encoded"] = True
        raw = lambda_handler(event, LambdaContext())
        return int(raw["statusCode"]), json.loads(raw["body"])

    return upload


@pytest.fixture
def ready_asset(upload, make_ready) -> Callable[..., dict]:
    """A ready file asset of `user` whose file has the SHA-256 `sha256`."""

    def make(sha256: str, *, user: str = "user-a", name: str = "logo.png") -> dict:
        asset = upload(user=user, name=name)
        make_ready(asset["id"], sha256=sha256)
        return asset

    return make
