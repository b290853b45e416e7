"""Token-free rendition URLs: the signed srcset an owner's page asks for with its token, and the path
that serves those URLs without one (CloudFront's `/renditions/*` behaviour in AWS, the local front
locally; functions/renditions/signing.py signs and checks them)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated

from aws_lambda_powertools.event_handler import Request, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api.dependencies import AssetRecords, BaseUrl, CurrentUser, settings
from functions.core import assets, storage, topology
from functions.core.errors import NotFound
from functions.renditions import RenditionSpec, RenditionUnavailable, ensure_rendition
from functions.renditions.links import presigned
from functions.renditions.schemas import RenditionLinks, RenditionSource
from functions.renditions.signing import (
    InvalidLink,
    SigningKey,
    content_version,
    parse_rendition_path,
    signed_set,
    srcset_specs,
    verify_url,
)
from functions.renditions.spec import AUTO, CONTENT_TYPES, FORMATS

router = Router()
# Left for answering once a rendition is made: the token-free path renders on a miss.
RESPONSE_MARGIN_SECONDS = 2.0
FORMAT_HELP = f"{', '.join((*FORMATS, AUTO))} (default auto: from Accept; a <picture> asks per format)"


@lru_cache(maxsize=1)
def stored_signing_key() -> SigningKey | None:
    """The private key from Secrets Manager, read once per sandbox, on first use (not at init, so no
    SnapStart snapshot holds it); None where the deployment has none."""
    if not (settings.rendition_key_pair_id and settings.rendition_key_secret):
        return None
    import boto3

    secrets = boto3.client(
        "secretsmanager", region_name=settings.region, endpoint_url=settings.secrets_endpoint_url or None
    )
    pem = secrets.get_secret_value(SecretId=settings.rendition_key_secret)["SecretString"]
    return SigningKey.from_pem(settings.rendition_key_pair_id, pem)


@router.get(
    "/api/v2/assets/<asset_id>/rendition-links",
    summary="Signed, token-free URLs of the asset's renditions at every allowed width: a srcset",
    tags=["renditions"],
    operation_id="getRenditionLinks",
    responses={409: {"description": "The asset has no picture to render (audio, a link) or is not ready"}},
)
def get_rendition_links(
    asset_id: str,
    user: CurrentUser,
    base: BaseUrl,
    request: Request,
    records: AssetRecords,
    format: Annotated[str | None, Query(max_length=8, description=FORMAT_HELP)] = None,
    page: Annotated[str | None, Query(max_length=6, description="PDF page, 1-based")] = None,
) -> RenditionLinks:
    item = assets.get_owned(user, asset_id, store=records)
    specs = srcset_specs(item, format=format, page=page, accept=request.resolved_event.headers.get("accept"))
    key = stored_signing_key()
    if key is None:
        raise RenditionUnavailable("Token-free rendition links are not set up in this deployment")
    links = signed_set(
        item,
        specs,
        base_url=base,
        key=key,
        now=time.time(),
        window_seconds=settings.rendition_link_window_seconds,
    )
    return RenditionLinks(
        format=links.spec.format,
        fit=links.spec.fit,
        expires_at=datetime.fromtimestamp(links.expires, UTC),
        sources=[RenditionSource(width=source.width, url=source.url) for source in links.sources],
    )


@router.get(
    f"{topology.RENDITION_LINKS_PATH}/<asset_id>/<version>/<name>",
    summary="A rendition by its signed URL (from rendition-links): no token, the signature is the right",
    tags=["renditions"],
    operation_id="getSignedRendition",
    responses={
        200: {
            "description": "The rendition's bytes",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}} for media in CONTENT_TYPES.values()
            },
        },
        302: {
            "description": "Redirect to a short-lived URL of a rendition too large to answer inline",
            "headers": {"Location": {"schema": {"type": "string"}, "required": True}},
            "content": {},
        },
        403: {"description": "Not a URL this service signed, or expired"},
        404: {"description": "The asset is gone, or has new bytes: ask for new links"},
    },
)
def get_signed_rendition(
    asset_id: str, version: str, name: str, base: BaseUrl, request: Request, records: AssetRecords
):
    event = request.resolved_event
    now = time.time()
    key = stored_signing_key()
    if key is None:
        raise InvalidLink("No rendition link is valid here: this deployment signs none")
    expires = verify_url(f"{base}{event.raw_path}", event.raw_query_string, key, now=now)
    path = parse_rendition_path(event.raw_path)
    item = records.get(path.asset_id)
    if item is None or not item.etag or content_version(item.etag) != path.version:
        raise NotFound("This rendition's asset is gone or has new bytes: ask for new links")
    spec = RenditionSpec.parse(path.w, path.h, path.fit, path.format, path.page, None)
    remaining = router.lambda_context.get_remaining_time_in_millis() / 1000
    stored = ensure_rendition(
        item, spec, settings, deadline=time.monotonic() + remaining - RESPONSE_MARGIN_SECONDS, store=records
    )
    # Browsers and CloudFront keep it while the URL is valid: its bytes never change under this path.
    cache = {"Cache-Control": f"max-age={max(0, expires - int(now))}, immutable"}
    s3 = storage.s3_client(settings)
    found = s3.get_object(Bucket=settings.bucket_name, Key=stored.key)
    if found["ContentLength"] <= topology.MAX_INLINE_RENDITION_BYTES:
        body = found["Body"].read()
        return Response(status_code=200, content_type=stored.content_type, body=body, headers=cache)
    found["Body"].close()
    # Larger than a Lambda may answer: a redirect, cached no longer than the URL it names lives.
    url = presigned(item, stored, settings, s3=s3)
    lifetime = min(settings.download_expiry_seconds // 2, expires - int(now))
    return Response(
        status_code=302, headers={"Location": url, "Cache-Control": f"max-age={max(0, lifetime)}"}
    )


@router.head(f"{topology.RENDITION_LINKS_PATH}/<asset_id>/<version>/<name>", include_in_schema=False)
def head_signed_rendition(
    asset_id: str, version: str, name: str, base: BaseUrl, request: Request, records: AssetRecords
):
    """What GET answers, for HEAD (CloudFront forwards one it has not cached); the HTTP server in front
    (API Gateway, the local front) sends the headers without the body."""
    return get_signed_rendition(asset_id, version, name, base, request, records)
