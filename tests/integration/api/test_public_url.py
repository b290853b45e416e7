"""The base of the `url` fields in AWS: the page's origin (TROVE_PUBLIC_URL, set by the CDK stack to
the CloudFront URL), not the execute-api host the request reached the function on."""

from __future__ import annotations

import dataclasses
import json

import pytest

from functions.core.settings import Settings
from tests.integration.conftest import LambdaContext, http_event

CLOUDFRONT = "https://d111111abcdef8.cloudfront.net"
EXECUTE_API = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
UPLOAD = {"name": "logo.png", "type": "image", "format": "png", "size": 51200}


def _through_cloudfront(method: str, path: str, **kwargs) -> dict:
    """An event as API Gateway builds it behind CloudFront: its own host, not the viewer's."""
    event = http_event(method, path, **kwargs)
    event["requestContext"]["domainName"] = EXECUTE_API
    event["requestContext"]["domainPrefix"] = EXECUTE_API.split(".")[0]
    event["headers"]["host"] = EXECUTE_API
    return event


@pytest.fixture
def public_url(monkeypatch: pytest.MonkeyPatch) -> str:
    from functions.api import dependencies

    configured = Settings.from_env({"TROVE_PUBLIC_URL": f"{CLOUDFRONT}/"})
    monkeypatch.setattr(
        dependencies,
        "settings",
        dataclasses.replace(dependencies.settings, public_base_url=configured.public_base_url),
    )
    return configured.public_base_url


def test_the_configured_public_url_loses_its_trailing_slash() -> None:
    assert Settings.from_env({"TROVE_PUBLIC_URL": f"{CLOUDFRONT}/"}).public_base_url == CLOUDFRONT


def test_url_fields_name_the_public_url_not_the_execute_api_host(aws: None, public_url: str) -> None:
    # given
    from functions.api.handler import lambda_handler

    # when
    answer = lambda_handler(_through_cloudfront("POST", "/api/v2/uploads", body=UPLOAD), LambdaContext())

    # then
    assert answer["statusCode"] == 201, answer["body"]
    asset = json.loads(answer["body"])["asset"]
    assert public_url == CLOUDFRONT
    assert asset["url"] == f"{CLOUDFRONT}/api/v2/assets/{asset['id']}"
    assert EXECUTE_API not in answer["body"]


def test_without_a_public_url_the_request_host_is_the_base(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: TROVE_PUBLIC_URL unset, as on the local stack, where page and API share the request's host
    from functions.api import dependencies
    from functions.api.handler import lambda_handler

    unset = Settings.from_env({})
    monkeypatch.setattr(
        dependencies, "settings", dataclasses.replace(dependencies.settings, public_base_url=unset.public_base_url)
    )

    # when
    answer = lambda_handler(_through_cloudfront("POST", "/api/v2/uploads", body=UPLOAD), LambdaContext())

    # then
    assert answer["statusCode"] == 201, answer["body"]
    asset = json.loads(answer["body"])["asset"]
    assert asset["url"] == f"https://{EXECUTE_API}/api/v2/assets/{asset['id']}"
