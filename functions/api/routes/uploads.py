"""/api/v2/uploads: the presigned flow. The bytes go from the browser straight to S3."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api.dependencies import BaseUrl, ConsumerHeader, CurrentUser, settings
from functions.api.openapi_responses import asset_links
from functions.core import assets, duplicates
from functions.core.duplicates import CheckedFile, DuplicateOf, UploadCheckRequest, UploadCheckResponse
from functions.core.schemas import PresignedUpload, UploadRequest, UploadResponse, to_asset
from functions.lineage.usages import consumer_from

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
    x_trove_consumer: ConsumerHeader = None,
) -> UploadResponse:
    item, post = assets.create_upload(user, body, settings, consumer=consumer_from(x_trove_consumer))
    upload = PresignedUpload(url=post.url, fields=post.fields, expires_at=post.expires_at)
    return UploadResponse(asset=to_asset(item, base), upload=upload)


@router.post(
    "/api/v2/uploads/check",
    status_code=200,
    summary="Which of these files (name, size, SHA-256) the caller has already, as a ready asset",
    tags=["uploads"],
    responses={200: {"description": "The files in request order, each with the asset it duplicates, if any"}},
)
def check_uploads(body: UploadCheckRequest, user: CurrentUser) -> UploadCheckResponse:
    matches = duplicates.find_duplicates(user, body.files, settings)
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
