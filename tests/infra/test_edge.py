"""Edge security: the WAF web ACL (in its us-east-1 stack) in front of CloudFront, and the response
headers CloudFront adds (a strict CSP, HSTS, no framing)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config

from infra.constructs import edge
from tests.infra.helpers import Synthesized, render

pytestmark = pytest.mark.xdist_group("cdk")


def _edge_template(synthesized: Synthesized) -> dict:
    return json.loads((synthesized.outdir / synthesized.stack.edge.template_file).read_text())


def _web_acl(synthesized: Synthesized) -> dict:
    (acl,) = [r for r in _edge_template(synthesized)["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACL"]
    return acl["Properties"]


def _distribution_config(synthesized: Synthesized) -> dict:
    _, distribution = synthesized.only("AWS::CloudFront::Distribution")
    return distribution["Properties"]["DistributionConfig"]


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (directive.split() for directive in policy.split(";"))}


def _allows(sources: list[str], url: str) -> bool:
    """CSP source matching for the https host-sources used here: a path ending in `/` is a prefix,
    any other path must be equal (CSP 3, "path-part matching")."""
    for source in sources:
        if not source.startswith("https://"):
            continue
        host, _, path = source.removeprefix("https://").partition("/")
        url_host, _, url_path = url.split("?")[0].removeprefix("https://").partition("/")
        if host == url_host and (
            not path or (url_path.startswith(path) if path.endswith("/") else url_path == path)
        ):
            return True
    return False


def test_the_web_acl_lives_in_us_east_1_in_a_stack_deployed_first(synthesized: Synthesized) -> None:
    # given
    manifest = json.loads((synthesized.outdir / "manifest.json").read_text())["artifacts"]
    main, edge_stack = synthesized.stack, synthesized.stack.edge

    # then
    assert edge_stack.stack_name == "Trove-dev-edge"
    assert manifest[edge_stack.artifact_id]["environment"].endswith("/us-east-1")
    assert edge_stack.artifact_id in manifest[main.artifact_id]["dependencies"]


def test_the_web_acl_has_the_managed_rules_and_a_rate_limit_per_ip(synthesized: Synthesized) -> None:
    # given
    acl = _web_acl(synthesized)
    rules = {rule["Name"]: rule for rule in acl["Rules"]}

    # then
    assert (acl["Name"], acl["Scope"], acl["DefaultAction"]) == ("trove-web-dev", "CLOUDFRONT", {"Allow": {}})
    rate = rules["RatePerIp"]
    assert rate["Action"] == {"Block": {}} and rate["Priority"] == 0
    assert rate["Statement"]["RateBasedStatement"] == {
        "AggregateKeyType": "IP",
        "Limit": edge.RATE_LIMIT_PER_IP,
        "EvaluationWindowSec": 300,
    }
    managed = {
        name: rule["Statement"]["ManagedRuleGroupStatement"]
        for name, rule in rules.items()
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }
    assert set(managed) == {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }
    assert all(group["VendorName"] == "AWS" for group in managed.values())
    assert all(rules[name]["OverrideAction"] == {"None": {}} for name in managed)
    counted = managed["AWSManagedRulesCommonRuleSet"]["RuleActionOverrides"]
    assert {override["Name"] for override in counted} == set(edge.COMMON_RULES_COUNTED)
    assert all(override["ActionToUse"] == {"Count": {}} for override in counted)
    assert len({rule["Priority"] for rule in rules.values()}) == len(rules)
    assert all(rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] for rule in rules.values())


def test_the_distribution_uses_the_web_acl_read_from_us_east_1(synthesized: Synthesized) -> None:
    # given
    config = _distribution_config(synthesized)
    (reader_id, reader), = synthesized.resources("Custom::AWS").items()
    parameters = [
        r["Properties"] for r in _edge_template(synthesized)["Resources"].values() if r["Type"] == "AWS::SSM::Parameter"
    ]
    acl_id = next(k for k, r in _edge_template(synthesized)["Resources"].items() if r["Type"] == "AWS::WAFv2::WebACL")

    # when
    call = json.loads(reader["Properties"]["Create"])
    grants = [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "ssm:GetParameter" in statement["Action"]
    ]

    # then: the edge stack publishes the ARN under the name the main stack reads, in us-east-1
    assert config["WebACLId"] == {"Fn::GetAtt": [reader_id, "Parameter.Value"]}
    assert (call["service"], call["action"], call["region"]) == ("SSM", "getParameter", "us-east-1")
    assert reader["Properties"]["Update"] == reader["Properties"]["Create"]
    (parameter,) = parameters
    assert parameter["Name"] == call["parameters"]["Name"] == "/trove/dev/web-acl-arn"
    assert parameter["Value"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    (grant,) = grants
    assert render(grant["Resource"]) == "arn:<AWS::Partition>:ssm:us-east-1:<AWS::AccountId>:parameter/trove/dev/web-acl-arn"


def test_waf_off_leaves_out_the_web_acl_and_its_stack(synthesized_minimal: Synthesized) -> None:
    # then
    assert synthesized_minimal.validation_error is None
    assert synthesized_minimal.stack.edge is None
    assert "WebACLId" not in _distribution_config(synthesized_minimal)
    assert synthesized_minimal.resources("Custom::AWS") == {}
    assert [path.name for path in synthesized_minimal.outdir.glob("*.template.json")] == ["Trove-dev.template.json"]


def test_every_behaviour_adds_the_strict_headers(synthesized: Synthesized) -> None:
    # given
    (policy_id, policy), = synthesized.resources("AWS::CloudFront::ResponseHeadersPolicy").items()
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]
    headers = config["SecurityHeadersConfig"]
    behaviours = [_distribution_config(synthesized)["DefaultCacheBehavior"], *_distribution_config(synthesized)["CacheBehaviors"]]

    # then
    assert config["Name"] == "trove-security-headers-dev"
    assert all(behaviour["ResponseHeadersPolicyId"] == {"Ref": policy_id} for behaviour in behaviours)
    assert headers["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": 730 * 24 * 3600,
        "IncludeSubdomains": True,
        "Override": True,
        "Preload": False,
    }
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ContentSecurityPolicy"]["Override"] is True


def test_the_csp_names_the_page_cognito_and_the_bucket_and_nothing_may_frame_the_page(
    synthesized: Synthesized,
) -> None:
    # given
    (policy,) = synthesized.resources("AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = render(policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"])

    # when
    directives = _directives(csp)

    # then
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == directives["script-src"] == directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    bucket = "trove-assets-dev-<AWS::AccountId>-<AWS::Region>"
    assert "https://cognito-idp.<AWS::Region>.amazonaws.com" in directives["connect-src"]
    assert f"https://s3.<AWS::Region>.amazonaws.com/{bucket}" in directives["connect-src"]
    assert f"https://s3.<AWS::Region>.amazonaws.com/{bucket}/" in directives["img-src"]
    assert not any(source in ("https:", "http:", "*") for values in directives.values() for source in values)
    assert len(csp) < 1783 - 200  # CloudFront's limit, with room for a real bucket name and region


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1"])
def test_the_csp_lets_the_page_reach_the_urls_the_api_presigns(region: str) -> None:
    # given: the bucket's presigned POST (uploads) and GET (downloads) as the functions make them
    # (path-style, SigV4: functions/core/storage.py), and the policy for that bucket and region
    bucket = f"trove-assets-dev-123456789012-{region}"
    client = boto3.client(
        "s3",
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    post = client.generate_presigned_post(bucket, "uploads/0f8fad5b-d9cb-469f-a165-70867728950e")["url"]
    get = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "files/0f8fad5b"})

    # when
    directives = _directives(
        edge.content_security_policy(
            cognito=f"https://cognito-idp.{region}.amazonaws.com",
            bucket_urls=edge.assets_bucket_urls(bucket, region),
        )
    )

    # then
    assert _allows(directives["connect-src"], post)
    assert _allows(directives["connect-src"], get)
    assert _allows(directives["img-src"], get) and _allows(directives["media-src"], get)
    assert not _allows(directives["img-src"], get.replace(bucket, "another-bucket"))
    assert not _allows(directives["connect-src"], f"https://s3.{region}.amazonaws.com/{bucket}-other")
