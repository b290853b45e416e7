"""Upload → ready → download → delete for every asset type, over HTTP against the local stack."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests
from botocore.exceptions import ClientError
from PIL import Image

from functions.core import topology
from infra.local.harness import Client, Sample, StackProcess
from tests.media.samples import corpus_sample

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


@dataclass(frozen=True)
class Case:
    sample: Sample
    metadata: dict
    has_thumbnail: bool = True


CASES = [
    Case(corpus_sample("photo.jpg"), {"width": 640, "height": 480}),
    Case(
        corpus_sample("clip.mp4"),
        {"width": 320, "height": 240, "duration": pytest.approx(2.0, abs=0.1)},
    ),
    Case(corpus_sample("tone.wav"), {"duration": pytest.approx(2.5, abs=0.05)}, False),
    Case(corpus_sample("doc.pdf"), {"pageCount": 3}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.sample.asset_type)
def test_an_upload_is_processed_served_and_deleted(alice: Client, settle: Callable, case: Case) -> None:
    asset = alice.upload(case.sample)
    assert asset["status"] == "pending"

    settled = settle(alice, asset["id"])
    assert settled["status"] == "ready", settled["statusReason"]
    assert {name: settled[name] for name in case.metadata} == case.metadata

    file = alice.api("GET", f"/api/v2/assets/{asset['id']}")
    assert [hop.status_code for hop in file.history] == [302]
    assert file.status_code == 200
    assert file.content == case.sample.data

    thumbnail = alice.api("GET", f"/api/v2/assets/{asset['id']}/thumbnail")
    if case.has_thumbnail:
        assert [hop.status_code for hop in thumbnail.history] == [302]
        assert Image.open(io.BytesIO(thumbnail.content)).format == "JPEG"
    else:
        assert thumbnail.status_code == 404

    assert alice.api("DELETE", f"/api/v2/assets/{asset['id']}").status_code == 200
    assert alice.record(asset["id"]).status_code == 404
    assert alice.api("GET", f"/api/v2/assets/{asset['id']}", allow_redirects=False).status_code == 404


def test_a_spoofed_file_is_rejected_and_its_object_removed(
    alice: Client, settle: Callable, local_stack: StackProcess, moto_s3
) -> None:
    asset = alice.upload(corpus_sample("text.png"))

    settled = settle(alice, asset["id"])
    assert settled["status"] == "rejected"
    assert settled["statusReason"]
    with pytest.raises(ClientError) as missing:
        moto_s3.head_object(Bucket=local_stack.state["bucket"], Key=f"uploads/{asset['id']}")
    assert missing.value.response["Error"]["Code"] == "404"
    assert alice.api("GET", f"/api/v2/assets/{asset['id']}", allow_redirects=False).status_code == 409


def test_presigned_posts_go_to_moto_which_answers_the_browser_preflight(
    alice: Client, local_stack: StackProcess
) -> None:
    declared = {"name": "a.png", "type": "image", "format": "png", "size": 10}
    post_url = alice.api("POST", "/api/v2/uploads", json=declared).json()["upload"]["url"]
    assert post_url.startswith(local_stack.state["moto"])

    def preflight(origin: str) -> requests.Response:
        headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
        return requests.options(post_url, headers=headers, timeout=10)

    allowed = preflight(local_stack.url)
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == local_stack.url
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    assert preflight(local_stack.url.replace("127.0.0.1", "localhost")).status_code == 200
    assert preflight("http://elsewhere.example").status_code == 403


def test_the_bucket_cors_rule_is_the_topologys(local_stack: StackProcess, moto_s3) -> None:
    # given
    spec = topology.BUCKET

    # when
    (rule,) = moto_s3.get_bucket_cors(Bucket=local_stack.state["bucket"])["CORSRules"]

    # then: the same declaration the CDK stack's bucket is built from
    assert rule["AllowedMethods"] == list(spec.cors_methods)
    assert rule["AllowedHeaders"] == list(spec.cors_headers)
    assert rule["ExposeHeaders"] == list(spec.cors_exposed_headers)
    assert rule["MaxAgeSeconds"] == spec.cors_max_age_seconds
    assert local_stack.url in rule["AllowedOrigins"]
