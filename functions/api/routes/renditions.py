"""/api/v2/assets/{id}/renditions: the owner's asset at an allowed size and format, made once
(functions/renditions/), answered like the file and thumbnail routes: a 302 to a short-lived URL, or
the JSON that describes it."""

from __future__ import annotations

import time
from typing import Annotated

from aws_lambda_powertools.event_handler import Request, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api.dependencies import AssetRecords, CurrentUser, settings
from functions.renditions import RenditionSpec
from functions.renditions.links import rendition_link
from functions.renditions.schemas import Rendition
from functions.renditions.spec import AUTO, FITS, FORMATS, SIDES

router = Router()
# Left for answering (presign, respond) once the rendition is made.
RESPONSE_MARGIN_SECONDS = 2.0
_SIDES = ", ".join(map(str, SIDES))
# The values are strings here and checked by RenditionSpec.parse, whose 400 names the allowed values.
Side = Annotated[str | None, Query(max_length=5, description=f"Pixels, one of {_SIDES}")]


@router.get(
    "/api/v2/assets/<asset_id>/renditions",
    summary="302 to the asset (image, video poster, PDF page) at an allowed size and format",
    tags=["renditions"],
    operation_id="getRendition",
    responses={
        200: {"description": "With Accept: application/json, the rendition's URL and size"},
        302: {
            "description": "Redirect to a short-lived URL of the rendition",
            "headers": {"Location": {"schema": {"type": "string"}, "required": True}},
            "content": {},
        },
        400: {"description": "A value outside its allowed list (the detail names the list)"},
        409: {
            "description": "Audio and link assets have no picture; the asset is not ready; the file cannot"
            " be rendered (at this size: over the render budget), remembered for these bytes"
        },
        503: {
            "description": "Past the request's time, or being made by another request (Retry-After)",
            "headers": {"Retry-After": {"schema": {"type": "integer"}, "required": False}},
        },
    },
)
def get_rendition(
    asset_id: str,
    user: CurrentUser,
    request: Request,
    records: AssetRecords,
    w: Side = None,
    h: Side = None,
    fit: Annotated[
        str | None, Query(max_length=10, description=f"{', '.join(FITS)} (default inside)")
    ] = None,
    format: Annotated[
        str | None,
        Query(max_length=8, description=f"{', '.join((*FORMATS, AUTO))} (default auto: from Accept)"),
    ] = None,
    page: Annotated[str | None, Query(max_length=6, description="PDF page, 1-based (default 1)")] = None,
):
    accept = request.resolved_event.headers.get("accept")
    spec = RenditionSpec.parse(w, h, fit, format, page, accept)
    remaining = router.lambda_context.get_remaining_time_in_millis() / 1000
    link = rendition_link(
        user,
        asset_id,
        spec,
        settings,
        deadline=time.monotonic() + remaining - RESPONSE_MARGIN_SECONDS,
        store=records,
    )
    if "application/json" not in (accept or "").lower():
        # A presigned S3 URL is ASCII already; no-store: the next request may get a fresh one.
        return Response(status_code=302, headers={"Location": link.url, "Cache-Control": "no-store"})
    stored = link.rendition
    body = Rendition(
        url=link.url,
        width=stored.width,
        height=stored.height,
        format=stored.format,
        content_type=stored.content_type,
        expires_at=link.expires_at,
    )
    return Response(
        status_code=200, content_type=content_types.APPLICATION_JSON, body=body.model_dump_json(by_alias=True)
    )
