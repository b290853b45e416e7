"""Stages (`-c stage=NAME`): every name carries the stage, so `dev` and `prod` deploy side by side in
one account and region; `prod` keeps its data and cannot be deleted by mistake, `dev` goes cleanly."""

from __future__ import annotations

import json

import pytest

from functions.core import topology
from infra.stage import Stage
from tests.infra.helpers import Synthesized, render

pytestmark = pytest.mark.xdist_group("cdk")

# Resource types whose names are unique within an account and region (S3's worldwide), and where the
# name sits in their properties.
NAMED = {
    "AWS::DynamoDB::Table": ("TableName",),
    "AWS::SQS::Queue": ("QueueName",),
    "AWS::S3::Bucket": ("BucketName",),
    "AWS::Lambda::Function": ("FunctionName",),
    "AWS::Lambda::LayerVersion": ("LayerName",),
    "AWS::Cognito::UserPool": ("UserPoolName",),
    "AWS::ApiGatewayV2::Api": ("Name",),
    "AWS::CloudWatch::Dashboard": ("DashboardName",),
    "AWS::WAFv2::WebACL": ("Name",),
    "AWS::CloudFront::ResponseHeadersPolicy": ("ResponseHeadersPolicyConfig", "Name"),
}


def _names(synthesized: Synthesized) -> dict[str, str]:
    """logical id → the physical name the template gives it (None where CloudFormation names it)."""
    names = {}
    for logical_id, resource in synthesized.json["Resources"].items():
        if path := NAMED.get(resource["Type"]):
            value = resource.get("Properties", {})
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            names[logical_id] = render(value) if value is not None else None
    return names


def _manifest_stack(synthesized: Synthesized) -> dict:
    manifest = json.loads((synthesized.outdir / "manifest.json").read_text())
    return manifest["artifacts"][synthesized.stack.artifact_id]


def test_stage_names_are_short_lower_case_words() -> None:
    # then
    assert Stage().name == "dev"
    assert Stage("pr42").resource_name("trove-assets") == "trove-assets-pr42"
    for bad in ("Prod", "42", "pr-42", "a" * 13, ""):
        with pytest.raises(ValueError, match="stage must be"):
            Stage(bad)


def test_the_stack_and_every_named_resource_carry_the_stage(synthesized: Synthesized) -> None:
    # given
    stack = synthesized.stack
    names = _names(synthesized)
    ours = {
        synthesized.logical_id(construct)
        for construct in (
            stack.storage.assets_table,
            stack.storage.usages_table,
            stack.storage.queue,
            stack.storage.dead_letter_queue,
            stack.storage.bucket,
            stack.web.bucket,
            stack.access_logs.bucket,
            stack.api.handler.function,
            stack.processing.handler.function,
            stack.sweep.handler.function,
            stack.layers.deps,
            stack.layers.ffmpeg,
            stack.auth.user_pool,
            stack.api.http_api,
        )
    }

    # then: ours are named for the stage; what CloudFormation names (CDK's own handlers) starts with
    # the stack's name, which is the stage's
    assert stack.stack_name == "Trove-dev"
    assert ours <= {logical_id for logical_id, name in names.items() if name}
    for logical_id, name in names.items():
        if name is not None:
            assert name.endswith("-dev") or "-dev-<AWS::AccountId>-<AWS::Region>" in name, (logical_id, name)
    assert synthesized.json["Outputs"]["Stage"]["Value"] == "dev"
    assert render(synthesized.json["Outputs"]["AssetsTableName"]["Value"]).startswith("<")


def test_two_stages_share_no_name(synthesized: Synthesized, synthesized_prod: Synthesized) -> None:
    # given: (type, name) pairs; a function and an HTTP API may share a name, two tables may not
    def named(synthesized: Synthesized) -> set[tuple[str, str]]:
        resources = synthesized.json["Resources"]
        return {(resources[logical_id]["Type"], name) for logical_id, name in _names(synthesized).items() if name}

    dev, prod = named(synthesized), named(synthesized_prod)

    # then
    assert synthesized_prod.stack.stack_name == "Trove-prod"
    assert ("AWS::DynamoDB::Table", f"{topology.ASSETS_TABLE.name}-prod") in prod
    assert ("AWS::DynamoDB::Table", f"{topology.ASSETS_TABLE.name}-dev") in dev
    assert len(dev) == len(prod) >= 14
    assert dev & prod == set()


def test_prod_keeps_its_data_and_has_termination_protection(synthesized_prod: Synthesized) -> None:
    # given
    stack = synthesized_prod.stack
    resources = synthesized_prod.json["Resources"]
    data = [
        stack.storage.assets_table,
        stack.storage.usages_table,
        stack.storage.bucket,
        stack.access_logs.bucket,
        stack.auth.user_pool,
    ]

    # then
    assert synthesized_prod.validation_error is None
    assert _manifest_stack(synthesized_prod)["properties"]["terminationProtection"] is True
    for construct in data:
        resource = resources[synthesized_prod.logical_id(construct)]
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain", construct.node.path
    for table in synthesized_prod.resources("AWS::DynamoDB::Table").values():
        assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert resources[synthesized_prod.logical_id(stack.auth.user_pool)]["Properties"]["DeletionProtection"] == "ACTIVE"
    assert synthesized_prod.resources("Custom::S3AutoDeleteObjects") == {}


def test_dev_is_destroyed_with_its_stack(synthesized: Synthesized) -> None:
    # given
    stack = synthesized.stack
    resources = synthesized.json["Resources"]
    emptied = {
        render(resource["Properties"]["BucketName"])
        for resource in synthesized.resources("Custom::S3AutoDeleteObjects").values()
    }

    # then: no termination protection, nothing retained, tables and pool deletable, data buckets
    # emptied before they are deleted (the web bucket is emptied by its deployment)
    assert _manifest_stack(synthesized)["properties"].get("terminationProtection") in (None, False)
    assert [logical_id for logical_id, resource in resources.items() if resource.get("DeletionPolicy") == "Retain"] == []
    for table in synthesized.resources("AWS::DynamoDB::Table").values():
        assert table["Properties"].get("DeletionProtectionEnabled") in (None, False)
    assert resources[synthesized.logical_id(stack.auth.user_pool)]["Properties"].get("DeletionProtection") in (
        None,
        "INACTIVE",
    )
    assert emptied == {
        f"<{synthesized.logical_id(stack.storage.bucket)}>",
        f"<{synthesized.logical_id(stack.access_logs.bucket)}>",
    }
