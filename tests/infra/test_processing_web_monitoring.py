"""The queue → processor wiring and the web page behind CloudFront (the alarms: test_monitoring.py)."""

from __future__ import annotations

import re

import pytest

from functions.core import topology
from tests.infra.helpers import Synthesized, as_list, render

pytestmark = pytest.mark.xdist_group("cdk")

# CloudFront's managed policies, by id (the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def test_the_processor_reads_the_queue_in_topology_batches_reporting_item_failures(
    synthesized: Synthesized,
) -> None:
    # given
    stack = synthesized.stack
    queue_id = synthesized.logical_id(stack.storage.queue)
    function_id = synthesized.logical_id(stack.processing.handler.function)

    # when
    _, mapping = synthesized.only("AWS::Lambda::EventSourceMapping")

    # then
    assert mapping["Properties"] == {
        "BatchSize": topology.UPLOADS_QUEUE.batch_size,
        "EventSourceArn": {"Fn::GetAtt": [queue_id, "Arn"]},
        "FunctionName": {"Ref": function_id},
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "ScalingConfig": {"MaximumConcurrency": topology.UPLOADS_QUEUE.max_concurrency},
    }


def test_the_queue_gives_a_message_at_least_five_receives_and_the_processor_bounded_concurrency() -> None:
    # then: Lambda's advice for SQS sources (throttled and unfinished receives count too); SQS
    # event sources take a maximum concurrency of 2 to 1,000
    assert topology.UPLOADS_QUEUE.max_receive_count >= 5
    assert 2 <= topology.UPLOADS_QUEUE.max_concurrency <= 1000


def test_a_batch_times_out_well_before_its_messages_become_visible_again(synthesized: Synthesized) -> None:
    # given
    function = synthesized.json["Resources"][
        synthesized.logical_id(synthesized.stack.processing.handler.function)
    ]

    # then: AWS's advice for SQS event sources is a visibility timeout of 6x the function timeout
    assert function["Properties"]["Timeout"] * 6 <= topology.UPLOADS_QUEUE.visibility_timeout_seconds


def test_the_web_bucket_is_private_and_read_by_cloudfront_through_origin_access_control(
    synthesized: Synthesized,
) -> None:
    # given
    web = synthesized.stack.web
    bucket_id = synthesized.logical_id(web.bucket)
    distribution_id = synthesized.logical_id(web.distribution)
    _, oac = synthesized.only("AWS::CloudFront::OriginAccessControl")
    _, distribution = synthesized.only("AWS::CloudFront::Distribution")

    # when
    config = distribution["Properties"]["DistributionConfig"]
    (origin,) = [origin for origin in config["Origins"] if "S3OriginConfig" in origin]
    policies = [
        policy["Properties"]
        for policy in synthesized.resources("AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]

    # then
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == origin["Id"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["Logging"]["Bucket"] == {
        "Fn::GetAtt": [synthesized.logical_id(synthesized.stack.access_logs.bucket), "RegionalDomainName"]
    }
    (policy,) = policies
    reads = [
        statement
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
        and statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    ]
    (read,) = reads
    assert read["Action"] == "s3:GetObject"
    assert "Fn::Join" in str(read["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert distribution_id in str(read["Condition"]["StringEquals"]["AWS:SourceArn"])


def test_cloudfront_sends_api_paths_uncached_to_the_http_api_with_its_own_host(
    synthesized: Synthesized,
) -> None:
    # given
    api_id = synthesized.logical_id(synthesized.stack.api.http_api)
    _, distribution = synthesized.only("AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]

    # when
    (behavior,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] != f"{topology.RENDITION_LINKS_PATH}/*"]
    (origin,) = [origin for origin in config["Origins"] if origin["Id"] == behavior["TargetOriginId"]]

    # then: the page's own origin carries the API (so a 302 to S3 is not a cross-origin redirect)
    assert behavior["PathPattern"] == f"{topology.API_PREFIX}/*"
    assert render(origin["DomainName"]) == f"<{api_id}>.execute-api.<AWS::Region>.<AWS::URLSuffix>"
    assert origin["CustomOriginConfig"] == {
        "OriginProtocolPolicy": "https-only",
        "OriginSSLProtocols": ["TLSv1.2"],
    }
    assert "OriginPath" not in origin  # /api/... arrives as /api/... at the $default stage
    assert behavior["CachePolicyId"] == CACHING_DISABLED
    # every viewer header (Authorization included) and the query string, but the API's own Host
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert set(behavior["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert behavior["ViewerProtocolPolicy"] == "https-only"  # a redirected POST would become a GET


def test_the_api_names_the_page_origin_in_url_fields_without_a_dependency_cycle(
    synthesized: Synthesized,
) -> None:
    # given
    stack = synthesized.stack
    distribution_id = synthesized.logical_id(stack.web.distribution)
    function = synthesized.json["Resources"][synthesized.logical_id(stack.api.handler.function)]

    # when
    public_url = render(function["Properties"]["Environment"]["Variables"]["TROVE_PUBLIC_URL"])
    cycle = _dependency_cycle(synthesized.json["Resources"])

    # then: the function builds `url` fields on CloudFront's host, not on the execute-api host
    # the request reached the function through; the distribution depends on the HTTP API, the
    # function on the distribution, and nothing of the HTTP API itself on either
    assert public_url == f"https://<{distribution_id}.DomainName>"
    assert cycle is None, " -> ".join(cycle or [])
    outputs = synthesized.json["Outputs"]
    assert render(outputs["WebUrl"]["Value"]) == public_url
    assert render(outputs["ApiUrl"]["Value"]) == f"<{synthesized.logical_id(stack.api.http_api)}.ApiEndpoint>"


def _dependency_cycle(resources: dict[str, dict]) -> list[str] | None:
    """A cycle among the resources' Ref/GetAtt/Sub references and DependsOn, or None."""

    def references(value: object) -> set[str]:
        found: set[str] = set()
        if isinstance(value, dict):
            if isinstance(value.get("Ref"), str):
                found.add(value["Ref"])
            if "Fn::GetAtt" in value:
                target = value["Fn::GetAtt"]
                found.add(target[0] if isinstance(target, list) else target.split(".")[0])
            if "Fn::Sub" in value:
                template = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
                found.update(name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", template))
            for item in value.values():
                found |= references(item)
        elif isinstance(value, list):
            for item in value:
                found |= references(item)
        return found

    edges = {
        name: (references(resource) | set(as_list(resource.get("DependsOn", [])))) & set(resources)
        for name, resource in resources.items()
    }
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for target in sorted(edges[name]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target] if target in path else [name, target]
            if target not in state and (found := visit(target, [*path, target])):
                return found
        state[name] = 2
        return None

    for name in sorted(edges):
        if name not in state and (found := visit(name, [name])):
            return found
    return None


def test_the_cycle_check_finds_a_cycle() -> None:
    # given: a function whose environment names a distribution whose origin is that function's API
    resources = {
        "Api": {"Properties": {"Cors": {"Fn::GetAtt": ["Distribution", "DomainName"]}}},
        "Distribution": {"Properties": {"Origin": {"Fn::Join": ["", [{"Ref": "Api"}, ".x"]]}}},
        "Function": {"Properties": {"Url": {"Fn::GetAtt": ["Distribution", "DomainName"]}}},
    }

    # then
    assert _dependency_cycle(resources) == ["Api", "Distribution", "Api"]
    del resources["Api"]["Properties"]["Cors"]
    assert _dependency_cycle(resources) is None
