"""Where Trove keeps things: the assets bucket, the uploads queue and its DLQ, the two tables.

Also the access-log bucket every other bucket (and CloudFront) logs into.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions.core import topology
from infra.stage import Stage

ACCESS_LOG_RETENTION_DAYS = 90
ACCESS_LOGS_BUCKET = "trove-access-logs"


def private_bucket(scope: Construct, construct_id: str, **options: object) -> s3.Bucket:
    """A bucket with what every Trove bucket has: no public access, encryption at rest, TLS only."""
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        **options,
    )


def data_bucket(scope: Construct, construct_id: str, stage: Stage, **options: object) -> s3.Bucket:
    """A private bucket whose objects are data: kept with the bucket when a production stack goes,
    emptied and deleted with any other stage's stack (CDK's auto-delete custom resource)."""
    return private_bucket(
        scope,
        construct_id,
        removal_policy=stage.data_removal_policy,
        auto_delete_objects=not stage.production,
        **options,
    )


class AccessLogs(Construct):
    """The bucket S3 server access logs and CloudFront standard logs go to."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: Stage) -> None:
        super().__init__(scope, construct_id)
        self.bucket = data_bucket(
            self,
            "Bucket",
            stage,
            bucket_name=stage.bucket_name(ACCESS_LOGS_BUCKET),
            # CloudFront standard logging writes with an ACL, so ACLs cannot be disabled here.
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-logs", expiration=Duration.days(ACCESS_LOG_RETENTION_DAYS))
            ],
        )


class Storage(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        access_logs: s3.IBucket,
        web_origins: Sequence[str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.stage = stage
        self.bucket = self._bucket(access_logs, web_origins)
        self.dead_letter_queue, self.queue = self._queues()
        # S3 → SQS for every object created under uploads/ (the processor reads the queue).
        self.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(self.queue),
            s3.NotificationKeyFilter(prefix=topology.BUCKET.uploads_prefix),
        )
        self.assets_table = self._table("AssetsTable", topology.ASSETS_TABLE)
        self.usages_table = self._table("UsagesTable", topology.USAGES_TABLE)

    @staticmethod
    def bucket_name(stage: Stage) -> str:
        """The assets bucket's name, known before the bucket exists (the page's CSP names it)."""
        return stage.bucket_name(topology.BUCKET.name)

    # -- ARNs the grants are built from ---------------------------------------------------------

    @staticmethod
    def index_arns(table: dynamodb.ITable, spec: topology.TableTopology) -> list[str]:
        """One ARN per index the topology declares: no `index/*` wildcard."""
        return [f"{table.table_arn}/index/{index.name}" for index in spec.indexes]

    # -- resources -------------------------------------------------------------------------------

    def _bucket(self, access_logs: s3.IBucket, web_origins: Sequence[str]) -> s3.Bucket:
        spec = topology.BUCKET
        return data_bucket(
            self,
            "AssetsBucket",
            self.stage,
            # Bucket names are global: the stage's name with the account and region; the functions get
            # it as TROVE_BUCKET.
            bucket_name=self.bucket_name(self.stage),
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="s3/assets/",
            cors=[
                s3.CorsRule(
                    allowed_origins=list(web_origins),
                    allowed_methods=[s3.HttpMethods(method) for method in spec.cors_methods],
                    allowed_headers=list(spec.cors_headers),
                    exposed_headers=list(spec.cors_exposed_headers),
                    max_age=spec.cors_max_age_seconds,
                )
            ],
            lifecycle_rules=[
                # uploads/ is the quarantine: bytes nobody has checked yet. The processor moves what
                # passes to files/ and deletes the rest within minutes, so anything still there after
                # a day is abandoned (or was never settled: the sweep settles those well before) and
                # expires, like the parts of multipart uploads nobody finished.
                s3.LifecycleRule(
                    id="abandoned-uploads",
                    prefix=spec.uploads_prefix,
                    expiration=Duration.days(topology.ABANDONED_UPLOAD_DAYS),
                    abort_incomplete_multipart_upload_after=Duration.days(topology.ABANDONED_UPLOAD_DAYS),
                )
            ],
        )

    def _queues(self) -> tuple[sqs.Queue, sqs.Queue]:
        spec = topology.UPLOADS_QUEUE
        dead_letters = sqs.Queue(
            self,
            "UploadsDeadLetterQueue",
            queue_name=self.stage.resource_name(spec.dlq_name),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        queue = sqs.Queue(
            self,
            "UploadsQueue",
            queue_name=self.stage.resource_name(spec.name),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(spec.visibility_timeout_seconds),
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=spec.max_receive_count, queue=dead_letters
            ),
        )
        return dead_letters, queue

    def _table(self, construct_id: str, spec: topology.TableTopology) -> dynamodb.Table:
        string = dynamodb.AttributeType.STRING
        table = dynamodb.Table(
            self,
            construct_id,
            table_name=self.stage.resource_name(spec.name),
            partition_key=dynamodb.Attribute(name=spec.hash_key, type=string),
            sort_key=dynamodb.Attribute(name=spec.range_key, type=string) if spec.range_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=spec.ttl_attribute,
            # A production table survives its stack and cannot be deleted by mistake; another stage's
            # goes with its stack.
            deletion_protection=self.stage.production,
            removal_policy=self.stage.data_removal_policy,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=dynamodb.Attribute(name=index.hash_key, type=string),
                sort_key=dynamodb.Attribute(name=index.range_key, type=string),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        return table
