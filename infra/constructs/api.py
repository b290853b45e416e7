"""The HTTP API and the API function behind it.

Every route needs a Cognito JWT except `GET /api/openapi.json`, the public API description, and
`GET /renditions/{proxy+}`, the token-free rendition URLs, whose CloudFront signatures the function
checks itself (infra/constructs/renditions.py). The web
page calls the API on its own origin (CloudFront's `/api/*` behaviour, infra/constructs/web.py), so
it needs no CORS; preflights are answered by API Gateway only for the extra origins given (a dev
server). The function may do items (not scans, not table admin) on the two tables and their declared
indexes, and on the assets bucket only what presigning, cleaning up and the processor's code (the
synchronous upload path) need, each under its own key prefix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.core import topology
from functions.core.settings import ENV_NAMES
from infra.constructs.acknowledge import acknowledge
from infra.constructs.auth import Auth
from infra.constructs.function import LOG_RETENTION, TroveFunction
from infra.constructs.layers import MAGIC_FILE, Layers
from infra.constructs.processing import allow_processing
from infra.constructs.renditions import RenditionSigning
from infra.constructs.storage import Storage
from infra.stage import Stage

HANDLER = "functions.api.handler.lambda_handler"
NAME = "trove-api"
# The alias API Gateway invokes: the version published with this deployment, restored from its
# SnapStart snapshot (functions/api/priming.py primes it), never $LATEST.
LIVE_ALIAS = "live"
# Everything the API serves sits under the API prefix; one proxy route carries it to the function.
PROXY_PATH = f"{topology.API_PREFIX}/{{proxy+}}"
RENDITIONS_PROXY_PATH = f"{topology.RENDITION_LINKS_PATH}/{{proxy+}}"
# Item-level DynamoDB actions: what the use cases do, batched or not. No Scan, no table admin.
TABLE_ITEM_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:Query",
]
THROTTLE_RATE_PER_SECOND = 100
THROTTLE_BURST = 200
CORS_ALLOWED_HEADERS = ["authorization", "content-type"]
CORS_EXPOSED_HEADERS = ["x-next-cursor", "location"]
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
    "user": "$context.authorizer.claims.sub",
}


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        storage: Storage,
        auth: Auth,
        layers: Layers,
        architecture: str,
        public_url: str,
        signing: RenditionSigning,
        cors_origins: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.handler = TroveFunction(
            self,
            "Handler",
            name=stage.resource_name(NAME),
            handler=HANDLER,
            description="Trove API: asset records, presigned uploads and downloads, usages",
            architecture=architecture,
            memory_mb=1024,
            timeout=Duration.seconds(15),
            environment={
                ENV_NAMES["table_name"]: storage.assets_table.table_name,
                ENV_NAMES["usages_table_name"]: storage.usages_table.table_name,
                ENV_NAMES["bucket_name"]: storage.bucket.bucket_name,
                # The base of the `url` fields: the page's origin (CloudFront), not the
                # execute-api host each request arrives on. No cycle: the distribution needs the
                # HTTP API's id, and the HTTP API does not need this function or the distribution.
                ENV_NAMES["public_base_url"]: public_url,
                # Token-free rendition URLs: the CloudFront public key's id, and the secret with its
                # private half (read on first use, GetSecretValue on this secret only).
                ENV_NAMES["rendition_key_pair_id"]: signing.public_key.public_key_id,
                ENV_NAMES["rendition_key_secret"]: signing.secret.secret_arn,
                "MAGIC": MAGIC_FILE,
            },
            # POST /api/v2/upload-asset runs the processor's code on the request's file: the same
            # libraries (FFmpeg included) and the same S3 rights as the processor.
            layers=[layers.deps, layers.ffmpeg],
        )
        self._grant(storage)
        self.handler.allow(
            "ReadRenditionSigningKey", ["secretsmanager:GetSecretValue"], [signing.secret.secret_arn]
        )
        self.alias = self._snap_start()
        self.http_api = apigw.HttpApi(
            self,
            "HttpApi",
            api_name=stage.resource_name(NAME),
            description=f"Trove API ({stage.name})",
            create_default_stage=False,
            cors_preflight=self._cors(cors_origins),
        )
        self.stage = self._stage()
        integration = integrations.HttpLambdaIntegration("Integration", self.alias)
        self.protected_routes = self.http_api.add_routes(
            path=PROXY_PATH,
            methods=[apigw.HttpMethod.ANY],
            integration=integration,
            authorizer=auth.authorizer,
        )
        self.public_routes = self.http_api.add_routes(
            path=topology.OPENAPI_PATH,
            methods=[apigw.HttpMethod.GET],
            integration=integration,
            authorizer=apigw.HttpNoneAuthorizer(),
        )
        # Token-free rendition URLs, behind CloudFront's `/renditions/*` behaviour: no JWT (an <img>
        # cannot send one); the function checks each URL's CloudFront signature itself.
        # HEAD too: CloudFront's behaviour allows it, and forwards one it has not cached.
        self.signed_routes = self.http_api.add_routes(
            path=RENDITIONS_PROXY_PATH,
            methods=[apigw.HttpMethod.GET, apigw.HttpMethod.HEAD],
            integration=integration,
            authorizer=apigw.HttpNoneAuthorizer(),
        )
        for route in self.signed_routes:
            acknowledge(
                route,
                "AwsSolutions-APIG4",
                "GET and HEAD /renditions/{proxy+} serve token-free rendition URLs to <img srcset>, which cannot send "
                "a token: the function refuses (403) any URL without a valid CloudFront signature of the "
                "stack's key pair, as CloudFront's trusted key group does before it.",
            )
        for route in self.public_routes:
            acknowledge(
                route,
                "AwsSolutions-APIG4",
                "GET /api/openapi.json is the public description of the API (no data, no user); every "
                "other route needs a Cognito JWT.",
            )
        # API Gateway's own base URL: the $default stage has no path of its own. The page does not
        # call it (it calls its own origin's /api/*); scripts and a dev server may.
        self.url = self.http_api.api_endpoint

    def _snap_start(self) -> lambda_.Alias:
        """SnapStart on published versions, and the `live` alias on this deployment's version.

        Lambda initialises a published version once (imports, and the priming hook of
        functions/api/priming.py: every route's models, the S3 and DynamoDB clients) and resumes new
        sandboxes from that snapshot. `current_version` publishes a new version whenever the function's
        code or configuration changes; the alias moves to it in the same deployment."""
        function = self.handler.function
        cfn_function: lambda_.CfnFunction = function.node.default_child  # type: ignore[assignment]
        cfn_function.snap_start = lambda_.CfnFunction.SnapStartProperty(apply_on="PublishedVersions")
        version = function.current_version
        # CDK keeps replaced versions by default; each would keep its snapshot, billed while cached. The
        # alias moves to the new version before CloudFormation's cleanup deletes the old one.
        version.apply_removal_policy(RemovalPolicy.DESTROY)
        return lambda_.Alias(
            self,
            "LiveAlias",
            alias_name=LIVE_ALIAS,
            version=version,
            description="What API Gateway invokes: the deployed version, restored from its SnapStart snapshot",
        )

    @staticmethod
    def _cors(origins: Sequence[str]) -> apigw.CorsPreflightOptions | None:
        """CORS for origins other than the page's (which is the API's own, through CloudFront). Naming
        the CloudFront URL here would also make a cycle: the distribution's `/api/*` origin is this
        API."""
        if not origins:
            return None
        return apigw.CorsPreflightOptions(
            allow_origins=list(origins),
            allow_methods=[
                apigw.CorsHttpMethod.GET,
                apigw.CorsHttpMethod.HEAD,
                apigw.CorsHttpMethod.POST,
                apigw.CorsHttpMethod.PUT,
                apigw.CorsHttpMethod.PATCH,
                apigw.CorsHttpMethod.DELETE,
                apigw.CorsHttpMethod.OPTIONS,
            ],
            allow_headers=CORS_ALLOWED_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
            max_age=Duration.hours(1),
        )

    def _stage(self) -> apigw.HttpStage:
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        stage = apigw.HttpStage(
            self,
            "DefaultStage",
            http_api=self.http_api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigw.ThrottleSettings(rate_limit=THROTTLE_RATE_PER_SECOND, burst_limit=THROTTLE_BURST),
        )
        cfn_stage: apigw.CfnStage = stage.node.default_child  # type: ignore[assignment]
        cfn_stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
            destination_arn=self.access_logs.log_group_arn,
            format=json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":")),
        )
        return stage

    def _grant(self, storage: Storage) -> None:
        spec, bucket, handler = topology.BUCKET, storage.bucket, self.handler
        handler.allow(
            "AssetsTableItems",
            TABLE_ITEM_ACTIONS,
            [
                storage.assets_table.table_arn,
                *storage.index_arns(storage.assets_table, topology.ASSETS_TABLE),
            ],
        )
        handler.allow(
            "UsagesTableItems",
            TABLE_ITEM_ACTIONS,
            [
                storage.usages_table.table_arn,
                *storage.index_arns(storage.usages_table, topology.USAGES_TABLE),
            ],
        )
        # A presigned POST is signed with this role's credentials: S3 checks PutObject on the key. The
        # multipart upload path puts the request's file there too.
        handler.allow_objects("PresignUploads", ["s3:PutObject"], bucket, [spec.uploads_prefix])
        # Presigned GETs (redirects) name only checked files and thumbnails, never an upload.
        handler.allow_objects(
            "PresignDownloads", ["s3:GetObject"], bucket, [spec.files_prefix, spec.thumbnails_prefix]
        )
        # DELETE of an asset (and the cascades) removes whatever it has under the three prefixes.
        # Renditions: made on request (PutObject), answered by the token-free path (GetObject) or
        # presigned; deleted with the asset (the listing and deletion for new bytes come with processing).
        handler.allow_objects(
            "Renditions", ["s3:GetObject", "s3:PutObject"], bucket, [topology.RENDITIONS_PREFIX]
        )
        handler.allow_objects(
            "DeleteAssetObjects",
            ["s3:DeleteObject"],
            bucket,
            [spec.uploads_prefix, spec.files_prefix, spec.thumbnails_prefix],
        )
        # The multipart upload path runs the processor's code in the request.
        allow_processing(handler, storage)
