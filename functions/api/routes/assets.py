"""/api/v2/assets: seed 002's asset routes, plus link assets and PATCH."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Request, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import AfterValidator, WithJsonSchema

from functions.api.dependencies import (
    AssetRecords,
    BaseUrl,
    ConsumerHeader,
    CurrentUser,
    UsageRecords,
    settings,
)
from functions.api.openapi_responses import asset_links, conflict
from functions.api.patterns import CURSOR_PATTERN, check_cursor
from functions.core import assets
from functions.core.schemas import (
    Asset,
    AssetPatch,
    DeleteResponse,
    FileAssetType,
    LinkCreate,
    LinkId,
    Sha256,
    Tag,
    to_asset,
)
from functions.lineage import usages
from functions.lineage.consumers import consumer_from
from functions.lineage.uris import Mode

router = Router()
NEXT_CURSOR_HEADER = "X-Next-Cursor"
Cursor = Annotated[str, AfterValidator(check_cursor), WithJsonSchema({"type": "string", "pattern": CURSOR_PATTERN})]
LOCATION_HEADER = {"Location": {"description": "Where the file is", "schema": {"type": "string"}, "required": True}}
# The union's members are components already (other routes return them); this route answers 200 or 302.
ASSET_SCHEMA_REF = {
    "oneOf": [
        {"$ref": f"#/components/schemas/{kind}Asset"} for kind in ("Image", "Video", "Audio", "Document", "Link")
    ]
}


# Printable ASCII but the space: a Location header carries these as they are, and anything else is
# percent-encoded (links are stored in ASCII form already; this holds for any record written earlier).
_LOCATION_SAFE = "".join(chr(code) for code in range(0x21, 0x7F))


def _redirect(location: str) -> Response[None]:
    headers = {"Location": quote(location, safe=_LOCATION_SAFE), "Cache-Control": "no-store"}
    return Response(status_code=302, headers=headers)


@router.get(
    "/api/v2/assets",
    summary="List the caller's assets, newest first",
    tags=["assets"],
    responses={
        200: {
            "description": "A page of assets",
            "headers": {
                NEXT_CURSOR_HEADER: {
                    "description": "Present while more items follow: send it back as `cursor` for the next page",
                    "schema": {"type": "string", "pattern": CURSOR_PATTERN},
                }
            },
        }
    },
)
def list_assets(
    user: CurrentUser,
    base: BaseUrl,
    records: AssetRecords,
    clientId: Annotated[LinkId | None, Query()] = None,
    campaignId: Annotated[LinkId | None, Query()] = None,
    projectId: Annotated[LinkId | None, Query()] = None,
    todoId: Annotated[LinkId | None, Query()] = None,
    asset_type: Annotated[FileAssetType | None, Query()] = None,
    tag: Annotated[Tag | None, Query()] = None,
    sha256: Annotated[Sha256 | None, Query(description="Only ready assets whose file has this SHA-256")] = None,
    limit: Annotated[int, Query(ge=1, le=assets.MAX_LIST_LIMIT)] = assets.DEFAULT_LIST_LIMIT,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    cursor: Annotated[Cursor | None, Query(description=f"The {NEXT_CURSOR_HEADER} of the previous page")] = None,
) -> Response[list[Asset]]:
    filters = assets.AssetFilters(clientId, campaignId, projectId, todoId, asset_type, tag, sha256=sha256)
    page = assets.list_assets(user, filters, limit=limit, offset=offset, cursor=cursor, store=records)
    headers = {NEXT_CURSOR_HEADER: page.next_cursor} if page.next_cursor else {}
    body = [to_asset(item, base) for item in page.items]
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)


@router.post(
    "/api/v2/assets",
    status_code=201,
    summary="Create a link asset (a reference URL)",
    tags=["assets"],
    responses={201: {"description": "The link asset", "links": asset_links("$response.body#/id")}},
)
def create_link(body: LinkCreate, user: CurrentUser, base: BaseUrl, records: AssetRecords) -> Asset:
    return to_asset(assets.create_link(user, body, store=records), base)


@router.get(
    "/api/v2/assets/<asset_id>",
    summary="The file (302 to a short-lived URL), or the record with Accept: application/json",
    tags=["assets"],
    operation_id="getAsset",
    responses={
        200: {"description": "The asset record", "content": {"application/json": {"schema": ASSET_SCHEMA_REF}}},
        302: {
            "description": "Redirect to a short-lived URL of the file, or a link's URL (recorded as the consumer's read)",
            "headers": LOCATION_HEADER,
            "content": {},
        },
        409: {"description": "The file is not ready yet"},
    },
)
def get_asset(
    asset_id: str,
    user: CurrentUser,
    base: BaseUrl,
    request: Request,
    records: AssetRecords,
    usage_records: UsageRecords,
    x_trove_consumer: ConsumerHeader = None,
):
    accept = request.resolved_event.headers.get("accept") or ""
    if "application/json" in accept.lower():
        record = to_asset(assets.get_owned(user, asset_id, store=records), base).model_dump_json(by_alias=True)
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=record)
    consumer = consumer_from(x_trove_consumer)  # a malformed header is refused before anything is read
    url = assets.download_url(user, asset_id, settings, store=records)
    if consumer is not None:
        usages.record_run(user, assets.parse_asset_id(asset_id), consumer, Mode.READ, store=usage_records)
    return _redirect(url)


@router.get(
    "/api/v2/assets/<asset_id>/thumbnail",
    summary="302 to the JPEG thumbnail",
    tags=["assets"],
    operation_id="getThumbnail",
    responses={302: {"description": "Redirect to a short-lived URL of the thumbnail", "headers": LOCATION_HEADER, "content": {}}},
)
def get_thumbnail(asset_id: str, user: CurrentUser, records: AssetRecords) -> Response[None]:
    return _redirect(assets.thumbnail_url(user, asset_id, settings, store=records))


@router.patch(
    "/api/v2/assets/<asset_id>",
    summary="Change name, description, tags, links or URL",
    tags=["assets"],
    operation_id="patchAsset",
)
def patch_asset(asset_id: str, body: AssetPatch, user: CurrentUser, base: BaseUrl, records: AssetRecords) -> Asset:
    return to_asset(assets.patch_asset(user, asset_id, body, store=records), base)


@router.delete(
    "/api/v2/assets/<asset_id>",
    summary="Delete the asset, its file and thumbnail",
    tags=["assets"],
    operation_id="deleteAsset",
    responses=conflict("Something still uses the asset (the detail names the consumers)"),
)
def delete_asset(
    asset_id: str,
    user: CurrentUser,
    records: AssetRecords,
    usage_records: UsageRecords,
    force: Annotated[bool, Query(description="Delete even if something uses the asset, and its usages")] = False,
) -> DeleteResponse:
    # Checked on every version the delete reads: an asset something uses is a 409 naming the consumers.
    in_use = None if force else partial(usages.ensure_unused, user, store=usage_records)
    deleted = assets.delete_asset(user, asset_id, settings, guard=in_use, store=records)
    if force:
        usages.forget_asset(user, deleted, store=usage_records)
    return DeleteResponse(success=True, message=f"Asset {deleted.id} deleted successfully")
