"""The local S3 takes presigned POSTs as S3 does: the API's presigned fields with the declared file are
stored (and processed) with S3's ETag and Location; anything the policy does not allow is refused with
S3's status and error code, nothing is stored and the asset stays pending until it expires."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from xml.etree import ElementTree

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from functions.core import topology
from infra.local.harness import Client, StackProcess
from infra.local.state import REPO_ROOT
from tests.media.samples import corpus_sample

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

DECLARED_SIZE = 1000


def start_upload(client: Client, size: int, name: str = "photo.jpg") -> dict:
    """POST /api/v2/uploads for a JPEG of `size` bytes: the pending asset and its presigned POST."""
    declared = {"name": name, "type": "image", "format": "jpg", "size": size}
    started = client.api("POST", "/api/v2/uploads", json=declared)
    assert started.status_code == 201, started.text
    return started.json()


def post_file(url: str, fields: dict, content: bytes, origin: str | None = None) -> requests.Response:
    """As a browser's form: every field first, the file last."""
    headers = {"Origin": origin} if origin else {}
    files = {"file": ("photo.jpg", content, "image/jpeg")}
    return requests.post(url, data=fields, files=files, headers=headers, timeout=30)


def s3_error(answer: requests.Response) -> tuple[int, str, str]:
    document = ElementTree.fromstring(answer.content)
    return answer.status_code, document.findtext("Code"), document.findtext("Message")


