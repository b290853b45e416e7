"""Security at the edge: the WAF web ACL in front of CloudFront, and the headers CloudFront adds.

A web ACL for CloudFront must live in us-east-1, whatever region the stack is in, so it gets a stack of
its own there (`Trove-<stage>-edge`, deployed first). It stores the ACL's ARN in an SSM parameter in
us-east-1; the main stack reads that parameter at deploy time with a custom resource. That works in
any region and with environment-agnostic synths (CDK's own cross-region references need both regions
known at synth time). `-c waf=off` leaves both out.

The web ACL: AWS's managed common, known-bad-inputs and IP-reputation rule groups, and a rate-based
rule blocking an IP that sends more than `RATE_LIMIT_PER_IP` requests in five minutes.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, Duration, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from aws_cdk import aws_wafv2 as wafv2
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.constructs.acknowledge import acknowledge
from infra.stage import Stage

# CloudFront's web ACLs, its certificates and its control plane are in us-east-1.
EDGE_REGION = "us-east-1"
# CDK's AwsCustomResource runs one handler per stack, a singleton at the stack's root with this id.
AWS_CUSTOM_RESOURCE_HANDLER = "AWS679f53fac002430cb0da5b7982bd2287"
WEB_ACL = "trove-web"
# Per client IP, over WAF's five-minute window: a user listing, uploading and viewing thumbnails makes
# a few hundred requests; 2,000 (about 7 a second, sustained) is a script, not a person.
RATE_LIMIT_PER_IP = 2000
RATE_WINDOW_SECONDS = 300
# The common rule set inspects request bodies, which here are code (lineage scans: JavaScript, SQL),
# files (the multipart upload, up to 4 MB) and JSON that authenticated users send on purpose: its body
# rules would block a script containing `<script>` or a path like `../`, and any body over 8 KB. They
# count instead of blocking; the URI, query, header and cookie rules block.
COMMON_RULES_COUNTED = (
    "SizeRestrictions_BODY",
    "CrossSiteScripting_BODY",
    "GenericLFI_BODY",
    "GenericRFI_BODY",
    "EC2MetaDataSSRF_BODY",
)
MANAGED_RULE_GROUPS = (
    ("AWSManagedRulesCommonRuleSet", COMMON_RULES_COUNTED),
    ("AWSManagedRulesKnownBadInputsRuleSet", ()),
    ("AWSManagedRulesAmazonIpReputationList", ()),
)
HSTS_MAX_AGE = Duration.days(730)


def web_acl_parameter(stage: Stage) -> str:
    return f"/trove/{stage.name}/web-acl-arn"


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )


class EdgeStack(Stack):
    """The web ACL, in us-east-1, and the parameter the main stack finds it by."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: Stage, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        name = stage.resource_name(WEB_ACL)
        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS",
                        name=group,
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                            )
                            for rule in counted
                        ]
                        or None,
                    )
                ),
                visibility_config=_visibility(f"{name}-{group}"),
            )
            for priority, (group, counted) in enumerate(MANAGED_RULE_GROUPS, start=1)
        ]
        rules.insert(
            0,
            wafv2.CfnWebACL.RuleProperty(
                name="RatePerIp",
                priority=0,
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        aggregate_key_type="IP",
                        limit=RATE_LIMIT_PER_IP,
                        evaluation_window_sec=RATE_WINDOW_SECONDS,
                    )
                ),
                visibility_config=_visibility(f"{name}-rate-per-ip"),
            ),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=name,
            description=f"Trove web page and API behind CloudFront, stage {stage.name}",
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=rules,
            visibility_config=_visibility(name),
        )
        ssm.StringParameter(
            self,
            "WebAclArn",
            parameter_name=web_acl_parameter(stage),
            string_value=self.web_acl.attr_arn,
            description=f"The ARN of Trove's CloudFront web ACL ({stage.name}), read by {stage.stack_name}",
        )


def edge_web_acl_arn(scope: Construct, stage: Stage) -> str:
    """The web ACL's ARN, read from us-east-1 at deploy time (on create and on every update)."""
    parameter = web_acl_parameter(stage)
    read = cr.AwsSdkCall(
        service="SSM",
        action="getParameter",
        parameters={"Name": parameter},
        region=EDGE_REGION,
        physical_resource_id=cr.PhysicalResourceId.of(parameter),
    )
    reader = cr.AwsCustomResource(
        scope,
        "WebAclArn",
        on_create=read,
        on_update=read,
        policy=cr.AwsCustomResourcePolicy.from_statements(
            [
                iam.PolicyStatement(
                    actions=["ssm:GetParameter"],
                    resources=[
                        f"arn:{Aws.PARTITION}:ssm:{EDGE_REGION}:{Aws.ACCOUNT_ID}:parameter{parameter}"
                    ],
                )
            ]
        ),
        install_latest_aws_sdk=False,
    )
    acknowledge(
        Stack.of(scope).node.find_child(AWS_CUSTOM_RESOURCE_HANDLER),
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "CDK's AwsCustomResource handler (it reads the web ACL's ARN from SSM in us-east-1 at deploy "
        "time) gets the managed AWSLambdaBasicExecutionRole from CDK: it writes its own logs only.",
    )
    return reader.get_response_field("Parameter.Value")


def security_headers(
    scope: Construct, stage: Stage, *, assets_bucket_name: str, region: str
) -> cloudfront.ResponseHeadersPolicy:
    """HSTS, no framing, no MIME sniffing, and a Content-Security-Policy naming exactly what the page
    talks to: its own origin (page and API), Cognito's endpoint of the region, and the assets bucket
    (presigned POSTs for uploads, presigned GETs after the API's redirects). The functions presign
    path-style URLs, so the bucket is a path on S3's regional host (its global host in us-east-1): a
    POST goes to `https://<host>/<bucket>` exactly, a GET to `https://<host>/<bucket>/<key>`, and a CSP
    path ending in `/` matches only the second."""
    directives = content_security_policy(
        cognito=f"https://cognito-idp.{region}.amazonaws.com",
        bucket_urls=assets_bucket_urls(assets_bucket_name, region),
    )
    return cloudfront.ResponseHeadersPolicy(
        scope,
        "SecurityHeaders",
        response_headers_policy_name=stage.resource_name("trove-security-headers"),
        comment=f"Trove web page ({stage.name}): CSP, HSTS, no framing",
        security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
            content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                content_security_policy=directives, override=True
            ),
            strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                access_control_max_age=HSTS_MAX_AGE, include_subdomains=True, preload=False, override=True
            ),
            frame_options=cloudfront.ResponseHeadersFrameOptions(
                frame_option=cloudfront.HeadersFrameOption.DENY, override=True
            ),
            content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
            referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
            ),
        ),
    )


def assets_bucket_urls(bucket_name: str, region: str) -> list[str]:
    """The bucket as the functions' path-style presigned URLs name it, on S3's regional and global hosts."""
    return [f"https://{host}/{bucket_name}" for host in (f"s3.{region}.amazonaws.com", "s3.amazonaws.com")]


def content_security_policy(*, cognito: str, bucket_urls: Sequence[str]) -> str:
    """The page's policy: scripts and styles from its own origin only, nothing may frame it. Objects
    are read under `<bucket URL>/`; uploads are posted to the bucket URL itself."""
    bucket = " ".join(f"{url}/" for url in bucket_urls)
    uploads = " ".join(bucket_urls)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": f"'self' blob: data: {bucket}",
        "media-src": f"'self' blob: {bucket}",
        "connect-src": f"'self' {cognito} {bucket} {uploads}",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-src": "'none'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())
