"""Private renditions at the edge: CloudFront's `/renditions/*` behaviour serves signed URLs only
(a trusted key group), caches by path, and asks the API without a JWT but with the signature; the key
pair is made at deploy time, its private half in a secret only the API may read."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

import boto3
import pytest
from moto import mock_aws

from functions.core import topology
from functions.renditions.signing import SIGNATURE_PARAMS, SigningKey
from infra.constructs import renditions
from tests.infra.helpers import Synthesized, grants, render

pytestmark = pytest.mark.xdist_group("cdk")

WINDOW = topology.RENDITION_LINK_WINDOW_SECONDS


def _distribution_config(synthesized: Synthesized) -> dict:
    _, distribution = synthesized.only("AWS::CloudFront::Distribution")
    return distribution["Properties"]["DistributionConfig"]


def _behaviour(synthesized: Synthesized, pattern: str) -> dict:
    (behaviour,) = [
        b for b in _distribution_config(synthesized)["CacheBehaviors"] if b["PathPattern"] == pattern
    ]
    return behaviour


def _function(synthesized: Synthesized, construct) -> dict:
    return synthesized.json["Resources"][synthesized.logical_id(construct.function)]["Properties"]


def test_renditions_are_served_for_signed_urls_only_from_the_apis_origin(synthesized: Synthesized) -> None:
    # given
    behaviour = _behaviour(synthesized, "/renditions/*")
    api = _behaviour(synthesized, "/api/*")
    signing = synthesized.stack.rendition_signing

    # then
    assert behaviour["TrustedKeyGroups"] == [{"Ref": synthesized.logical_id(signing.key_group)}]
    assert "TrustedKeyGroups" not in api and "TrustedSigners" not in behaviour
    assert behaviour["TargetOriginId"] == api["TargetOriginId"]
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["ResponseHeadersPolicyId"] == api["ResponseHeadersPolicyId"]
    assert behaviour["Compress"] is False


def test_the_cache_is_keyed_on_the_path_and_the_origin_gets_the_signature(synthesized: Synthesized) -> None:
    # given
    behaviour = _behaviour(synthesized, "/renditions/*")
    web = synthesized.stack.web
    cache = synthesized.json["Resources"][synthesized.logical_id(web.renditions_cache)]["Properties"]
    origin = synthesized.json["Resources"][synthesized.logical_id(web.renditions_origin_request)][
        "Properties"
    ]

    # when
    config = cache["CachePolicyConfig"]
    key = config["ParametersInCacheKeyAndForwardedToOrigin"]
    forwarded = origin["OriginRequestPolicyConfig"]

    # then: CloudFront checks the signature on every request, cached or not, so the key needs no
    # query string; the bytes under a path never change (its content version changes with new bytes)
    assert behaviour["CachePolicyId"] == {"Ref": synthesized.logical_id(web.renditions_cache)}
    assert behaviour["OriginRequestPolicyId"] == {
        "Ref": synthesized.logical_id(web.renditions_origin_request)
    }
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "none"}
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert (config["MinTTL"], config["DefaultTTL"], config["MaxTTL"]) == (0, WINDOW, 2 * WINDOW)
    assert config["Name"] == "trove-renditions-dev"
    assert forwarded["QueryStringsConfig"] == {
        "QueryStringBehavior": "whitelist",
        "QueryStrings": list(SIGNATURE_PARAMS),
    }
    # no Host (API Gateway answers only its own), no Authorization, no cookie
    assert forwarded["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert forwarded["CookiesConfig"] == {"CookieBehavior": "none"}


def test_the_key_group_holds_the_public_key_the_deploy_time_key_pair_answers(
    synthesized: Synthesized,
) -> None:
    # given
    signing = synthesized.stack.rendition_signing
    ((key_pair_id, key_pair),) = synthesized.resources("Custom::RenditionSigningKey").items()
    ((_, public_key),) = synthesized.resources("AWS::CloudFront::PublicKey").items()
    ((_, key_group),) = synthesized.resources("AWS::CloudFront::KeyGroup").items()

    # then
    assert public_key["Properties"]["PublicKeyConfig"]["EncodedKey"] == {
        "Fn::GetAtt": [key_pair_id, "PublicKey"]
    }
    assert key_group["Properties"]["KeyGroupConfig"]["Items"] == [
        {"Ref": synthesized.logical_id(signing.public_key)}
    ]
    assert key_pair["Properties"]["ServiceToken"] == {
        "Fn::GetAtt": [synthesized.logical_id(signing.generator.function), "Arn"]
    }
    assert key_pair["Properties"]["SecretId"] == {"Ref": synthesized.logical_id(signing.secret)}
    assert key_pair["Properties"]["Generation"] == str(renditions.KEY_GENERATION)
    assert "PRIVATE KEY" not in json.dumps(synthesized.json)


def test_only_the_api_reads_the_private_key_and_only_the_key_maker_writes_it(
    synthesized: Synthesized,
) -> None:
    # given
    stack = synthesized.stack
    secret = f"<{synthesized.logical_id(stack.rendition_signing.secret)}>"
    api = synthesized.policy_statements(stack.api.handler.role)
    maker = synthesized.policy_statements(stack.rendition_signing.generator.role)
    everyone = [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]

    # then
    assert grants(api, "secretsmanager") == {("secretsmanager:GetSecretValue", secret)}
    assert grants(maker, "secretsmanager") == {("secretsmanager:PutSecretValue", secret)}
    assert {action for action, _ in grants(maker, "s3") | grants(maker, "dynamodb")} == set()
    readers = [s for s in everyone if "secretsmanager:GetSecretValue" in json.dumps(s["Action"])]
    assert readers == [s for s in api if "secretsmanager:GetSecretValue" in json.dumps(s["Action"])]


def test_the_api_signs_with_the_public_keys_id_and_the_secret(synthesized: Synthesized) -> None:
    # given
    stack = synthesized.stack
    variables = _function(synthesized, stack.api.handler)["Environment"]["Variables"]
    maker = _function(synthesized, stack.rendition_signing.generator)

    # then
    assert variables["TROVE_RENDITION_KEY_PAIR_ID"] == {
        "Ref": synthesized.logical_id(stack.rendition_signing.public_key)
    }
    assert variables["TROVE_RENDITION_KEY_SECRET"] == {
        "Ref": synthesized.logical_id(stack.rendition_signing.secret)
    }
    assert maker["Handler"] == renditions.KEYS_HANDLER
    assert [render(layer) for layer in maker["Layers"]] == [f"<{synthesized.logical_id(stack.layers.deps)}>"]


def test_the_token_free_path_has_no_jwt_and_every_other_route_keeps_it(synthesized: Synthesized) -> None:
    # given
    routes = {
        route["Properties"]["RouteKey"]: route["Properties"]
        for route in synthesized.resources("AWS::ApiGatewayV2::Route").values()
    }

    # then: GET and HEAD, as CloudFront's `/renditions/*` behaviour allows both
    for method in ("GET", "HEAD"):
        assert routes[f"{method} /renditions/{{proxy+}}"]["AuthorizationType"] == "NONE"
        assert routes[f"{method} /renditions/{{proxy+}}"]["Target"] == routes["ANY /api/{proxy+}"]["Target"]
    assert routes["ANY /api/{proxy+}"]["AuthorizationType"] == "JWT"
    assert {key for key, route in routes.items() if route.get("AuthorizationType", "NONE") == "NONE"} == {
        "GET /renditions/{proxy+}",
        "HEAD /renditions/{proxy+}",
        f"GET {topology.OPENAPI_PATH}",
    }


def test_renditions_are_made_read_and_forgotten_under_their_prefix_only(synthesized: Synthesized) -> None:
    # given
    stack = synthesized.stack
    objects = f"<{synthesized.logical_id(stack.storage.bucket)}.Arn>/{topology.RENDITIONS_PREFIX}*"

    # when
    api = grants(synthesized.policy_statements(stack.api.handler.role), "s3")
    processor = grants(synthesized.policy_statements(stack.processing.handler.role), "s3")

    # then: the API renders (put), answers (get) and deletes; the processor forgets them for new bytes
    assert {action for action, resource in api if resource == objects} == {
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
    }
    assert {action for action, resource in processor if resource == objects} == {"s3:DeleteObject"}


@contextmanager
def cloudformation_answers() -> Iterator[tuple[str, list[dict]]]:
    """A stand-in for CloudFormation's presigned response URL on 127.0.0.1: the answers PUT to it."""
    answers: list[dict] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            answers.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/answer", answers
    finally:
        server.shutdown()
        server.server_close()


