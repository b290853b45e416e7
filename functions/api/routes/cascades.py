"""Cascade deletes of a client's or campaign's assets, and seed 002's retired upload endpoints (410)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel

from functions.api.resolver import app, current_identity, settings
from functions.core import assets, cascade, compat
from functions.core.cascade import LinkKind
from functions.core.schemas import LinkId

CurrentUser = Annotated[assets.Identity, Depends(current_identity)]


class CascadeDeleteResponse(BaseModel):
    success: bool
    deleted: int
    message: str


def _cascade(user: assets.Identity, kind: LinkKind, link_id: str) -> CascadeDeleteResponse:
    deleted = cascade.delete_linked(user, kind, link_id, settings)
    noun = "asset" if deleted == 1 else "assets"
    return CascadeDeleteResponse(
        success=True, deleted=deleted, message=f"Deleted {deleted} {noun} linked to {kind} {link_id}"
    )


@app.delete(
    "/api/v2/clients/<client_id>",
    summary="Delete every asset of the caller linked to this client (files and thumbnails too)",
    tags=["cascades"],
)
def delete_client_assets(client_id: Annotated[LinkId, Path()], user: CurrentUser) -> CascadeDeleteResponse:
    return _cascade(user, LinkKind.CLIENT, client_id)


@app.delete(
    "/api/v2/campaigns/<campaign_id>",
    summary="Delete every asset of the caller linked to this campaign (files and thumbnails too)",
    tags=["cascades"],
)
def delete_campaign_assets(
    campaign_id: Annotated[LinkId, Path()], user: CurrentUser
) -> CascadeDeleteResponse:
    return _cascade(user, LinkKind.CAMPAIGN, campaign_id)


# Seed 002's Migration Guide retired these; clients still calling them learn where to go instead.
REMOVED = {410: {"description": "Always: the detail names the endpoint to use instead"}}


@app.post(
    "/api/clients/<client_id>/assets", deprecated=True, summary="Removed: 410 Gone", tags=["removed"], responses=REMOVED
)
def removed_client_upload(client_id: Annotated[LinkId, Path()]) -> None:
    raise compat.removed_upload_endpoint("clientId", client_id)


@app.post(
    "/api/campaigns/<campaign_id>/assets", deprecated=True, summary="Removed: 410 Gone", tags=["removed"], responses=REMOVED
)
def removed_campaign_upload(campaign_id: Annotated[LinkId, Path()]) -> None:
    raise compat.removed_upload_endpoint("campaignId", campaign_id)
