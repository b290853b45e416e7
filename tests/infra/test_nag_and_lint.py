"""cdk-nag's AWS Solutions checks and cfn-lint on the synthesized stack.

cdk-nag 3 runs as a CDK policy-validation plugin: its findings are not annotations but a validation
report, and any unacknowledged finding (error or warning) fails the synth. Acknowledgments are
recorded in the assembly's metadata with their reasons.
"""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
from aws_cdk.assertions import Annotations, Match

from tests.infra.helpers import Synthesized, synthesize

pytestmark = pytest.mark.xdist_group("cdk")

ACKNOWLEDGED = "aws:cdk:acknowledged-rules"
# CDK writes explicit DependsOn next to a GetAtt of the same resource (its own handlers and roles):
# redundant, harmless, and not ours to change.
CFN_LINT_IGNORED = ["W3005"]


def _violations(report: dict | None) -> list[str]:
    if not report:
        return []
    return [
        f"{violation['ruleName']} ({violation['severity']}) at {construct['constructPath']}: {violation['description']}"
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]


def _acknowledgments(synthesized: Synthesized) -> dict[tuple[str, str], str]:
    """(construct path, rule) → reason, as written in the assembly's metadata."""
    metadata = json.loads((synthesized.outdir / f"{synthesized.stack.artifact_id}.metadata.json").read_text())
    found = {}
    for path, entries in metadata.items():
        for entry in entries:
            if entry["type"] == ACKNOWLEDGED:
                for rule, reason in entry["data"].items():
                    found[(path.lstrip("/"), rule.removeprefix("Annotation::"))] = reason
    return found


def test_cdk_nag_aws_solutions_has_no_unacknowledged_finding(synthesized: Synthesized) -> None:
    # then
    assert synthesized.validation_error is None, "\n".join(_violations(synthesized.validation_report))
    assert _violations(synthesized.validation_report) == []


def test_the_stack_has_no_error_or_warning_annotation(synthesized: Synthesized) -> None:
    # given
    annotations = Annotations.from_stack(synthesized.stack)

    # then
    assert annotations.find_error("*", Match.any_value()) == []
    assert annotations.find_warning("*", Match.string_like_regexp("AwsSolutions-.*")) == []
    assert annotations.find_warning("*", Match.any_value()) == []


def test_every_acknowledgment_carries_a_reason(synthesized: Synthesized) -> None:
    # when
    acknowledgments = _acknowledgments(synthesized)

    # then
    assert acknowledgments, "cdk-nag acknowledgments should be in the assembly metadata"
    for (path, rule), reason in acknowledgments.items():
        assert rule.startswith("AwsSolutions-"), (path, rule)
        assert len(reason.split()) >= 8, f"{rule} on {path} needs a real reason, not {reason!r}"


def test_every_acknowledgment_answers_a_real_finding(tmp_path: Path) -> None:
    # given: the same stack with every acknowledgment withheld
    withheld = []

    class Recorder:
        @staticmethod
        def of(scope):
            return mock.Mock(acknowledge=lambda ack: withheld.append((scope.node.path, ack.id)))

    # when
    with mock.patch("infra.constructs.acknowledge.Validations", Recorder):
        bare = synthesize(tmp_path)
    findings = [
        (construct["constructPath"], violation["ruleName"])
        for plugin in (bare.validation_report or {"pluginReports": []})["pluginReports"]
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]

    # then: each acknowledgment silences at least one finding on its construct or below it
    assert withheld
    stale = [
        (scope, rule)
        for scope, rule in withheld
        if not any(
            rule == found_rule and (path == scope or path.startswith(scope + "/"))
            for path, found_rule in findings
        )
    ]
    assert stale == []


@pytest.mark.parametrize("variant", ["synthesized", "synthesized_prod", "synthesized_minimal"])
def test_cfn_lint_finds_nothing_in_the_templates(variant: str, request: pytest.FixtureRequest) -> None:
    # given: every template of dev (with its us-east-1 edge stack), prod, and dev without WAF or alarm
    # e-mail (they differ in removal policies, what empties buckets, and what is left out)
    from cfnlint.api import ManualArgs, lint_file

    synthesized: Synthesized = request.getfixturevalue(variant)
    templates = sorted(synthesized.outdir.glob("*.template.json"))

    # when
    matches = [
        str(match)
        for template in templates
        for match in lint_file(template, ManualArgs(ignore_checks=CFN_LINT_IGNORED, regions=["us-east-1"]))
    ]

    # then
    assert len(templates) == (1 if variant == "synthesized_minimal" else 2)
    assert matches == []
