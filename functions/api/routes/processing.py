"""/api/v2/assets/{id}/processing: what processing did with an asset's uploads, attempt by attempt."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api.dependencies import AssetRecords, CurrentUser
from functions.core import assets
from functions.core.processing import ProcessingRecord, processing_record

router = Router()


@router.get(
    "/api/v2/assets/<asset_id>/processing",
    summary="The processing record: each attempt's steps, reads, times and outcome",
    tags=["assets"],
    operation_id="getProcessing",
)
def get_processing(asset_id: str, user: CurrentUser, records: AssetRecords) -> ProcessingRecord:
    return processing_record(assets.get_owned(user, asset_id, store=records))
