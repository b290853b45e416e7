"""Trove's stack: storage, auth, API, processing, the sweep, web page and alarms, composed from constructs.
With the WAF on, a second, small stack in us-east-1 holds the web ACL (infra/constructs/edge.py).

Options come from CDK context (`-c key=value`, or cdk.json):

| key | default | what |
| --- | --- | --- |
| `stage` | `dev` | names the stack (`Trove-<stage>`) and every resource (infra/stage.py); `prod` keeps its data and has termination protection |
| `architecture` | `arm64` | the functions' and layers' architecture: `arm64` (Graviton) or `x86_64` (see layers/build.py) |
| `layer_source` | `auto` | `built`, `placeholder` or `auto` (see infra/constructs/layers.py); cdk.json sets `built` |
| `web_origins` | none | more origins (comma-separated) besides the CloudFront URL, e.g. a dev server: allowed by the bucket's and the API's CORS |
| `alarm_email` | none | an e-mail address subscribed to the alarm topic: this or `alarms=off` is required |
| `alarms` | `on` | `off`: deploy with nobody subscribed to the alarms, on purpose (they still change state) |
| `waf` | `on` | `off`: no WAF web ACL in front of CloudFront (and no `Trove-<stage>-edge` stack in us-east-1) |
| `cognito_threat_protection` | `false` | the Cognito Plus plan with threat protection (billed per active user) |

The keys had a `trove:` prefix before (`trove:alarmEmail`...); one given the old way fails the synth with
its new name rather than being ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_cdk import CfnOutput, Stack
from constructs import Construct, Node

from functions.core import topology
from infra.constructs.acknowledge import acknowledge
from infra.constructs.api import Api
from infra.constructs.auth import Auth
from infra.constructs.edge import EdgeStack, edge_web_acl_arn
from infra.constructs.layers import Layers
from infra.constructs.monitoring import Monitoring
from infra.constructs.processing import Processing
from infra.constructs.renditions import RenditionSigning
from infra.constructs.storage import AccessLogs, Storage
from infra.constructs.sweep import Sweep
from infra.constructs.web import Web
from infra.stage import DEFAULT_STAGE, Stage
from layers import build as layer_build

RENAMED_CONTEXT_KEYS = {
    "trove:architecture": "architecture",
    "trove:layerSource": "layer_source",
    "trove:webOrigins": "web_origins",
    "trove:alarmEmail": "alarm_email",
    "trove:cognitoThreatProtection": "cognito_threat_protection",
}

DEFAULT_LAYER_SOURCE = "auto"


@dataclass(frozen=True)
class StackOptions:
    stage: str = DEFAULT_STAGE
    architecture: str = layer_build.DEFAULT_ARCH
    layer_source: str = DEFAULT_LAYER_SOURCE
    extra_web_origins: tuple[str, ...] = field(default_factory=tuple)
    alarm_email: str | None = None
    # Deploying alarms that notify nobody must be asked for (`alarms=off`), not happen by omission.
    alarms_notify_nobody: bool = False
    waf: bool = True
    cognito_threat_protection: bool = False

    @classmethod
    def from_context(cls, node: Node) -> StackOptions:
        for old, new in RENAMED_CONTEXT_KEYS.items():
            if node.try_get_context(old) is not None:
                raise ValueError(f"The context key {old} is now {new}: use -c {new}=...")
        architecture = node.try_get_context("architecture") or layer_build.DEFAULT_ARCH
        if architecture not in layer_build.ARCHITECTURES:
            raise ValueError(
                f"architecture must be one of {layer_build.ARCHITECTURES}, not {architecture!r}"
            )
        origins = node.try_get_context("web_origins") or ()
        if isinstance(origins, str):
            origins = [origin.strip() for origin in origins.split(",")]
        return cls(
            stage=node.try_get_context("stage") or DEFAULT_STAGE,
            architecture=architecture,
            layer_source=node.try_get_context("layer_source") or DEFAULT_LAYER_SOURCE,
            extra_web_origins=tuple(origin.rstrip("/") for origin in origins if origin),
            alarm_email=node.try_get_context("alarm_email") or None,
            alarms_notify_nobody=_switch(node, "alarms", default=True) is False,
            waf=_switch(node, "waf", default=True),
            cognito_threat_protection=_switch(node, "cognito_threat_protection", default=False),
        )

    def __post_init__(self) -> None:
        if self.alarm_email and self.alarms_notify_nobody:
            raise ValueError("alarm_email and alarms=off contradict each other: give one")
        if not (self.alarm_email or self.alarms_notify_nobody):
            raise ValueError(
                "The alarms need someone to reach: -c alarm_email=you@example.com, or -c alarms=off to "
                "deploy without anyone subscribed"
            )
        if self.alarm_email and "@" not in self.alarm_email:
            raise ValueError(f"alarm_email must be an e-mail address, not {self.alarm_email!r}")


def _switch(node: Node, key: str, *, default: bool) -> bool:
    """An on/off context value."""
    value = node.try_get_context(key)
    if value is None:
        return default
    text = str(value).lower()
    if text not in ("on", "off", "true", "false"):
        raise ValueError(f"{key} must be on or off, not {value!r}")
    return text in ("on", "true")


class TroveStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        options: StackOptions,
        edge: EdgeStack | None = None,
        **kwargs,
    ) -> None:
        stage = Stage(options.stage)
        # A production stage cannot be deleted by mistake; any other can be, cleanly.
        super().__init__(scope, construct_id, termination_protection=stage.production, **kwargs)
        self.options = options
        self.stage = stage
        self.edge = edge
        if edge is not None:
            self.add_stack_dependency(edge, "the distribution uses the web ACL, whose ARN the edge stack publishes")
        self.access_logs = AccessLogs(self, "AccessLogs", stage=stage)
        self.web = Web(
            self,
            "Web",
            stage=stage,
            access_logs=self.access_logs.bucket,
            assets_bucket_name=Storage.bucket_name(stage),
            web_acl_arn=edge_web_acl_arn(self, stage) if edge is not None else None,
        )
        web_origins = [self.web.url, *options.extra_web_origins]
        self.storage = Storage(
            self, "Storage", stage=stage, access_logs=self.access_logs.bucket, web_origins=web_origins
        )
        self.auth = Auth(self, "Auth", stage=stage, threat_protection=options.cognito_threat_protection)
        self.layers = Layers(
            self, "Layers", stage=stage, architecture=options.architecture, source=options.layer_source
        )
        self.rendition_signing = RenditionSigning(
            self, "RenditionSigning", stage=stage, layers=self.layers, architecture=options.architecture
        )
        self.api = Api(
            self,
            "Api",
            stage=stage,
            storage=self.storage,
            auth=self.auth,
            layers=self.layers,
            architecture=options.architecture,
            public_url=self.web.url,
            signing=self.rendition_signing,
            cors_origins=options.extra_web_origins,
        )
        # The page and the API share the page's origin: CloudFront sends /api/* to the HTTP API.
        self.web.serve_api(self.api.http_api)
        # Token-free rendition URLs (signed, for <img srcset>): CloudFront checks and caches them.
        self.web.serve_renditions(self.rendition_signing.key_group, stage)
        self.processing = Processing(
            self,
            "Processing",
            stage=stage,
            storage=self.storage,
            layers=self.layers,
            architecture=options.architecture,
        )
        self.sweep = Sweep(
            self, "Sweep", stage=stage, storage=self.storage, layers=self.layers, architecture=options.architecture
        )
        self.web_config = topology.web_config(
            api_base="",  # the page's own origin
            auth=topology.WEB_AUTH_COGNITO,
            region=self.region,
            user_pool_id=self.auth.user_pool.user_pool_id,
            user_pool_client_id=self.auth.client.user_pool_client_id,
        )
        self.web.publish(self.web_config)
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            stage=stage,
            http_api=self.api.http_api,
            tables={"Assets": self.storage.assets_table, "Usages": self.storage.usages_table},
            processor_name=self.processing.handler.function.function_name,
            dead_letter_queue=self.storage.dead_letter_queue,
            queue=self.storage.queue,
            functions={
                # The alias: the version API Gateway invokes (SnapStart), not $LATEST.
                "Api": self.api.alias,
                "Processor": self.processing.handler.function,
                "Sweep": self.sweep.handler.function,
            },
            alarm_email=options.alarm_email,
        )
        self._outputs()
        self._acknowledge_cdk_handlers()

    def _acknowledge_cdk_handlers(self) -> None:
        """The Lambda handlers CDK itself adds (S3 notifications, the web deployment) are CDK's code with
        CDK's policies; what cdk-nag finds on them is acknowledged here, finding by finding."""
        basic_execution = "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
        for child in self.node.children:
            if child.node.id.startswith("BucketNotificationsHandler"):
                acknowledge(
                    child,
                    basic_execution,
                    "CDK's BucketNotificationsHandler (it writes the bucket's notification configuration at "
                    "deploy time) gets the managed AWSLambdaBasicExecutionRole from CDK; it only lets it write "
                    "its own logs.",
                )
            elif child.node.id.startswith("Custom::CDKBucketDeployment"):
                self._acknowledge_bucket_deployment(child, basic_execution)

    def _acknowledge_bucket_deployment(self, handler: Construct, basic_execution: str) -> None:
        what = "CDK's BucketDeployment handler (it copies web/ and config.json into the web bucket at deploy time)"
        web_bucket = self.get_logical_id(self.web.bucket.node.default_child)  # type: ignore[arg-type]
        reasons = {
            basic_execution: f"{what} gets the managed AWSLambdaBasicExecutionRole from CDK: its own logs only.",
            "AwsSolutions-L1": f"{what} runs the Python runtime CDK pins for it with its AWS CLI layer; "
            "CDK moves it forward with aws-cdk-lib releases.",
            "AwsSolutions-IAM5[Action::s3:GetObject*]": f"{what} reads the zipped web/ from the CDK assets "
            "bucket; CDK grants the read actions as s3:GetObject*.",
            "AwsSolutions-IAM5[Action::s3:GetBucket*]": f"{what} reads bucket settings of the CDK assets and "
            "web buckets (CDK's read grant, s3:GetBucket*).",
            "AwsSolutions-IAM5[Action::s3:List*]": f"{what} lists the web bucket to prune files no longer in web/.",
            "AwsSolutions-IAM5[Action::s3:DeleteObject*]": f"{what} deletes pruned files from the web bucket "
            "(and all of them when the stack is deleted).",
            "AwsSolutions-IAM5[Action::s3:Abort*]": f"{what} aborts its own failed multipart copies into the "
            "web bucket (CDK's write grant).",
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-"
            "<AWS::Region>/*]": f"{what} reads the asset zips of this deployment from the CDK bootstrap "
            "bucket, whose keys are content hashes.",
            f"AwsSolutions-IAM5[Resource::<{web_bucket}.Arn>/*]": f"{what} writes the page's files anywhere "
            "in the web bucket: that bucket holds nothing else.",
            "AwsSolutions-IAM5[Resource::*]": f"{what} invalidates CloudFront's cache after an upload; "
            "cloudfront:CreateInvalidation and GetInvalidation are granted by CDK on '*'.",
        }
        for rule, reason in reasons.items():
            acknowledge(handler, rule, reason)

    def _outputs(self) -> None:
        for name, value, description in (
            ("Stage", self.stage.name, "The stage this stack deploys: every resource name ends with it"),
            ("WebUrl", self.web.url, "The web page"),
            (
                "ApiUrl",
                self.api.url,
                "API Gateway's own URL (routes start with /api); the page calls WebUrl/api, the same API",
            ),
            ("UserPoolId", self.auth.user_pool.user_pool_id, "Cognito user pool: create users here"),
            ("UserPoolClientId", self.auth.client.user_pool_client_id, "Cognito app client of the web page"),
            ("AssetsBucketName", self.storage.bucket.bucket_name, "Uploaded files and thumbnails"),
            ("AssetsTableName", self.storage.assets_table.table_name, "Asset records"),
            (
                "DeadLetterQueueUrl",
                self.storage.dead_letter_queue.queue_url,
                "Uploads that failed processing",
            ),
            ("AlarmTopicArn", self.monitoring.topic.topic_arn, "Subscribe here to get the alarms"),
        ):
            CfnOutput(self, name, value=value, description=description)
