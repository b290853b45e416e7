"""/api/v2/uploads: the presigned flow. The bytes go from the browser straight to S3."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api.dependencies import (
    AssetRecords,
    BaseUrl,
    ConsumerHeader,
    CurrentUser,
    UsageRecords,
    settings,
)
from functions.api.openapi_responses import asset_links
from functions.core import assets, duplicates
from functions.core.duplicates import CheckedFile, DuplicateOf, UploadCheckRequest, UploadCheckResponse
from functions.core.schemas import PresignedUpload, UploadRequest, UploadResponse, to_asset
from functions.lineage import usages
from functions.lineage.consumers import consumer_from
from functions.lineage.uris import Mode

router = Router()


@router.post(
    "/api/v2/uploads",
    status_code=201,
    summary="Start an upload: a pending asset and a presigned S3 POST for its bytes",
    tags=["uploads"],
    responses={
        201: {
            "description": "The pending asset and its upload",
            "links": asset_links("$response.body#/asset/id"),
        }
    },
)
def create_upload(
    body: UploadRequest,
    user: CurrentUser,
    base: BaseUrl,
    records: AssetRecords,
    usage_records: UsageRecords,
    x_trove_consumer: ConsumerHeader = None,
) -> UploadResponse:
    consumer = consumer_from(x_trove_consumer)  # a malformed header is refused before anything is made
    item, post = assets.create_upload(user, body, settings, store=records)
    if consumer is not None:  # made on a consumer's behalf: that consumer's write
        usages.record_run(user, item.id, consumer, Mode.WRITE, store=usage_records)
    upload = PresignedUpload(url=post.url, fields=post.fields, expires_at=post.expires_at)
    return UploadResponse(asset=to_asset(item, base), upload=upload)


@router.post(
    "/api/v2/uploads/check",
    status_code=200,
    summary="Which of these files (name, size, SHA-256) the caller has already, as a ready asset",
    tags=["uploads"],
    responses={200: {"description": "The files in request order, each with the asset it duplicates, if any"}},
)
def check_uploads(body: UploadCheckRequest, user: CurrentUser, records: AssetRecords) -> UploadCheckResponse:
    matches = duplicates.find_duplicates(user, body.files, settings, store=records)
    return UploadCheckResponse(
        files=[
            CheckedFile(
                name=file.name,
                size=file.size,
                sha256=file.sha256,
                duplicate_of=DuplicateOf(id=match.id, name=match.name) if match else None,
            )
            for file, match in zip(body.files, matches, strict=True)
        ]
    )
