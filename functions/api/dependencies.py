"""What routes take from the request besides their parameters, declared once: the caller
(`CurrentUser`), where the API answers (`BaseUrl`), who is asking (`ConsumerHeader`), the stores
(`AssetRecords`, `UsageRecords`) and the settings."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends, Request
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from functions.core import store
from functions.core.errors import Unauthenticated
from functions.core.identity import Identity
from functions.core.settings import get_settings
from functions.core.urls import ascii_url
from functions.lineage import store as lineage_store

settings = get_settings()


def token_claims(event: APIGatewayProxyEventV2) -> dict:
    """The claims of the caller's token, as the JWT authorizer vouched for them
    (`requestContext.authorizer.jwt.claims`); none without a token."""
    authorizer = event.request_context.authorizer
    return (authorizer.jwt_claim if authorizer else None) or {}


def current_identity(request: Request) -> Identity:
    """The caller, from its token's claims."""
    claims = token_claims(request.resolved_event)
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Unauthenticated("Not authenticated")
    user_id = str(claims.get("custom:userId", ""))
    return Identity(sub=subject, user_id=int(user_id) if user_id.isdigit() else None)


def base_url(request: Request) -> str:
    """Where the API answers: configured, or the host this request came in on."""
    if settings.public_base_url:
        return ascii_url(settings.public_base_url)  # a custom domain may be internationalised
    return f"https://{request.resolved_event.request_context.domain_name}"


def asset_records() -> store.AssetStore:
    """The asset store the handler configured at cold start (functions/api/handler.py)."""
    return store.default_store()


def usage_records() -> lineage_store.UsageStore:
    """The usage store the handler configured at cold start."""
    return lineage_store.default_store()


CurrentUser = Annotated[Identity, Depends(current_identity)]
BaseUrl = Annotated[str, Depends(base_url)]
AssetRecords = Annotated[store.AssetStore, Depends(asset_records)]
UsageRecords = Annotated[lineage_store.UsageStore, Depends(usage_records)]
# Powertools reads a header parameter from the handler's own signature (not a dependency's): each route
# that records run-time usages takes `x_trove_consumer: ConsumerHeader = None`.
ConsumerHeader = Annotated[
    str | None,
    Header(
        max_length=300,
        description=(
            "Who is asking, as kind:path (kind script, flow or job), e.g. job:1234 or flow:f/etl/daily: "
            "records a run-time usage of the asset"
        ),
    ),
]
