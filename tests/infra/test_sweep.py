"""The sweep in AWS: its function and the two EventBridge schedules that invoke it."""

from __future__ import annotations

import json

import pytest

from functions.sweep.scope import EVERY_MINUTES, Scope
from infra.constructs import sweep as construct
from tests.infra.helpers import Synthesized

pytestmark = pytest.mark.xdist_group("cdk")


def test_each_scope_has_a_schedule_that_invokes_the_sweep_with_it(synthesized: Synthesized) -> None:
    # given
    function_id = synthesized.logical_id(synthesized.stack.sweep.handler.function)

    # when
    rules = {
        json.loads(target["Input"])["scope"]: (rule["Properties"]["ScheduleExpression"], target)
        for rule in synthesized.resources("AWS::Events::Rule").values()
        for target in rule["Properties"]["Targets"]
    }

    # then
    assert rules.keys() == {scope.value for scope in Scope}
    assert rules[Scope.UPLOADS][0] == "rate(15 minutes)"
    assert rules[Scope.FULL][0] == "rate(1 day)"
    assert EVERY_MINUTES[Scope.FULL] == 24 * 60
    for _, target in rules.values():
        assert target["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}


def test_only_the_schedules_may_invoke_the_sweep(synthesized: Synthesized) -> None:
    # given
    function_id = synthesized.logical_id(synthesized.stack.sweep.handler.function)
    rule_ids = {synthesized.logical_id(rule) for rule in synthesized.stack.sweep.rules.values()}

    # when
    permissions = [
        permission["Properties"]
        for permission in synthesized.resources("AWS::Lambda::Permission").values()
        if permission["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]

    # then
    assert {permission["Principal"] for permission in permissions} == {"events.amazonaws.com"}
    assert {permission["SourceArn"]["Fn::GetAtt"][0] for permission in permissions} == rule_ids


def test_the_sweep_runs_the_processors_code_with_its_layers_and_a_bounded_timeout(
    synthesized: Synthesized,
) -> None:
    # given
    stack = synthesized.stack
    sweep = synthesized.json["Resources"][synthesized.logical_id(stack.sweep.handler.function)]
    processor = synthesized.json["Resources"][synthesized.logical_id(stack.processing.handler.function)]

    # then: the processor's layers, memory and environment; a pass ends well before the next one
    properties = sweep["Properties"]
    assert properties["Handler"] == construct.HANDLER == "functions.sweep.handler.lambda_handler"
    assert properties["Layers"] == processor["Properties"]["Layers"]
    assert properties["MemorySize"] == processor["Properties"]["MemorySize"]
    assert properties["Environment"] == processor["Properties"]["Environment"]
    assert properties["Timeout"] < EVERY_MINUTES[Scope.UPLOADS] * 60
    assert properties["TracingConfig"] == {"Mode": "Active"}
