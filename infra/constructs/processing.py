"""The processor: S3 `uploads/` notifications → SQS → the processor function, in batches with
partial-failure reporting and a maximum concurrency; a record that keeps failing goes to the DLQ
after the topology's receive count.

What running the processor's code needs on the bucket (`allow_processing`) is granted here once and
given to every function that runs it: the processor, the API (its synchronous upload path) and the
sweep. It reads and deletes under `uploads/` (the quarantine), writes the checked copy under
`files/` (the target of a server-side copy, which S3 checks as a PutObject) and deletes it when the
asset went meanwhile, writes and deletes under `thumbnails/`, may list the bucket under `uploads/`
only (so S3 answers 404, not 403, for an upload that is gone), and reads and updates items of the
assets table. Nothing else: no other key.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda_event_sources as event_sources
from constructs import Construct

from functions.core import topology
from functions.core.settings import ENV_NAMES
from infra.constructs.function import TroveFunction
from infra.constructs.layers import MAGIC_FILE, Layers
from infra.constructs.storage import Storage
from infra.stage import Stage

HANDLER = "functions.processor.handler.lambda_handler"
NAME = "trove-processor"
# AWS's advice for SQS sources: the queue's visibility timeout at least 6x the function timeout, so
# a batch still running is never handed to a second invocation.
TIMEOUT = Duration.seconds(topology.UPLOADS_QUEUE.visibility_timeout_seconds // 6)
# Decoding video frames and rendering PDF pages is CPU-bound: 1,769 MB is one full vCPU.
MEMORY_MB = 2048


class Processing(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        storage: Storage,
        layers: Layers,
        architecture: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.handler = processing_function(
            self,
            name=stage.resource_name(NAME),
            handler=HANDLER,
            description="Trove processor: check the bytes, describe them, thumbnail them, settle the record",
            timeout=TIMEOUT,
            storage=storage,
            layers=layers,
            architecture=architecture,
        )
        self.event_source = event_sources.SqsEventSource(
            storage.queue,
            batch_size=topology.UPLOADS_QUEUE.batch_size,
            report_batch_item_failures=True,
            # The pollers stop reading at this many invocations rather than be throttled (a throttled
            # receive counts towards the DLQ like a failed one).
            max_concurrency=topology.UPLOADS_QUEUE.max_concurrency,
        )
        self.handler.function.add_event_source(self.event_source)


def processing_function(
    scope: Construct,
    *,
    name: str,
    handler: str,
    description: str,
    timeout: Duration,
    storage: Storage,
    layers: Layers,
    architecture: str,
) -> TroveFunction:
    """A function that runs the processor's code (`functions.processor.pipeline`): its settings, both
    layers (libmagic and FFmpeg), the processor's memory and its rights (`allow_processing`)."""
    function = TroveFunction(
        scope,
        "Handler",
        name=name,
        handler=handler,
        description=description,
        architecture=architecture,
        memory_mb=MEMORY_MB,
        timeout=timeout,
        environment={
            ENV_NAMES["table_name"]: storage.assets_table.table_name,
            ENV_NAMES["bucket_name"]: storage.bucket.bucket_name,
            "MAGIC": MAGIC_FILE,
        },
        layers=[layers.deps, layers.ffmpeg],
    )
    allow_processing(function, storage)
    return function


def allow_processing(handler: TroveFunction, storage: Storage) -> None:
    """What `functions.processor.pipeline` does to the bucket and the assets table, for any function
    that runs it."""
    bucket, spec = storage.bucket, topology.BUCKET
    # HEAD and ranged GETs of the upload (and the presigned GET PyAV reads through), the source of
    # the server-side copy; uploads are deleted once copied, rejected or orphaned.
    handler.allow_objects(
        "ReadAndDeleteUploads", ["s3:GetObject", "s3:DeleteObject"], bucket, [spec.uploads_prefix]
    )
    handler.allow_listing("ListUploads", bucket, [spec.uploads_prefix])
    # The checked copy (CopyObject's target is a PutObject) and the thumbnail; both are removed again
    # when the asset was deleted while its bytes were being checked.
    handler.allow_objects(
        "WriteCheckedObjects",
        ["s3:PutObject", "s3:DeleteObject"],
        bucket,
        [spec.files_prefix, spec.thumbnails_prefix],
    )
    # New bytes settled: the renditions of the old ones go (functions.renditions.forget_renditions
    # lists the asset's renditions/ prefix and deletes what it finds).
    handler.allow_objects("ForgetRenditions", ["s3:DeleteObject"], bucket, [topology.RENDITIONS_PREFIX])
    handler.allow_listing("ListRenditions", bucket, [topology.RENDITIONS_PREFIX])
    # Every write of the processor is a conditional update of an existing record.
    handler.allow(
        "SettleAssetItems", ["dynamodb:GetItem", "dynamodb:UpdateItem"], [storage.assets_table.table_arn]
    )
