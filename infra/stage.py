"""Stages: several deployments of Trove side by side in one account and region (`-c stage=NAME`).

The topology (functions/core/topology.py) names each resource once, for the local stack and for AWS;
a stage suffixes those names in AWS (`trove-assets` → `trove-assets-prod`) and names the stack
(`Trove-prod`), so `dev`, `prod` and per-branch stages never share a table, queue, bucket or function.
A production stage keeps its data when the stack goes; any other stage can be destroyed cleanly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aws_cdk import Aws, RemovalPolicy

DEFAULT_STAGE = "dev"
PRODUCTION_STAGES = frozenset({"prod"})
STACK_NAME = "Trove"
# Lower-case letters and digits, short: the longest name built from it, the access-log bucket's
# `trove-access-logs-<stage>-<account>-<region>`, must stay within S3's 63 characters.
STAGE_PATTERN = re.compile(r"[a-z][a-z0-9]{0,11}")


@dataclass(frozen=True)
class Stage:
    name: str = DEFAULT_STAGE

    def __post_init__(self) -> None:
        if not STAGE_PATTERN.fullmatch(self.name):
            raise ValueError(
                f"stage must be 1 to 12 lower-case letters or digits, starting with a letter, not {self.name!r}"
            )

    @property
    def production(self) -> bool:
        return self.name in PRODUCTION_STAGES

    @property
    def stack_name(self) -> str:
        return f"{STACK_NAME}-{self.name}"

    def resource_name(self, base: str) -> str:
        """A name unique to this stage within an account and region: `trove-uploads` → `trove-uploads-dev`."""
        return f"{base}-{self.name}"

    def bucket_name(self, base: str) -> str:
        """S3 names are global: this stage's name plus the account and region it is deployed to."""
        return f"{self.resource_name(base)}-{Aws.ACCOUNT_ID}-{Aws.REGION}"

    @property
    def data_removal_policy(self) -> RemovalPolicy:
        """What happens to data (tables, buckets, the user pool) when the stack is deleted."""
        return RemovalPolicy.RETAIN if self.production else RemovalPolicy.DESTROY
