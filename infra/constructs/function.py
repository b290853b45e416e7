"""A Trove Lambda function: the `functions/` package as code, its own role, log group and grants.

Each function gets a role of its own with no managed policy: it may write its own log group, send
X-Ray traces, and whatever its construct grants with `allow` (exact ARNs and key prefixes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from aws_cdk import Duration, IgnoreMode, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.acknowledge import acknowledge
from layers import build as layer_build

REPO_ROOT = Path(__file__).resolve().parents[2]
# The code asset is the repository with everything but `functions/` left out, so `functions.*`
# imports the same way in Lambda as locally.
CODE_EXCLUDES = ["/*", "!/functions/", "__pycache__/", "*.pyc", "tests/", ".pytest_cache/"]
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
# The layers are built for this Python; the runtime follows it (see layers/build.py).
RUNTIME: lambda_.Runtime = getattr(lambda_.Runtime, "PYTHON_" + layer_build.TARGET_PYTHON.replace(".", "_"))
ARCHITECTURES = {"x86_64": lambda_.Architecture.X86_64, "arm64": lambda_.Architecture.ARM_64}


def functions_code() -> lambda_.Code:
    return lambda_.Code.from_asset(str(REPO_ROOT), exclude=CODE_EXCLUDES, ignore_mode=IgnoreMode.GIT)


class TroveFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        handler: str,
        description: str,
        architecture: str,
        memory_mb: int,
        timeout: Duration,
        environment: Mapping[str, str],
        layers: Sequence[lambda_.ILayerVersion],
        code: lambda_.Code | None = None,
    ) -> None:
        """`code`: the `functions/` package unless given (a deploy-time helper brings its own)."""
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self, "Logs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{description}: its log group, X-Ray, and the grants of its construct",
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=name,
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURES[architecture],
            handler=handler,
            code=code or functions_code(),
            layers=list(layers),
            memory_size=memory_mb,
            timeout=timeout,
            environment=dict(environment),
            role=self.role,
            log_group=self.log_group,
            tracing=lambda_.Tracing.ACTIVE,
        )
        self.log_group.grant_write(self.role)
        self._acknowledged: set[str] = set()
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no "
            "resource-level permissions (the X-Ray service authorization reference lists no resource "
            "types for them); every other statement of this role names exact ARNs or key prefixes.",
        )
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            f"Python {layer_build.TARGET_PYTHON} on purpose: the deps and FFmpeg layers are built from "
            f"cp{layer_build.TARGET_PYTHON.replace('.', '')} wheels (layers/build.py TARGET_PYTHON); the "
            "runtime and the layers move together when TARGET_PYTHON changes.",
        )

    def allow(
        self,
        sid: str,
        actions: Sequence[str],
        resources: Sequence[str],
        conditions: Mapping[str, Mapping[str, str | list[str]]] | None = None,
    ) -> None:
        """One explicit statement on this function's role (with IAM conditions, if given)."""
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid=sid,
                effect=iam.Effect.ALLOW,
                actions=list(actions),
                resources=list(resources),
                conditions={operator: dict(values) for operator, values in (conditions or {}).items()}
                or None,
            )
        )

    def allow_listing(self, sid: str, bucket: s3.IBucket, prefixes: Sequence[str]) -> None:
        """s3:ListBucket for keys under some prefixes only. Without it S3 answers a HEAD of a missing
        key with 403, which the processor cannot tell from a real refusal and would retry until the
        DLQ; with it, 404 ("gone"). S3 checks the missing key as the listing's s3:prefix, so the grant
        stays within the prefixes."""
        patterns = [f"{prefix}*" for prefix in prefixes]
        self.allow(
            sid, ["s3:ListBucket"], [bucket.bucket_arn], conditions={"StringLike": {"s3:prefix": patterns}}
        )

    def allow_objects(
        self, sid: str, actions: Sequence[str], bucket: s3.IBucket, prefixes: Sequence[str]
    ) -> None:
        """A statement on the objects under some key prefixes of one bucket (`<bucket>/uploads/*`).

        The trailing `*` of a prefix is the only wildcard a Trove function's role has; cdk-nag flags
        it, and it is acknowledged here, once per prefix, for this role only."""
        self.allow(sid, actions, [bucket.arn_for_objects(f"{prefix}*") for prefix in prefixes])
        logical_id = Stack.of(bucket).get_logical_id(bucket.node.default_child)  # type: ignore[arg-type]
        for prefix in prefixes:
            finding = f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/{prefix}*]"
            if finding not in self._acknowledged:
                self._acknowledged.add(finding)
                acknowledge(
                    self.role,
                    finding,
                    f"Scoped to the {prefix} key prefix, where every key is `{prefix}<asset UUID>...` made "
                    "by the service; the function needs these actions on any asset's object there and on "
                    "nothing outside the prefix.",
                )
