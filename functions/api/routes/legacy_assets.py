"""/api/assets/: seed 000's contract (snake_case, reference_url, project/todo links, PUT) over the
same records as /api/v2. The collection answers with and without its trailing slash."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api.dependencies import AssetRecords, BaseUrl, CurrentUser, UsageRecords, settings
from functions.core import assets, legacy_assets
from functions.core.schemas import DeleteResponse, LinkId
from functions.lineage import usages

router = Router()
TAGS = ["legacy assets"]
COLLECTION = "/api/assets/"
ITEM = "/api/assets/<asset_id>"


@router.get(
    COLLECTION,
    summary="List the caller's assets, newest first (skip/limit)",
    tags=TAGS,
    operation_id="listLegacyAssets",
)
@router.get(COLLECTION.rstrip("/"), include_in_schema=False)
def list_legacy_assets(
    user: CurrentUser,
    base: BaseUrl,
    records: AssetRecords,
    project_id: Annotated[LinkId | None, Query()] = None,
    todo_id: Annotated[LinkId | None, Query()] = None,
    skip: Annotated[int, Query(ge=0, le=legacy_assets.MAX_SKIP)] = 0,
    limit: Annotated[int, Query(ge=1, le=legacy_assets.MAX_LIMIT)] = legacy_assets.DEFAULT_LIMIT,
) -> list[legacy_assets.LegacyAsset]:
    page = legacy_assets.list_page(user, project_id, todo_id, skip, limit, store=records)
    return [legacy_assets.view(item, base) for item in page]


# From a created asset to the operations on it (OpenAPI links: clients and stateful fuzzers follow them).
LEGACY_LINKS = {
    name: {"operationId": operation, "parameters": {"asset_id": "$response.body#/id"}}
    for name, operation in (
        ("GetAsset", "getLegacyAsset"),
        ("ReplaceAsset", "replaceLegacyAsset"),
        ("DeleteAsset", "deleteLegacyAsset"),
    )
}


@router.post(
    COLLECTION,
    status_code=201,
    summary="Create an asset (a reference URL)",
    tags=TAGS,
    operation_id="createLegacyAsset",
    responses={201: {"description": "The asset", "links": LEGACY_LINKS}},
)
@router.post(COLLECTION.rstrip("/"), status_code=201, include_in_schema=False)
def create_legacy_asset(
    body: legacy_assets.LegacyAssetCreate, user: CurrentUser, base: BaseUrl, records: AssetRecords
) -> legacy_assets.LegacyAsset:
    return legacy_assets.view(legacy_assets.create(user, body, store=records), base)


@router.get(ITEM, summary="One asset", tags=TAGS, operation_id="getLegacyAsset")
@router.get(f"{ITEM}/", include_in_schema=False)
def get_legacy_asset(
    asset_id: str, user: CurrentUser, base: BaseUrl, records: AssetRecords
) -> legacy_assets.LegacyAsset:
    return legacy_assets.view(assets.get_owned(user, asset_id, store=records), base)


@router.put(
    ITEM,
    summary="Replace name, description, reference_url and links (absent = null)",
    tags=TAGS,
    operation_id="replaceLegacyAsset",
)
@router.put(f"{ITEM}/", include_in_schema=False)
def replace_legacy_asset(
    asset_id: str,
    body: legacy_assets.LegacyAssetUpdate,
    user: CurrentUser,
    base: BaseUrl,
    records: AssetRecords,
) -> legacy_assets.LegacyAsset:
    return legacy_assets.view(legacy_assets.replace(user, asset_id, body, base, store=records), base)


@router.delete(
    ITEM,
    summary="Delete the asset (and its file and thumbnail, if any)",
    tags=TAGS,
    operation_id="deleteLegacyAsset",
)
@router.delete(f"{ITEM}/", include_in_schema=False)
def delete_legacy_asset(
    asset_id: str, user: CurrentUser, records: AssetRecords, usage_records: UsageRecords
) -> DeleteResponse:
    in_use = partial(usages.ensure_unused, user, store=usage_records)  # seed 000 has no force: always a 409
    deleted = assets.delete_asset(user, asset_id, settings, guard=in_use, store=records)
    return DeleteResponse(success=True, message=f"Asset {deleted.id} deleted successfully")
