"""Seed 002's retired upload endpoints: always 410, naming the endpoint to use instead."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from functions.core import multipart_upload
from functions.core.schemas import LinkId

router = Router()

# Seed 002's Migration Guide retired these; clients still calling them learn where to go instead.
REMOVED = {410: {"description": "Always: the detail names the endpoint to use instead"}}


@router.post(
    "/api/clients/<client_id>/assets", deprecated=True, summary="Removed: 410 Gone", tags=["removed"], responses=REMOVED
)
def removed_client_upload(client_id: Annotated[LinkId, Path()]) -> None:
    raise multipart_upload.removed_upload_endpoint("clientId", client_id)


@router.post(
    "/api/campaigns/<campaign_id>/assets", deprecated=True, summary="Removed: 410 Gone", tags=["removed"], responses=REMOVED
)
def removed_campaign_upload(campaign_id: Annotated[LinkId, Path()]) -> None:
    raise multipart_upload.removed_upload_endpoint("campaignId", campaign_id)
