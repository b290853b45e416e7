"""Helpers to synthesize Trove's CDK stack and read its template."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_CONTEXT = {"layer_source": "placeholder", "alarm_email": "alarms@example.com"}


@dataclass
class Synthesized:
    app: Any  # aws_cdk.App
    stack: Any  # infra.stack.TroveStack
    template: Any  # aws_cdk.assertions.Template
    json: dict
    outdir: Path
    validation_error: str | None
    validation_report: dict | None

    def resources(self, resource_type: str) -> dict[str, dict]:
        return {
            logical_id: resource
            for logical_id, resource in self.json["Resources"].items()
            if resource["Type"] == resource_type
        }

    def only(self, resource_type: str) -> tuple[str, dict]:
        found = self.resources(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.items()))

    def logical_id(self, construct: Any) -> str:
        """The logical id of an L2 construct's CloudFormation resource (or of an L1 itself)."""
        element = getattr(construct.node, "default_child", None) or construct
        return self.stack.resolve(self.stack.get_logical_id(element))

    def policy_statements(self, role: Any) -> list[dict]:
        """Every statement of the IAM policies attached to a role."""
        role_id = self.logical_id(role)
        statements = []
        for policy in self.resources("AWS::IAM::Policy").values():
            if {"Ref": role_id} in policy["Properties"]["Roles"]:
                statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
        return statements

    def asset_dir(self, object_key: str) -> Path:
        """The staged directory of a file asset, from its S3 object key (`<hash>.zip`)."""
        assets = json.loads((self.outdir / f"{self.stack.artifact_id}.assets.json").read_text())
        source = assets["files"][object_key.removesuffix(".zip")]["source"]
        return self.outdir / source["path"]


def render(value: Any) -> Any:
    """CloudFormation intrinsics as readable text: `{"Fn::GetAtt": ["B", "Arn"]}` → `<B.Arn>`,
    `{"Ref": "T"}` → `<T>`, `Fn::Join` concatenated; lists and plain strings pass through."""
    if isinstance(value, list):
        return [render(item) for item in value]
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            resource, attribute = value["Fn::GetAtt"]
            return f"<{resource}.{attribute}>"
        if "Ref" in value:
            return f"<{value['Ref']}>"
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(str(render(part)) for part in parts)
        if "Fn::Sub" in value:
            return value["Fn::Sub"]
    return value


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def grants(statements: list[dict], service: str) -> set[tuple[str, str]]:
    """The (action, resource) pairs a set of Allow statements grants for one service prefix."""
    pairs = set()
    for statement in statements:
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            if action.startswith(f"{service}:"):
                pairs.update((action, render(resource)) for resource in as_list(statement["Resource"]))
    return pairs


def synthesize(outdir: Path, context: dict | None = None) -> Synthesized:
    from aws_cdk.assertions import Template

    from infra.app import build_app

    app, stack = build_app(outdir=str(outdir), context={**TEST_CONTEXT, **(context or {})})
    error = None
    try:
        app.synth()  # runs cdk-nag: an unacknowledged finding raises ValidationFailed
    except RuntimeError as failure:
        if "ValidationFailed" not in str(failure):
            raise
        error = str(failure)
    report_file = outdir / "validation-report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else None
    if error is None:
        template = Template.from_stack(stack)  # the assembly app.synth() just made
        template_json = template.to_json()
    else:  # the template was still written: let the other tests say what they can
        template_json = json.loads((outdir / stack.template_file).read_text())
        template = Template.from_json(template_json)
    return Synthesized(app, stack, template, template_json, outdir, error, report)
