"""The processor: S3 `uploads/` notifications → SQS → the processor function, in batches with
partial-failure reporting; a record that keeps failing goes to the DLQ after the topology's
receive count.

The function reads and deletes under `uploads/`, writes and deletes under `thumbnails/`, may list
the bucket under `uploads/` only (so S3 answers 404, not 403, for an upload that is gone), reads and
updates items of the assets table, and consumes the queue. Nothing else: no other key.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda_event_sources as event_sources
from constructs import Construct

from functions.core import topology
from infra.constructs.function import TroveFunction
from infra.constructs.layers import MAGIC_FILE, Layers
from infra.constructs.storage import Storage

HANDLER = "functions.processor.handler.lambda_handler"
# AWS's advice for SQS sources: the queue's visibility timeout at least 6x the function timeout, so
# a batch still running is never handed to a second invocation.
TIMEOUT = Duration.seconds(topology.UPLOADS_QUEUE.visibility_timeout_seconds // 6)
# Decoding video frames and rendering PDF pages is CPU-bound: 1,769 MB is one full vCPU.
MEMORY_MB = 2048


class Processing(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, storage: Storage, layers: Layers, architecture: str
    ) -> None:
        super().__init__(scope, construct_id)
        self.handler = TroveFunction(
            self,
            "Handler",
            handler=HANDLER,
            description="Trove processor: check the bytes, describe them, thumbnail them, settle the record",
            architecture=architecture,
            memory_mb=MEMORY_MB,
            timeout=TIMEOUT,
            environment={
                # The names functions/core/settings.py reads.
                "TROVE_TABLE": storage.assets_table.table_name,
                "TROVE_BUCKET": storage.bucket.bucket_name,
                "MAGIC": MAGIC_FILE,
            },
            layers=[layers.deps, layers.ffmpeg],
        )
        self.event_source = event_sources.SqsEventSource(
            storage.queue,
            batch_size=topology.UPLOADS_QUEUE.batch_size,
            report_batch_item_failures=True,
        )
        self.handler.function.add_event_source(self.event_source)
        uploads, thumbnails = topology.BUCKET.uploads_prefix, topology.BUCKET.thumbnails_prefix
        # HEAD and ranged GETs of the upload (and the presigned GET PyAV reads through); rejected
        # and orphaned uploads are deleted.
        self.handler.allow_objects(
            "ReadAndDeleteUploads", ["s3:GetObject", "s3:DeleteObject"], storage.bucket, [uploads]
        )
        self.handler.allow_listing("ListUploads", storage.bucket, uploads)
        self.handler.allow_objects(
            "WriteThumbnails", ["s3:PutObject", "s3:DeleteObject"], storage.bucket, [thumbnails]
        )
        # Every write of the processor is a conditional update of an existing record.
        self.handler.allow(
            "SettleAssetItems", ["dynamodb:GetItem", "dynamodb:UpdateItem"], [storage.assets_table.table_arn]
        )
