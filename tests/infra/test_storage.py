"""Buckets, the uploads queue and its DLQ, and the tables, as synthesized."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from functions.core import topology
from tests.infra.helpers import Synthesized, render

pytestmark = pytest.mark.xdist_group("cdk")

BLOCK_ALL = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}


def test_every_bucket_blocks_public_access_and_is_encrypted(synthesized: Synthesized) -> None:
    # given
    buckets = synthesized.resources("AWS::S3::Bucket")

    # then
    assert len(buckets) == 3  # assets, web page, access logs
    for logical_id, bucket in buckets.items():
        properties = bucket["Properties"]
        assert properties["PublicAccessBlockConfiguration"] == BLOCK_ALL, logical_id
        (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", logical_id
        assert "AccessControl" not in properties, f"{logical_id} uses a legacy ACL"


def test_every_bucket_policy_denies_requests_without_tls(synthesized: Synthesized) -> None:
    # given
    buckets = set(synthesized.resources("AWS::S3::Bucket"))
    tls_only = set()

    # when
    for policy in synthesized.resources("AWS::S3::BucketPolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if (
                statement["Effect"] == "Deny"
                and statement["Action"] == "s3:*"
                and statement["Principal"] == {"AWS": "*"}
                and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            ):
                tls_only.add(policy["Properties"]["Bucket"]["Ref"])

    # then
    assert tls_only == buckets


def test_assets_bucket_cors_comes_from_the_topology_and_allows_the_web_origin(
    synthesized: Synthesized,
) -> None:
    # given
    bucket = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.storage.bucket)]
    distribution_id = synthesized.logical_id(synthesized.stack.web.distribution)

    # when
    (rule,) = bucket["Properties"]["CorsConfiguration"]["CorsRules"]

    # then
    assert rule["AllowedMethods"] == list(topology.BUCKET.cors_methods)
    assert rule["AllowedHeaders"] == list(topology.BUCKET.cors_headers)
    assert render(rule["AllowedOrigins"]) == [f"https://<{distribution_id}.DomainName>"]
    assert rule["ExposedHeaders"] == list(topology.BUCKET.cors_exposed_headers)
    assert rule["MaxAge"] == topology.BUCKET.cors_max_age_seconds
    # Upload widgets (Uppy's AwsS3) read both back from a presigned POST's answer.
    assert {"ETag", "Location"} <= set(rule["ExposedHeaders"])


def test_assets_bucket_lifecycle_expires_the_quarantine_and_abandoned_multipart_uploads(
    synthesized: Synthesized,
) -> None:
    # given
    bucket = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.storage.bucket)]

    # when
    (rule,) = bucket["Properties"]["LifecycleConfiguration"]["Rules"]

    # then: uploads/ holds only bytes nobody has checked yet; served files live under files/, which
    # no rule touches
    assert rule["Status"] == "Enabled"
    assert rule["Prefix"] == topology.UPLOADS_PREFIX
    assert rule["ExpirationInDays"] == topology.ABANDONED_UPLOAD_DAYS
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": topology.ABANDONED_UPLOAD_DAYS}


def test_assets_bucket_logs_its_accesses(synthesized: Synthesized) -> None:
    # given
    bucket = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.storage.bucket)]
    logs_bucket_id = synthesized.logical_id(synthesized.stack.access_logs.bucket)

    # then
    assert bucket["Properties"]["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": logs_bucket_id}


def test_uploads_prefix_notifications_go_to_the_uploads_queue(synthesized: Synthesized) -> None:
    # given
    queue_id = synthesized.logical_id(synthesized.stack.storage.queue)
    bucket_id = synthesized.logical_id(synthesized.stack.storage.bucket)

    # when
    _, notifications = synthesized.only("Custom::S3BucketNotifications")

    # then
    assert notifications["Properties"]["BucketName"] == {"Ref": bucket_id}
    configuration = notifications["Properties"]["NotificationConfiguration"]
    assert set(configuration) == {"QueueConfigurations"}
    assert configuration["QueueConfigurations"] == [
        {
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": topology.BUCKET.uploads_prefix}]}},
            "QueueArn": {"Fn::GetAtt": [queue_id, "Arn"]},
        }
    ]


def test_only_the_assets_bucket_may_send_to_the_uploads_queue(synthesized: Synthesized) -> None:
    # given
    queue_id = synthesized.logical_id(synthesized.stack.storage.queue)
    bucket_id = synthesized.logical_id(synthesized.stack.storage.bucket)

    # then
    synthesized.template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": queue_id}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "s3.amazonaws.com"},
                                "Action": Match.array_with(["sqs:SendMessage"]),
                                "Condition": {
                                    "ArnLike": {"aws:SourceArn": {"Fn::GetAtt": [bucket_id, "Arn"]}}
                                },
                            }
                        )
                    ]
                )
            },
        },
    )


def test_uploads_queue_has_its_dlq_receive_count_and_visibility_from_the_topology(
    synthesized: Synthesized,
) -> None:
    # given
    spec = topology.UPLOADS_QUEUE
    queue = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.storage.queue)]
    dlq_id = synthesized.logical_id(synthesized.stack.storage.dead_letter_queue)
    dlq = synthesized.json["Resources"][dlq_id]

    # then
    stage = synthesized.stack.stage
    assert queue["Properties"]["QueueName"] == stage.resource_name(spec.name)
    assert dlq["Properties"]["QueueName"] == stage.resource_name(spec.dlq_name)
    assert queue["Properties"]["VisibilityTimeout"] == spec.visibility_timeout_seconds
    assert queue["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": spec.max_receive_count,
    }
    for each in (queue, dlq):
        assert each["Properties"]["SqsManagedSseEnabled"] is True


def test_both_queues_deny_requests_without_tls(synthesized: Synthesized) -> None:
    # given
    queues = set(synthesized.resources("AWS::SQS::Queue"))
    tls_only = set()

    # when
    for policy in synthesized.resources("AWS::SQS::QueuePolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny" and statement.get("Condition") == {
                "Bool": {"aws:SecureTransport": "false"}
            }:
                tls_only.update(queue["Ref"] for queue in policy["Properties"]["Queues"])

    # then
    assert tls_only == queues


@pytest.mark.parametrize("spec", [topology.ASSETS_TABLE, topology.USAGES_TABLE], ids=lambda spec: spec.name)
def test_tables_are_on_demand_with_pitr_ttl_and_the_topologys_keys_and_indexes(
    synthesized: Synthesized, spec: topology.TableTopology
) -> None:
    # given
    tables = {
        table["Properties"]["TableName"]: table["Properties"]
        for table in synthesized.resources("AWS::DynamoDB::Table").values()
    }

    # when
    table = tables[synthesized.stack.stage.resource_name(spec.name)]

    # then
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {"AttributeName": spec.ttl_attribute, "Enabled": True}
    assert table["KeySchema"] == [
        {"AttributeName": spec.hash_key, "KeyType": "HASH"},
        *([{"AttributeName": spec.range_key, "KeyType": "RANGE"}] if spec.range_key else []),
    ]
    declared = [
        {
            "IndexName": index.name,
            "KeySchema": [
                {"AttributeName": index.hash_key, "KeyType": "HASH"},
                {"AttributeName": index.range_key, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
        for index in spec.indexes
    ]
    assert table["GlobalSecondaryIndexes"] == declared
