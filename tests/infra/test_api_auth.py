"""The HTTP API, its routes and JWT authorizer, the Cognito user pool, and the API function."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from functions.core import settings, topology
from layers import build as layer_build
from tests.infra.helpers import Synthesized, render, synthesize

pytestmark = pytest.mark.xdist_group("cdk")


def _function(synthesized: Synthesized, construct) -> dict:
    return synthesized.json["Resources"][synthesized.logical_id(construct.function)]["Properties"]


def test_every_route_but_the_openapi_document_and_signed_renditions_needs_the_cognito_jwt(
    synthesized: Synthesized,
) -> None:
    # given
    authorizer_id, _ = synthesized.only("AWS::ApiGatewayV2::Authorizer")
    routes = {
        route["Properties"]["RouteKey"]: route["Properties"]
        for route in synthesized.resources("AWS::ApiGatewayV2::Route").values()
    }

    # when
    public = {key for key, route in routes.items() if route["AuthorizationType"] == "NONE"}
    protected = {key for key, route in routes.items() if route.get("AuthorizerId") == {"Ref": authorizer_id}}

    # then
    # the token-free rendition URLs carry a CloudFront signature the function checks (test_renditions_edge.py)
    assert public == {
        f"GET {topology.OPENAPI_PATH}",
        f"GET {topology.RENDITION_LINKS_PATH}/{{proxy+}}",
        f"HEAD {topology.RENDITION_LINKS_PATH}/{{proxy+}}",
    }
    assert protected == set(routes) - public == {f"ANY {topology.API_PREFIX}/{{proxy+}}"}
    assert all(routes[key]["AuthorizationType"] == "JWT" for key in protected)
    assert "AuthorizerId" not in routes[f"GET {topology.OPENAPI_PATH}"]


def test_the_authorizer_trusts_only_the_user_pool_and_its_web_client(synthesized: Synthesized) -> None:
    # given
    pool_id = synthesized.logical_id(synthesized.stack.auth.user_pool)
    client_id = synthesized.logical_id(synthesized.stack.auth.client)

    # when
    _, authorizer = synthesized.only("AWS::ApiGatewayV2::Authorizer")

    # then
    properties = authorizer["Properties"]
    assert properties["AuthorizerType"] == "JWT"
    assert properties["IdentitySource"] == ["$request.header.Authorization"]
    assert (
        render(properties["JwtConfiguration"]["Issuer"])
        == f"https://cognito-idp.<AWS::Region>.amazonaws.com/<{pool_id}>"
    )
    assert properties["JwtConfiguration"]["Audience"] == [{"Ref": client_id}]


def test_the_user_pool_is_admin_only_with_a_strong_password_policy(synthesized: Synthesized) -> None:
    # given
    _, pool = synthesized.only("AWS::Cognito::UserPool")
    _, client = synthesized.only("AWS::Cognito::UserPoolClient")

    # then
    properties = pool["Properties"]
    assert properties["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    policy = properties["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(
        policy[flag] for flag in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    )
    assert properties["MfaConfiguration"] == "OPTIONAL"
    assert client["Properties"]["GenerateSecret"] is False
    assert client["Properties"]["PreventUserExistenceErrors"] == "ENABLED"


def test_the_page_needs_no_api_cors_and_the_stage_is_throttled_and_logged(synthesized: Synthesized) -> None:
    # given
    _, api = synthesized.only("AWS::ApiGatewayV2::Api")
    _, stage = synthesized.only("AWS::ApiGatewayV2::Stage")

    # then: the page calls /api/* on its own origin (CloudFront), so no origin needs CORS by default
    assert "CorsConfiguration" not in api["Properties"]
    stage_properties = stage["Properties"]
    assert stage_properties["StageName"] == "$default"
    assert stage_properties["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    log_group_id = synthesized.logical_id(synthesized.stack.api.access_logs)
    assert stage_properties["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": [log_group_id, "Arn"]}
    assert "requestId" in json.loads(stage_properties["AccessLogSettings"]["Format"])


@pytest.mark.parametrize(
    ("name", "handler"),
    [
        ("api", "functions.api.handler.lambda_handler"),
        ("processing", "functions.processor.handler.lambda_handler"),
    ],
)
def test_functions_run_the_handlers_on_the_layers_python_with_tracing(
    synthesized: Synthesized, name: str, handler: str
) -> None:
    # given
    function = _function(synthesized, getattr(synthesized.stack, name).handler)

    # then
    assert function["Handler"] == handler
    assert importlib.util.find_spec(handler.rsplit(".", 1)[0]) is not None, f"{handler} has no module"
    assert function["Runtime"] == f"python{layer_build.TARGET_PYTHON}"
    assert function["Architectures"] == [layer_build.DEFAULT_ARCH]
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["Environment"]["Variables"]["MAGIC"] == layer_build.MAGIC_FILE


def test_functions_get_the_resource_names_through_the_settings_variables(synthesized: Synthesized) -> None:
    # given
    stack = synthesized.stack
    api = _function(synthesized, stack.api.handler)["Environment"]["Variables"]
    processor = _function(synthesized, stack.processing.handler)["Environment"]["Variables"]
    read_by_settings = set(settings.ENV_NAMES.values())

    # then
    assert (
        api["TROVE_TABLE"]
        == processor["TROVE_TABLE"]
        == {"Ref": synthesized.logical_id(stack.storage.assets_table)}
    )
    assert api["TROVE_USAGES_TABLE"] == {"Ref": synthesized.logical_id(stack.storage.usages_table)}
    assert (
        api["TROVE_BUCKET"]
        == processor["TROVE_BUCKET"]
        == {"Ref": synthesized.logical_id(stack.storage.bucket)}
    )
    for variable in {*api, *processor} - {"MAGIC"}:
        assert variable in read_by_settings, f"{variable} is not a variable settings.py reads"


def test_both_functions_have_the_deps_and_ffmpeg_layers(synthesized: Synthesized) -> None:
    """The API runs the processor's code too, for POST /api/v2/upload-asset."""
    # given
    stack = synthesized.stack
    deps = {"Ref": synthesized.logical_id(stack.layers.deps)}
    ffmpeg = {"Ref": synthesized.logical_id(stack.layers.ffmpeg)}

    # then
    assert _function(synthesized, stack.api.handler)["Layers"] == [deps, ffmpeg]
    assert _function(synthesized, stack.processing.handler)["Layers"] == [deps, ffmpeg]


