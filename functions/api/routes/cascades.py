"""Cascade deletes of a client's or campaign's assets."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel

from functions.api.dependencies import AssetRecords, CurrentUser, settings
from functions.core import assets, cascade
from functions.core.cascade import LinkKind
from functions.core.schemas import LinkId

router = Router()


class CascadeDeleteResponse(BaseModel):
    success: bool
    deleted: int
    message: str


def _cascade(user: assets.Identity, kind: LinkKind, link_id: str, records: AssetRecords) -> CascadeDeleteResponse:
    deleted = cascade.delete_linked(user, kind, link_id, settings, store=records)
    noun = "asset" if deleted == 1 else "assets"
    return CascadeDeleteResponse(
        success=True, deleted=deleted, message=f"Deleted {deleted} {noun} linked to {kind} {link_id}"
    )


@router.delete(
    "/api/v2/clients/<client_id>",
    summary="Delete every asset of the caller linked to this client (files and thumbnails too)",
    tags=["cascades"],
)
def delete_client_assets(
    client_id: Annotated[LinkId, Path()], user: CurrentUser, records: AssetRecords
) -> CascadeDeleteResponse:
    return _cascade(user, LinkKind.CLIENT, client_id, records)


@router.delete(
    "/api/v2/campaigns/<campaign_id>",
    summary="Delete every asset of the caller linked to this campaign (files and thumbnails too)",
    tags=["cascades"],
)
def delete_campaign_assets(
    campaign_id: Annotated[LinkId, Path()], user: CurrentUser, records: AssetRecords
) -> CascadeDeleteResponse:
    return _cascade(user, LinkKind.CAMPAIGN, campaign_id, records)
