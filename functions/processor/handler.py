"""Processor Lambda: SQS batches of S3 `ObjectCreated` notifications, with partial-failure reporting."""

from __future__ import annotations

import json
import time
from urllib.parse import unquote_plus

from aws_lambda_powertools import single_metric
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.core import store, topology
from functions.core.observability import logger, metrics, tracer
from functions.core.settings import get_settings
from functions.processor.pipeline import process_message

# Cold start: a missing setting fails here, naming the variable; the store is bound once.
settings = get_settings()
asset_store = store.configure(settings)
# Report failures per record even when all fail: Lambda then retries exactly those messages.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
# Kept back from the invocation's time: settling a record and reporting the batch after the last file.
SETTLE_SECONDS = 3.0


def uploaded_keys(body: str) -> list[str]:
    """The object keys an S3 notification names; S3 URL-encodes them. `s3:TestEvent` names none."""
    notification = json.loads(body)
    return [
        unquote_plus(record["s3"]["object"]["key"])
        for record in notification.get("Records", [])
        if record.get("eventName", "").startswith("ObjectCreated")
    ]


@tracer.capture_method
def handle_record(record: SQSRecord, lambda_context: LambdaContext) -> None:
    """One message; powertools passes the context, whose remaining time bounds the work: what cannot
    finish before the invocation ends is reported as failed and retried, never cut off mid-way."""
    deadline = time.monotonic() + lambda_context.get_remaining_time_in_millis() / 1000 - SETTLE_SECONDS
    receives = int(record.attributes.approximate_receive_count)
    last_attempt = receives >= topology.UPLOADS_QUEUE.max_receive_count
    keys = uploaded_keys(record.body)
    for outcome in process_message(keys, settings, deadline=deadline, last_attempt=last_attempt, store=asset_store):
        # Per function too: each stage's processor (trove-processor-<stage>) has metrics of its own.
        metrics.add_dimension(name="function", value=lambda_context.function_name)
        metrics.add_metric(name=f"Upload_{outcome.status}", unit="Count", value=1)
        # And per asset type, as a line of its own: one batch settles uploads of several types, and the
        # alarms watch the count above, whose dimensions stay (service, function).
        per_function = {"service": metrics.service, "function": lambda_context.function_name}
        with single_metric(
            name=f"Upload_{outcome.status}",
            unit=MetricUnit.Count,
            value=1,
            namespace=metrics.namespace,
            default_dimensions=per_function,
        ) as typed:
            typed.add_dimension(name="type", value=outcome.asset_type or "unknown")


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=handle_record, processor=processor, context=context)