def test_the_function_code_is_the_functions_package_alone(synthesized: Synthesized) -> None:
    # given
    code = _function(synthesized, synthesized.stack.api.handler)["Code"]

    # when
    staged = synthesized.asset_dir(code["S3Key"])

    # then
    assert sorted(path.name for path in staged.iterdir()) == ["functions"]
    assert (staged / "functions" / "api" / "handler.py").is_file()
    assert not list(staged.rglob("__pycache__"))
    assert not list(staged.rglob("*.pyc"))


def test_the_web_config_points_the_page_at_its_own_origin_and_the_cognito_client(
    synthesized: Synthesized,
) -> None:
    # given
    stack = synthesized.stack
    _, deployment = synthesized.only("Custom::CDKBucketDeployment")

    # when
    markers = {
        marker: render(value) for marker, value in deployment["Properties"]["SourceMarkers"][-1].items()
    }
    config_dir = synthesized.asset_dir(deployment["Properties"]["SourceObjectKeys"][-1])
    config_text = (config_dir / "config.json").read_text()
    for marker, value in markers.items():
        config_text = config_text.replace(marker, value)
    config = json.loads(config_text)

    # then: the keys of topology.web_config, the ones the local stack writes and the page reads; the
    # API is on the page's own origin
    assert config == {
        "apiBase": "",
        "auth": topology.WEB_AUTH_COGNITO,
        "region": "<AWS::Region>",
        "userPoolId": f"<{synthesized.logical_id(stack.auth.user_pool)}>",
        "userPoolClientId": f"<{synthesized.logical_id(stack.auth.client)}>",
    }
    assert config_dir.joinpath(topology.WEB_CONFIG_FILE).is_file()


def test_extra_web_origins_get_api_cors_and_the_cloudfront_url_does_not(tmp_path: Path) -> None:
    # given: a dev server besides the page
    synthesized = synthesize(tmp_path, {"web_origins": "http://localhost:5173"})
    _, api = synthesized.only("AWS::ApiGatewayV2::Api")
    bucket = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.storage.bucket)]
    distribution_id = synthesized.logical_id(synthesized.stack.web.distribution)

    # then: the API answers preflights for the dev server only; the bucket allows both origins
    assert synthesized.validation_error is None
    cors = api["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == ["http://localhost:5173"]
    assert {"authorization", "content-type"} <= set(cors["AllowHeaders"])
    (rule,) = bucket["Properties"]["CorsConfiguration"]["CorsRules"]
    assert render(rule["AllowedOrigins"]) == [
        f"https://<{distribution_id}.DomainName>",
        "http://localhost:5173",
    ]
