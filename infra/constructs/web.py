"""The web page: the static files of `web/` in a private bucket, served by CloudFront through an
origin access control, plus a `config.json` generated at deploy time that tells the page how to sign
in (which Cognito app client) and where the API is: on the page's own origin, where a CloudFront
behaviour sends `/api/*` to the HTTP API.

Same origin matters for media: the API answers a file or thumbnail with a 302 to a presigned S3 URL,
and a redirect from another origin makes Chromium send `Origin: null` to S3, which the bucket's CORS
rule (the page's origin) refuses.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from functions.core import topology
from functions.renditions.signing import SIGNATURE_PARAMS
from infra.constructs.acknowledge import acknowledge
from infra.constructs.edge import security_headers
from infra.constructs.function import LOG_RETENTION
from infra.constructs.storage import private_bucket
from infra.stage import Stage

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
CONFIG_FILE = topology.WEB_CONFIG_FILE
# What CloudFront sends to the HTTP API instead of the web bucket.
API_PATH_PATTERN = f"{topology.API_PREFIX}/*"
# Token-free rendition URLs: signed URLs only, to the HTTP API too (infra/constructs/renditions.py).
RENDITIONS_PATH_PATTERN = f"{topology.RENDITION_LINKS_PATH}/*"
WEB_BUCKET = "trove-web"
# Files of web/ that are not part of the page; config.json is generated below.
WEB_EXCLUDES = [CONFIG_FILE, "tests/*", "*.md", "node_modules/*", ".*"]


class Web(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        access_logs: s3.IBucket,
        assets_bucket_name: str,
        web_acl_arn: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Bucket",
            bucket_name=stage.bucket_name(WEB_BUCKET),
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="s3/web/",
            # Only the deployment's files live here, and the deployment removes them on delete.
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.headers = security_headers(
            self, stage, assets_bucket_name=assets_bucket_name, region=Stack.of(self).region
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            web_acl_id=web_acl_arn,
            comment=f"Trove web page ({stage.name})",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
                compress=True,
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix="cloudfront/",
        )
        self.url = f"https://{self.distribution.distribution_domain_name}"
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "The distribution uses the default *.cloudfront.net certificate, with which CloudFront "
            "cannot enforce TLSv1.2 as a minimum; serving the page on a custom domain with an ACM "
            "certificate (and TLSv1.2_2021) is the way to lift this.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "Trove's users are not bound to any country; there is no geographic restriction to apply.",
        )
        if web_acl_arn is None:
            acknowledge(
                self.distribution,
                "AwsSolutions-CFR2",
                "Deployed with -c waf=off, on purpose: the HTTP API behind /api/* still checks a Cognito "
                "JWT on every route but the OpenAPI document and is throttled at its stage.",
            )

    def serve_api(self, http_api: apigw.IHttpApi) -> None:
        """`/api/*` on the page's origin goes to the HTTP API's own endpoint, uncached, with every viewer
        header (the Authorization header included) and the query string, but with the API's Host: API
        Gateway answers 403 to a Host it does not serve."""
        stack = Stack.of(self)
        domain = f"{http_api.api_id}.execute-api.{stack.region}.{stack.url_suffix}"
        self.api_origin = origins.HttpOrigin(
            domain,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        self.distribution.add_behavior(
            API_PATH_PATTERN,
            self.api_origin,
            # No redirect to HTTPS here: a redirected POST would arrive as a GET. The page is HTTPS.
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=self.headers,
            # Nothing is cached, so CloudFront would not compress anyway; say so.
            compress=False,
        )

    def serve_renditions(self, key_group: cloudfront.IKeyGroup, stage: Stage) -> cloudfront.CachePolicy:
        """`/renditions/*` (token-free rendition URLs) goes to the same HTTP API, for signed URLs only:
        CloudFront checks each request's signature against the key group, then answers from its cache,
        keyed on the path alone (the asset, the content version and the spec: the bytes never change
        under a path); a miss asks the API with the signature's parameters, which checks it again and
        renders (docs/decisions.md, "Renditions at the edge")."""
        window = topology.RENDITION_LINK_WINDOW_SECONDS
        self.renditions_cache = cloudfront.CachePolicy(
            self,
            "RenditionsCache",
            cache_policy_name=stage.resource_name("trove-renditions"),
            comment="Token-free renditions: keyed on the path, kept while its URLs live (origin's max-age)",
            default_ttl=Duration.seconds(window),
            min_ttl=Duration.seconds(0),
            max_ttl=Duration.seconds(2 * window),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.none(),
            header_behavior=cloudfront.CacheHeaderBehavior.none(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
        )
        self.renditions_origin_request = cloudfront.OriginRequestPolicy(
            self,
            "RenditionsOriginRequest",
            origin_request_policy_name=stage.resource_name("trove-renditions"),
            comment="Token-free renditions: the origin gets the signature to check it again, nothing else",
            query_string_behavior=cloudfront.OriginRequestQueryStringBehavior.allow_list(*SIGNATURE_PARAMS),
            header_behavior=cloudfront.OriginRequestHeaderBehavior.none(),
            cookie_behavior=cloudfront.OriginRequestCookieBehavior.none(),
        )
        self.distribution.add_behavior(
            RENDITIONS_PATH_PATTERN,
            self.api_origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
            cache_policy=self.renditions_cache,
            origin_request_policy=self.renditions_origin_request,
            response_headers_policy=self.headers,
            trusted_key_groups=[key_group],
            # WebP, AVIF, JPEG and PNG are compressed already.
            compress=False,
        )
        return self.renditions_cache

    def publish(self, config: dict) -> s3deploy.BucketDeployment:
        """Upload the page and its generated config.json, then invalidate CloudFront's cache."""
        sources = [s3deploy.Source.json_data(CONFIG_FILE, config)]
        if WEB_DIR.is_dir() and any(path.is_file() for path in WEB_DIR.rglob("*")):
            sources.insert(0, s3deploy.Source.asset(str(WEB_DIR), exclude=WEB_EXCLUDES))
        deployment_logs = logs.LogGroup(
            self, "DeploymentLogs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        return s3deploy.BucketDeployment(
            self,
            "Deployment",
            sources=sources,
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            retain_on_delete=False,
            prune=True,
            memory_limit=512,
            log_group=deployment_logs,
        )
