"""POST /api/v2/uploads: the pending asset and its presigned POST."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
import requests
from moto.server import ThreadedMotoServer

from functions.core import topology
from functions.core.media import invalid_type_message, too_large_message

SEED_BMP_DETAIL = (
    "Invalid file type: image/bmp. Allowed: images (jpg, png, gif, webp), videos (mp4, mov), "
    "audio (mp3, wav), documents (pdf)"
)


def decoded_policy(fields: dict) -> dict:
    return json.loads(base64.b64decode(fields["policy"]))


def test_creates_a_pending_asset_and_a_presigned_post(api):
    # given
    body = {"name": "logo.png", "type": "image", "format": "png", "size": 51200, "clientId": "client-uuid-123"}

    # when
    response = api("POST", "/api/v2/uploads", body=body)

    # then
    assert response.status == 201
    created = response.json()
    asset, upload = created["asset"], created["upload"]
    assert asset["status"] == "pending"
    assert asset["type"] == "image" and asset["format"] == "png" and asset["size"] == 51200
    assert asset["clientId"] == "client-uuid-123"
    assert asset["url"] == f"https://api.example.com/api/v2/assets/{asset['id']}"
    assert upload["fields"]["key"] == f"uploads/{asset['id']}"
    assert upload["fields"]["Content-Type"] == "image/png"
    assert upload["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert upload["url"].endswith(f"/{topology.BUCKET.name}")


def test_the_policy_pins_key_declared_size_content_type_and_a_short_expiry(api):
    # given
    before = datetime.now(UTC)

    # when
    created = api("POST", "/api/v2/uploads", body={"name": "a.mp4", "type": "video", "format": "mp4", "size": 9}).json()

    # then
    asset_id, fields = created["asset"]["id"], created["upload"]["fields"]
    policy = decoded_policy(fields)
    conditions = policy["conditions"]
    assert {"key": f"uploads/{asset_id}"} in conditions
    assert {"bucket": topology.BUCKET.name} in conditions
    assert ["content-length-range", 9, 9] in conditions  # exactly the declared size
    assert {"Content-Type": "video/mp4"} in conditions
    expiration = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    seconds_left = (expiration - before).total_seconds()
    assert topology.PRESIGN_EXPIRY_SECONDS - 60 < seconds_left <= topology.PRESIGN_EXPIRY_SECONDS + 5
    assert created["upload"]["expiresAt"] == expiration.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_jpeg_is_the_jpg_format_and_content_type_may_be_declared(api):
    # when
    response = api(
        "POST", "/api/v2/uploads", body={"name": "p.jpeg", "type": "image", "format": "jpeg", "size": 3, "contentType": "image/jpeg"}
    )

    # then
    assert response.status == 201
    assert response.json()["asset"]["format"] == "jpg"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"format": "bmp", "contentType": "image/bmp"}, SEED_BMP_DETAIL),
        ({"format": "bmp"}, invalid_type_message("bmp")),
        ({"format": "png", "contentType": "text/html"}, invalid_type_message("text/html")),
        ({"size": 50 * 1024 * 1024 + 1}, "File too large. Maximum size is 50.0MB"),
        ({"size": 0}, "File is empty"),
        ({"type": "video"}, "Format png is image, not video"),
    ],
)
def test_refuses_what_the_allow_list_and_the_limit_do_not_allow(api, body, detail):
    # given
    request = {"name": "x", "type": "image", "format": "png", "size": 10, **body}

    # when
    response = api("POST", "/api/v2/uploads", body=request)

    # then
    assert response.status == 400
    assert response.json() == {"detail": detail}


def test_the_seed_messages_are_the_ones_in_the_error_table():
    # then: seed 002, "Error Handling", to the letter
    assert invalid_type_message("image/bmp") == SEED_BMP_DETAIL
    assert too_large_message() == "File too large. Maximum size is 50.0MB"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", None),
        ({"type": "image", "format": "png", "size": 10}, "name"),
        ({"name": "", "type": "image", "format": "png", "size": 10}, "name"),
        ({"name": "a\u202egnp.exe", "type": "image", "format": "png", "size": 10}, "name"),
        ({"name": "x", "type": "link", "format": "png", "size": 10}, "type"),
        ({"name": "x", "type": "image", "format": "png", "size": -1}, "size"),
        ({"name": "x", "type": "image", "format": "png", "size": 10, "clientId": "a#b"}, "clientId"),
        ({"name": "x", "type": "image", "format": "png", "size": 10, "key": "uploads/mine"}, "key"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(api, body, field):
    # when
    response = api("POST", "/api/v2/uploads", body=body)

    # then
    assert response.status == 400
    if field:
        assert field in response.json()["detail"]


def test_without_identity_it_is_401(api):
    # when
    response = api("POST", "/api/v2/uploads", user=None, body={"name": "x", "type": "image", "format": "png", "size": 1})

    # then
    assert response.status == 401
    assert response.json() == {"detail": "Not authenticated"}


def test_a_real_http_post_with_the_returned_fields_stores_the_object_under_the_pinned_key():
    # given: moto's server on loopback, and settings that presign against it
    from functions.core.settings import Settings
    from functions.core.storage import presign_upload, s3_client

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        settings = Settings(s3_endpoint_url=f"http://{host}:{port}", bucket_name="trove-post-test")
        s3 = s3_client(settings)
        s3.create_bucket(Bucket=settings.bucket_name)
        key = "uploads/4f0c3f4e-0f9e-4b8e-9d3c-1b7f1d2e3a4b"
        post = presign_upload(key, "image/png", len(b"\x89PNG-bytes"), settings)

        # when
        sent = requests.post(post.url, data=post.fields, files={"file": ("x.png", b"\x89PNG-bytes")}, timeout=10)

        # then
        assert sent.status_code == 204
        stored = s3.get_object(Bucket=settings.bucket_name, Key=key)
        assert stored["Body"].read() == b"\x89PNG-bytes"
        assert stored["ContentType"] == "image/png"
    finally:
        server.stop()
