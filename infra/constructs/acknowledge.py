"""cdk-nag findings acknowledged on purpose: one rule (or one finding of a rule) and a reason each."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge `rule` (e.g. `AwsSolutions-IAM5[Resource::*]`) on `scope` and what it contains."""
    if len(reason.strip()) < 20:
        raise ValueError(f"An acknowledgment of {rule} needs a real reason, not {reason!r}")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))
