"""Processor Lambda: SQS batches of S3 `ObjectCreated` notifications, with partial-failure reporting."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.core import topology
from functions.core.observability import logger, metrics, tracer
from functions.core.settings import get_settings
from functions.core.storage import asset_id_from_upload_key
from functions.processor.pipeline import mark_failed, process_upload

settings = get_settings()
# Report failures per record even when all fail: Lambda then retries exactly those messages.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def uploaded_keys(body: str) -> list[str]:
    """The object keys an S3 notification names; S3 URL-encodes them. `s3:TestEvent` names none."""
    notification = json.loads(body)
    return [
        unquote_plus(record["s3"]["object"]["key"])
        for record in notification.get("Records", [])
        if record.get("eventName", "").startswith("ObjectCreated")
    ]


@tracer.capture_method
def handle_record(record: SQSRecord) -> None:
    keys = uploaded_keys(record.body)
    last_attempt = int(record.attributes.approximate_receive_count) >= topology.UPLOADS_QUEUE.max_receive_count
    for key in keys:
        try:
            outcome = process_upload(key, settings)
        except Exception as error:
            if last_attempt and (asset_id := asset_id_from_upload_key(key)):
                mark_failed(asset_id, f"Processing failed after repeated attempts: {error}", settings)
            raise  # the message is retried, and after the last attempt it goes to the DLQ
        if outcome:
            metrics.add_metric(name=f"Upload_{outcome.status}", unit="Count", value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=handle_record, processor=processor, context=context)