def _event(request_type: str, response_url: str, secret_id: str, **extra: str) -> dict:
    return {
        "RequestType": request_type,
        "ResponseURL": response_url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/Trove-dev/1",
        "RequestId": "request-1",
        "LogicalResourceId": "KeyPair",
        "ResourceType": "Custom::RenditionSigningKey",
        "ResourceProperties": {"SecretId": secret_id, "Generation": "1"},
        **extra,
    }


def test_the_key_pair_maker_keeps_the_private_key_in_the_secret_and_answers_the_public_one() -> None:
    # given
    from infra.constructs.rendition_keys import handler

    with mock_aws(), cloudformation_answers() as (url, answers):
        secrets = boto3.client("secretsmanager", region_name="us-east-1")
        secret_id = secrets.create_secret(Name="signing-key", SecretString="placeholder")["ARN"]

        # when
        handler.on_event(_event("Create", url, secret_id), None)
        stored = secrets.get_secret_value(SecretId=secret_id)["SecretString"]
        handler.on_event(
            _event("Delete", url, secret_id, PhysicalResourceId=answers[0]["PhysicalResourceId"]), None
        )
        kept = secrets.get_secret_value(SecretId=secret_id)["SecretString"]
        handler.on_event(_event("Create", url, "no-such-secret"), None)

    # then: the answer has the public key of the stored private key, and never the private key
    created, deleted, failed = answers
    assert created["Status"] == "SUCCESS"
    key = SigningKey.from_pem("K1", stored)
    assert created["Data"] == {"PublicKey": key.public_pem()}
    assert "PRIVATE" not in json.dumps(created)
    assert created["PhysicalResourceId"] == f"{secret_id}#generation-1"
    assert (deleted["Status"], deleted["PhysicalResourceId"], kept) == (
        "SUCCESS",
        created["PhysicalResourceId"],
        stored,
    )
    assert failed["Status"] == "FAILED" and "ResourceNotFoundException" in failed["Reason"]
    assert failed["Data"] == {}
