"""SnapStart on the API function: published versions, the `live` alias API Gateway invokes, and the
API function's alarms and graphs on that alias."""

from __future__ import annotations

import json

import pytest

from infra.constructs.api import LIVE_ALIAS
from tests.infra.helpers import Synthesized, render

pytestmark = pytest.mark.xdist_group("cdk")


def _api_function_id(synthesized: Synthesized) -> str:
    return synthesized.logical_id(synthesized.stack.api.handler.function)


def test_the_api_function_snapshots_its_published_versions(synthesized: Synthesized) -> None:
    # when
    function = synthesized.json["Resources"][_api_function_id(synthesized)]

    # then
    assert function["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}


def test_only_the_api_function_has_snapstart(synthesized: Synthesized) -> None:
    # when: the processor and the sweep are invoked by S3/SQS and a schedule, not by people waiting
    with_snapstart = [
        logical_id
        for logical_id, function in synthesized.resources("AWS::Lambda::Function").items()
        if "SnapStart" in function["Properties"]
    ]

    # then
    assert with_snapstart == [_api_function_id(synthesized)]


def test_a_version_is_published_and_the_live_alias_points_at_it(synthesized: Synthesized) -> None:
    # given
    function = {"Ref": _api_function_id(synthesized)}

    # when
    version_id, version = synthesized.only("AWS::Lambda::Version")
    _, alias = synthesized.only("AWS::Lambda::Alias")

    # then
    assert version["Properties"]["FunctionName"] == function
    assert alias["Properties"]["Name"] == LIVE_ALIAS
    assert alias["Properties"]["FunctionName"] == function
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}


def test_a_replaced_version_is_deleted_with_its_snapshot(synthesized: Synthesized) -> None:
    # when
    _, version = synthesized.only("AWS::Lambda::Version")

    # then: not retained (CDK's default), so old versions' snapshots are not cached and billed
    assert version.get("DeletionPolicy") == "Delete"
    assert version.get("UpdateReplacePolicy") == "Delete"


def test_the_http_api_integration_invokes_the_alias_not_latest(synthesized: Synthesized) -> None:
    # given
    alias_id, _ = synthesized.only("AWS::Lambda::Alias")

    # when
    integrations = synthesized.resources("AWS::ApiGatewayV2::Integration")

    # then
    assert integrations
    for integration in integrations.values():
        assert integration["Properties"]["IntegrationUri"] == {"Ref": alias_id}


def test_api_gateway_may_invoke_the_alias(synthesized: Synthesized) -> None:
    # given
    alias_id, _ = synthesized.only("AWS::Lambda::Alias")

    # when
    permissions = [
        permission["Properties"]
        for permission in synthesized.resources("AWS::Lambda::Permission").values()
        if permission["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]

    # then: one permission per route, each on the alias
    assert permissions
    assert {json.dumps(permission["FunctionName"]) for permission in permissions} == {json.dumps({"Ref": alias_id})}


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_the_api_function_alarms_watch_the_alias(synthesized: Synthesized, metric: str) -> None:
    # given
    function = {"Ref": _api_function_id(synthesized)}

    # when
    alarms = [
        alarm["Properties"]
        for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == "AWS/Lambda"
        and alarm["Properties"].get("MetricName") == metric
        and {"Name": "FunctionName", "Value": function} in alarm["Properties"].get("Dimensions", [])
    ]

    # then: the alias's own series (FunctionName and Resource `<function>:live`)
    assert len(alarms) == 1
    resource = next(d["Value"] for d in alarms[0]["Dimensions"] if d["Name"] == "Resource")
    assert render(resource).endswith(f":{LIVE_ALIAS}")


def test_the_dashboard_graphs_the_api_function_through_its_alias(synthesized: Synthesized) -> None:
    # when
    _, dashboard = synthesized.only("AWS::CloudWatch::Dashboard")
    body = render(dashboard["Properties"]["DashboardBody"])

    # then: every per-function graph names the API function with the alias's Resource dimension
    assert f'"Resource","<{_api_function_id(synthesized)}>:{LIVE_ALIAS}"' in body
