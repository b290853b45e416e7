"""Content identity on the local stack: a client's declared SHA-256 rides in the presigned POST, the local
S3 refuses other bytes as S3 does (400 BadDigest) and keeps the checksum it verified; the processor's
hash, read back or computed, is the file's."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from xml.etree import ElementTree

import pytest
import requests
from botocore.exceptions import ClientError

from functions.core import topology
from infra.local.harness import Client
from tests.media.samples import corpus_sample

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def start_upload(client: Client, content: bytes, sha256: str | None) -> dict:
    declared = {"name": "photo.jpg", "type": "image", "format": "jpg", "size": len(content)}
    started = client.api(
        "POST", "/api/v2/uploads", json={**declared, **({"sha256": sha256} if sha256 else {})}
    )
    assert started.status_code == 201, started.text
    return started.json()


def post_file(upload: dict, content: bytes) -> requests.Response:
    files = {"file": ("photo.jpg", content, "image/jpeg")}
    return requests.post(upload["url"], data=upload["fields"], files=files, timeout=30)


def test_bytes_with_the_declared_sha256_are_stored_with_s3s_checksum_and_the_asset_carries_it(
    alice: Client, moto_s3, settle: Callable
) -> None:
    # given
    content = corpus_sample("photo.jpg").data
    sha256 = hashlib.sha256(content).hexdigest()
    started = start_upload(alice, content, sha256)
    upload = started["upload"]

    # when
    answer = post_file(upload, content)
    settled = settle(alice, started["asset"]["id"])

    # then
    assert answer.status_code == 204, answer.text
    assert upload["fields"]["x-amz-checksum-sha256"] == base64.b64encode(bytes.fromhex(sha256)).decode()
    assert (settled["status"], settled["sha256"]) == ("ready", sha256)
    served = moto_s3.head_object(
        Bucket=topology.BUCKET.name, Key=f"files/{started['asset']['id']}", ChecksumMode="ENABLED"
    )
    assert served["ChecksumSHA256"] == upload["fields"]["x-amz-checksum-sha256"]


def test_bytes_other_than_the_declared_sha256_are_refused_like_s3_and_nothing_is_stored(
    alice: Client, moto_s3
) -> None:
    # given: a declared hash, then other bytes of the same size (the policy's size range holds)
    content = corpus_sample("photo.jpg").data
    started = start_upload(alice, content, hashlib.sha256(content).hexdigest())
    upload = started["upload"]
    other = bytes([content[0] ^ 1]) + content[1:]

    # when
    answer = post_file(upload, other)

    # then
    document = ElementTree.fromstring(answer.content)
    assert (answer.status_code, document.findtext("Code")) == (400, "BadDigest")
    assert document.findtext("Message") == "The SHA256 you specified did not match the calculated checksum."
    with pytest.raises(ClientError) as missing:
        moto_s3.head_object(Bucket=topology.BUCKET.name, Key=upload["fields"]["key"])
    assert missing.value.response["Error"]["Code"] == "404"
    assert alice.record(started["asset"]["id"]).json()["status"] == "pending"


def test_without_a_declared_sha256_the_processor_computes_the_files(alice: Client, settle: Callable) -> None:
    # given
    content = corpus_sample("photo.jpg").data
    started = start_upload(alice, content, None)

    # when
    assert post_file(started["upload"], content).status_code == 204
    settled = settle(alice, started["asset"]["id"])

    # then
    assert "x-amz-checksum-sha256" not in started["upload"]["fields"]
    assert (settled["status"], settled["sha256"]) == ("ready", hashlib.sha256(content).hexdigest())