def signed_with_local_credentials(
    local_stack: StackProcess, key: str, fields: dict, conditions: list, expires_in: int
):
    """A presigned POST made by a client of its own (botocore, the local credentials), not by the API."""
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=local_stack.state["moto"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    return s3.generate_presigned_post(
        Bucket=topology.BUCKET.name, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in
    )


def widened_policy(fields: dict) -> dict:
    """The fields with the policy's size range widened after signing, the signature left as it was."""
    policy = json.loads(base64.b64decode(fields["policy"]))
    policy["conditions"] = [
        ["content-length-range", 0, 50_000_000] if "content-length-range" in condition else condition
        for condition in policy["conditions"]
    ]
    return {**fields, "policy": base64.b64encode(json.dumps(policy).encode()).decode()}


def last_hex_digit_changed(signature: str) -> str:
    return signature[:-1] + ("0" if signature[-1] != "0" else "1")


def test_the_declared_file_is_stored_with_s3s_etag_and_location_and_the_asset_settles(
    alice: Client, local_stack: StackProcess, settle: Callable
) -> None:
    # given
    sample = corpus_sample("photo.jpg")
    started = start_upload(alice, len(sample.data))
    asset_id, upload = started["asset"]["id"], started["upload"]

    # when
    answer = post_file(upload["url"], upload["fields"], sample.data, origin=local_stack.url)

    # then
    assert answer.status_code == 204
    assert answer.headers["ETag"] == f'"{hashlib.md5(sample.data).hexdigest()}"'
    assert answer.headers["Location"] == f"{upload['url']}/uploads%2F{asset_id}"
    assert answer.headers["Access-Control-Allow-Origin"] == local_stack.url
    exposed = {name.strip() for name in answer.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Location"} <= exposed
    assert settle(alice, asset_id)["status"] == "ready"


@pytest.mark.parametrize(
    ("change", "posted_size", "status", "code", "message"),
    [
        pytest.param(
            lambda fields: fields, 14_000, 400, "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size", id="a-lie-about-the-size",
        ),
        pytest.param(
            lambda fields: {**fields, "key": f"uploads/{uuid.uuid4()}"}, DECLARED_SIZE, 403, "AccessDenied",
            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\", ", id="another-key",
        ),
        pytest.param(
            lambda fields: {**fields, "Content-Type": "text/html"}, DECLARED_SIZE, 403, "AccessDenied",
            'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/jpeg"]',
            id="another-content-type",
        ),
        pytest.param(
            widened_policy, 14_000, 403, "SignatureDoesNotMatch",
            "The request signature we calculated does not match", id="a-tampered-policy",
        ),
        pytest.param(
            lambda fields: {**fields, "x-amz-signature": last_hex_digit_changed(fields["x-amz-signature"])},
            DECLARED_SIZE, 403, "SignatureDoesNotMatch",
            "The request signature we calculated does not match", id="a-tampered-signature",
        ),
        pytest.param(
            lambda fields: {**fields, "x-amz-meta-owner": "mallory"}, DECLARED_SIZE, 403, "AccessDenied",
            "Invalid according to Policy: Extra input fields: x-amz-meta-owner", id="an-extra-field",
        ),
    ],
)  # fmt: skip
def test_a_post_the_policy_does_not_allow_is_refused_like_s3_and_nothing_is_stored(
    alice: Client, moto_s3, change: Callable, posted_size: int, status: int, code: str, message: str
) -> None:
    # given
    started = start_upload(alice, DECLARED_SIZE)
    asset_id, upload = started["asset"]["id"], started["upload"]
    fields = change(upload["fields"])

    # when
    answer = post_file(upload["url"], fields, b"\xff" * posted_size)

    # then
    answered_status, answered_code, answered_message = s3_error(answer)
    assert (answered_status, answered_code) == (status, code)
    assert answered_message.startswith(message)
    assert_nothing_stored(moto_s3, {upload["fields"]["key"], fields["key"]})
    assert alice.record(asset_id).json()["status"] == "pending"


def test_an_expired_policy_is_refused_like_s3_and_nothing_is_stored(
    alice: Client, local_stack: StackProcess, moto_s3
) -> None:
    # given: the API's policy for this upload, as it would be once expired
    started = start_upload(alice, DECLARED_SIZE)
    asset_id, key = started["asset"]["id"], started["upload"]["fields"]["key"]
    expired = signed_with_local_credentials(
        local_stack,
        key,
        {"Content-Type": "image/jpeg"},
        [{"Content-Type": "image/jpeg"}, ["content-length-range", DECLARED_SIZE, DECLARED_SIZE]],
        expires_in=-60,
    )

    # when
    answer = post_file(expired["url"], expired["fields"], b"\xff" * DECLARED_SIZE)

    # then
    assert s3_error(answer) == (403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    assert_nothing_stored(moto_s3, {key})
    assert alice.record(asset_id).json()["status"] == "pending"


def test_a_refused_upload_stays_pending_until_it_expires_then_is_swept(
    alice: Client, local_stack: StackProcess
) -> None:
    # given: a lie about the size, refused
    started = start_upload(alice, DECLARED_SIZE)
    asset_id, upload = started["asset"]["id"], started["upload"]
    assert post_file(upload["url"], upload["fields"], b"\xff" * 14_000).status_code == 400
    after_expiry = datetime.now().astimezone() + timedelta(seconds=topology.PENDING_TTL_SECONDS + 60)

    # when: the stack's sweep, as of after the pending record's expiry (what DynamoDB TTL does in AWS)
    swept = subprocess.run(
        [sys.executable, "-m", "infra.local.sweep", "--state-file", str(local_stack.state_file),
         "--as-of", after_expiry.isoformat()],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    # then
    assert swept.returncode == 0, swept.stderr
    assert alice.record(asset_id).status_code == 404


def test_success_action_status_201_answers_s3s_post_response_and_the_asset_settles(
    alice: Client, local_stack: StackProcess, settle: Callable
) -> None:
    # given: a client that asks for 201, with a policy that allows it
    sample = corpus_sample("photo.jpg")
    started = start_upload(alice, len(sample.data))
    asset_id, key = started["asset"]["id"], started["upload"]["fields"]["key"]
    post = signed_with_local_credentials(
        local_stack,
        key,
        {"Content-Type": "image/jpeg", "success_action_status": "201"},
        [
            {"Content-Type": "image/jpeg"},
            {"success_action_status": "201"},
            ["content-length-range", len(sample.data), len(sample.data)],
        ],
        expires_in=600,
    )

    # when
    answer = post_file(post["url"], post["fields"], sample.data)

    # then
    document = ElementTree.fromstring(answer.content)
    etag = f'"{hashlib.md5(sample.data).hexdigest()}"'
    location = f"{post['url']}/uploads%2F{asset_id}"
    assert answer.status_code == 201
    assert answer.headers["Content-Type"] == "application/xml"
    assert document.tag == "PostResponse"
    assert [child.tag for child in document] == ["Location", "Bucket", "Key", "ETag"]
    assert document.findtext("Location") == answer.headers["Location"] == location
    assert (document.findtext("Bucket"), document.findtext("Key")) == (topology.BUCKET.name, key)
    assert document.findtext("ETag") == answer.headers["ETag"] == etag
    assert settle(alice, asset_id)["status"] == "ready"


def test_an_origin_the_bucket_cors_does_not_allow_gets_no_cors_headers(alice: Client) -> None:
    # given
    upload = start_upload(alice, DECLARED_SIZE)["upload"]

    # when
    answer = post_file(upload["url"], upload["fields"], b"\xff" * 14_000, origin="https://elsewhere.example")

    # then
    assert answer.status_code == 400
    assert not any(name.lower().startswith("access-control-") for name in answer.headers)


def assert_nothing_stored(moto_s3, keys: set[str]) -> None:
    for key in keys:
        with pytest.raises(ClientError) as missing:
            moto_s3.head_object(Bucket=topology.BUCKET.name, Key=key)
        assert missing.value.response["Error"]["Code"] == "404"
