"""The queue → processor wiring, the web page behind CloudFront, and the alarms."""

from __future__ import annotations

import pytest

from functions.core import topology
from tests.infra.helpers import Synthesized

pytestmark = pytest.mark.xdist_group("cdk")


def test_the_processor_reads_the_queue_in_topology_batches_reporting_item_failures(
    synthesized: Synthesized,
) -> None:
    # given
    stack = synthesized.stack
    queue_id = synthesized.logical_id(stack.storage.queue)
    function_id = synthesized.logical_id(stack.processing.handler.function)

    # when
    _, mapping = synthesized.only("AWS::Lambda::EventSourceMapping")

    # then
    assert mapping["Properties"] == {
        "BatchSize": topology.UPLOADS_QUEUE.batch_size,
        "EventSourceArn": {"Fn::GetAtt": [queue_id, "Arn"]},
        "FunctionName": {"Ref": function_id},
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
    }


def test_a_batch_times_out_well_before_its_messages_become_visible_again(synthesized: Synthesized) -> None:
    # given
    function = synthesized.json["Resources"][
        synthesized.logical_id(synthesized.stack.processing.handler.function)
    ]

    # then: AWS's advice for SQS event sources is a visibility timeout of 6x the function timeout
    assert function["Properties"]["Timeout"] * 6 <= topology.UPLOADS_QUEUE.visibility_timeout_seconds


def test_the_web_bucket_is_private_and_read_by_cloudfront_through_origin_access_control(
    synthesized: Synthesized,
) -> None:
    # given
    web = synthesized.stack.web
    bucket_id = synthesized.logical_id(web.bucket)
    distribution_id = synthesized.logical_id(web.distribution)
    _, oac = synthesized.only("AWS::CloudFront::OriginAccessControl")
    _, distribution = synthesized.only("AWS::CloudFront::Distribution")

    # when
    config = distribution["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    policies = [
        policy["Properties"]
        for policy in synthesized.resources("AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]

    # then
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["Logging"]["Bucket"] == {
        "Fn::GetAtt": [synthesized.logical_id(synthesized.stack.access_logs.bucket), "RegionalDomainName"]
    }
    (policy,) = policies
    reads = [
        statement
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
        and statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    ]
    (read,) = reads
    assert read["Action"] == "s3:GetObject"
    assert "Fn::Join" in str(read["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert distribution_id in str(read["Condition"]["StringEquals"]["AWS:SourceArn"])


def _alarms(synthesized: Synthesized) -> list[dict]:
    return [alarm["Properties"] for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values()]


def test_an_alarm_fires_as_soon_as_one_message_reaches_the_dlq(synthesized: Synthesized) -> None:
    # given
    dlq_id = synthesized.logical_id(synthesized.stack.storage.dead_letter_queue)
    topic_id = synthesized.logical_id(synthesized.stack.monitoring.topic)

    # when
    (alarm,) = [
        alarm
        for alarm in _alarms(synthesized)
        if alarm["Namespace"] == "AWS/SQS"
        and alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        and alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}]
    ]

    # then
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["EvaluationPeriods"] == 1
    assert alarm["AlarmActions"] == [{"Ref": topic_id}]


@pytest.mark.parametrize("name", ["api", "processing"])
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_each_function_has_error_and_throttle_alarms(
    synthesized: Synthesized, name: str, metric: str
) -> None:
    # given
    function_id = synthesized.logical_id(getattr(synthesized.stack, name).handler.function)

    # when
    matching = [
        alarm
        for alarm in _alarms(synthesized)
        if alarm["Namespace"] == "AWS/Lambda"
        and alarm["MetricName"] == metric
        and alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function_id}}]
    ]

    # then
    (alarm,) = matching
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"
