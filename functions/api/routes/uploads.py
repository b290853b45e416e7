"""/api/v2/uploads: the presigned flow. The bytes go from the browser straight to S3."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from functions.api.resolver import app, base_url, current_identity, settings
from functions.api.routes.assets import asset_links
from functions.api.routes.usages import ConsumerHeader
from functions.core import assets
from functions.core.schemas import PresignedUpload, UploadRequest, UploadResponse, to_asset
from functions.lineage.usages import consumer_from


@app.post(
    "/api/v2/uploads",
    status_code=201,
    summary="Start an upload: a pending asset and a presigned S3 POST for its bytes",
    tags=["uploads"],
    responses={201: {"description": "The pending asset and its upload", "links": asset_links("$response.body#/asset/id")}},
)
def create_upload(
    body: UploadRequest,
    user: Annotated[assets.Identity, Depends(current_identity)],
    base: Annotated[str, Depends(base_url)],
    x_trove_consumer: ConsumerHeader = None,
) -> UploadResponse:
    item, post = assets.create_upload(user, body, settings, consumer=consumer_from(x_trove_consumer))
    upload = PresignedUpload(url=post.url, fields=post.fields, expires_at=post.expires_at)
    return UploadResponse(asset=to_asset(item, base), upload=upload)
