"""The CDK app: `make synth` (python -m infra.app -c key=value ...) or `npx aws-cdk@2 synth|deploy`
(cdk.json runs `.venv/bin/python -m infra.app`, so no virtualenv needs activating).

cdk-nag's AWS Solutions checks run on every synthesis as a policy-validation plugin: an
unacknowledged finding fails the synth. Acknowledgments sit next to the resources they concern,
each with its reason.
"""

from __future__ import annotations

import argparse
import os

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.constructs.edge import EDGE_REGION, EdgeStack
from infra.stack import StackOptions, TroveStack
from infra.stage import Stage

DEFAULT_OUTDIR = "cdk.out"
# CDK feature flags, set here so `python -m infra.app` and the CLI (which adds cdk.json's context,
# and wins over these) synthesize the same template.
FEATURE_FLAGS = {
    # Server access logs are delivered through a bucket policy, not the legacy LogDeliveryWrite ACL.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    "@aws-cdk/aws-s3:createDefaultLoggingPolicy": True,
    "@aws-cdk/aws-lambda:recognizeLayerVersion": True,
    "@aws-cdk/core:enablePartitionLiterals": True,
    "@aws-cdk/aws-cloudfront:defaultSecurityPolicyTLSv1.2_2021": True,
}


def build_app(outdir: str | None = None, context: dict | None = None) -> tuple[cdk.App, TroveStack]:
    # The CDK CLI tells the app where to write through CDK_OUTDIR; by hand it is cdk.out.
    app = cdk.App(
        outdir=outdir or os.environ.get("CDK_OUTDIR") or DEFAULT_OUTDIR,
        context={**FEATURE_FLAGS, **(context or {})},
    )
    account, region = os.environ.get("CDK_DEFAULT_ACCOUNT"), os.environ.get("CDK_DEFAULT_REGION")
    options = StackOptions.from_context(app.node)
    stage = Stage(options.stage)
    # CloudFront's web ACL must be in us-east-1: a stack of its own there, in the same account.
    edge = (
        EdgeStack(
            app,
            f"{stage.stack_name}-edge",
            stage=stage,
            env=cdk.Environment(account=account, region=EDGE_REGION),
            description=f"Trove ({stage.name}): the WAF web ACL in front of CloudFront",
        )
        if options.waf
        else None
    )
    stack = TroveStack(
        app,
        stage.stack_name,
        options=options,
        edge=edge,
        # Environment-agnostic when synthesized offline; the CLI fills in the account and region.
        env=cdk.Environment(account=account, region=region) if account and region else None,
        description="Trove: serverless asset service (uploads to S3, processing, API, web page)",
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def context_arguments(argv: list[str] | None = None) -> dict[str, str]:
    """`-c key=value` (repeatable), as the CDK CLI takes them: `python -m infra.app -c stage=prod`."""
    parser = argparse.ArgumentParser(prog="python -m infra.app", description="Synthesize Trove's stack")
    parser.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE")
    pairs = parser.parse_args(argv).context
    if malformed := [pair for pair in pairs if "=" not in pair]:
        parser.error(f"context values are KEY=VALUE, not {', '.join(malformed)}")
    return dict(pair.split("=", 1) for pair in pairs)


def main(argv: list[str] | None = None) -> None:
    app, _ = build_app(context=context_arguments(argv))
    app.synth()


if __name__ == "__main__":
    main()
