"""Alarms that reach someone (API 5xx and latency, processor outcomes, DynamoDB throttles, the DLQ) and
the dashboard."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest

from functions.core.observability import SERVICE
from infra.constructs import monitoring
from infra.stack import StackOptions
from tests.infra.helpers import REPO_ROOT, Synthesized, render

pytestmark = pytest.mark.xdist_group("cdk")


def _alarms(synthesized: Synthesized) -> dict[str, dict]:
    return {
        logical_id: alarm["Properties"]
        for logical_id, alarm in synthesized.resources("AWS::CloudWatch::Alarm").items()
    }


def _alarm_on(synthesized: Synthesized, namespace: str, metric_name: str, dimensions: list[dict]) -> dict:
    (alarm,) = [
        alarm
        for alarm in _alarms(synthesized).values()
        if alarm.get("Namespace") == namespace
        and alarm.get("MetricName") == metric_name
        and alarm.get("Dimensions") == dimensions
    ]
    return alarm


@pytest.mark.parametrize(
    ("context", "problem"),
    [
        ({}, "need someone to reach"),
        ({"alarm_email": "ops@example.com", "alarms": "off"}, "contradict"),
        ({"alarm_email": "ops"}, "must be an e-mail address"),
        ({"alarms": "maybe"}, "alarms must be on or off"),
    ],
)
def test_the_synth_refuses_to_go_on_without_an_alarm_target(context: dict, problem: str) -> None:
    # when / then
    with pytest.raises(ValueError, match=problem):
        StackOptions.from_context(cdk.App(context=context).node)


def test_an_explicit_opt_out_is_accepted() -> None:
    # when
    options = StackOptions.from_context(cdk.App(context={"alarms": "off"}).node)

    # then
    assert options.alarms_notify_nobody and options.alarm_email is None


def test_the_alarm_email_is_subscribed_and_every_alarm_notifies_the_topic(synthesized: Synthesized) -> None:
    # given
    topic = {"Ref": synthesized.logical_id(synthesized.stack.monitoring.topic)}
    (subscription,) = synthesized.resources("AWS::SNS::Subscription").values()

    # then
    assert subscription["Properties"] | {"TopicArn": topic} == {
        "Protocol": "email",
        "Endpoint": "alarms@example.com",
        "TopicArn": topic,
    }
    alarms = _alarms(synthesized)
    assert len(alarms) == 15  # 2 API, 5 uploads, errors and throttles of 3 functions, 2 tables
    for logical_id, alarm in alarms.items():
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic], logical_id
        assert alarm["TreatMissingData"] == "notBreaching", logical_id


def test_with_alarms_off_nobody_is_subscribed_but_the_alarms_stay(synthesized_minimal: Synthesized) -> None:
    # given
    quiet = synthesized_minimal

    # then
    assert quiet.validation_error is None
    assert quiet.resources("AWS::SNS::Subscription") == {}
    assert len(quiet.resources("AWS::CloudWatch::Alarm")) == 15


def test_the_api_alarms_on_5xx_answers_and_p90_latency(synthesized: Synthesized) -> None:
    # given
    api = [{"Name": "ApiId", "Value": {"Ref": synthesized.logical_id(synthesized.stack.api.http_api)}}]

    # when
    errors = _alarm_on(synthesized, "AWS/ApiGateway", "5xx", api)
    latency = _alarm_on(synthesized, "AWS/ApiGateway", "Latency", api)

    # then
    assert (errors["Statistic"], errors["Threshold"], errors["Period"]) == ("Sum", 5, 300)
    assert errors["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert (latency["ExtendedStatistic"], latency["Threshold"]) == ("p90", monitoring.API_P90_LATENCY_ALARM_MS)
    assert latency["EvaluationPeriods"] == monitoring.API_LATENCY_PERIODS == 3
    assert latency["ComparisonOperator"] == "GreaterThanThreshold"


@pytest.mark.parametrize(
    ("status", "threshold"),
    [("failed", monitoring.FAILED_UPLOADS_ALARM_COUNT), ("rejected", monitoring.REJECTED_UPLOADS_ALARM_COUNT)],
)
def test_the_processors_failed_and_rejected_outcomes_alarm(
    synthesized: Synthesized, status: str, threshold: int
) -> None:
    # given: the metric functions/processor/handler.py emits per outcome, per function
    processor = {"Ref": synthesized.logical_id(synthesized.stack.processing.handler.function)}
    dimensions = [{"Name": "function", "Value": processor}, {"Name": "service", "Value": SERVICE}]

    # when
    alarm = _alarm_on(synthesized, "Trove", f"Upload_{status}", dimensions)

    # then
    assert (alarm["Statistic"], alarm["Threshold"], alarm["Period"]) == ("Sum", threshold, 300)


def test_the_processor_emits_its_outcomes_per_function() -> None:
    # given
    source = (REPO_ROOT / "functions" / "processor" / "handler.py").read_text()

    # then: the dimension the alarms above name is added where the outcome metric is emitted
    emission = source[source.index("for outcome in process_message") :]
    assert 'metrics.add_dimension(name="function", value=lambda_context.function_name)' in emission
    assert 'metrics.add_metric(name=f"Upload_{outcome.status}"' in emission


@pytest.mark.parametrize("table", ["assets_table", "usages_table"])
def test_dynamodb_throttles_alarm_on_each_table(synthesized: Synthesized, table: str) -> None:
    # given
    table_id = synthesized.logical_id(getattr(synthesized.stack.storage, table))

    # when: alarms over metric math that sums ThrottledRequests of the table's operations
    matching = [
        alarm
        for alarm in _alarms(synthesized).values()
        if any(
            query.get("MetricStat", {}).get("Metric", {}).get("MetricName") == "ThrottledRequests"
            and {"Name": "TableName", "Value": {"Ref": table_id}}
            in query["MetricStat"]["Metric"]["Dimensions"]
            for query in alarm.get("Metrics", [])
        )
    ]

    # then
    (alarm,) = matching
    operations = {
        dimension["Value"]
        for query in alarm["Metrics"]
        if "MetricStat" in query
        for dimension in query["MetricStat"]["Metric"]["Dimensions"]
        if dimension["Name"] == "Operation"
    }
    assert {"GetItem", "PutItem", "UpdateItem", "Query", "Scan"} <= operations
    assert alarm["Threshold"] == 1


@pytest.mark.parametrize("name", ["api", "processing", "sweep"])
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_each_function_has_error_and_throttle_alarms(synthesized: Synthesized, name: str, metric: str) -> None:
    # given: the API's alarms watch its `live` alias (the SnapStart version API Gateway invokes)
    function = {"Ref": synthesized.logical_id(getattr(synthesized.stack, name).handler.function)}
    dimensions = [{"Name": "FunctionName", "Value": function}]
    if name == "api":
        dimensions.append({"Name": "Resource", "Value": {"Fn::Join": ["", [function, ":live"]]}})

    # when
    alarm = _alarm_on(synthesized, "AWS/Lambda", metric, dimensions)

    # then
    assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 1)
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_the_dlq_alarms_on_depth_and_on_age(synthesized: Synthesized) -> None:
    # given
    storage = synthesized.stack.storage
    dlq = [{"Name": "QueueName", "Value": {"Fn::GetAtt": [synthesized.logical_id(storage.dead_letter_queue), "QueueName"]}}]
    queue = [{"Name": "QueueName", "Value": {"Fn::GetAtt": [synthesized.logical_id(storage.queue), "QueueName"]}}]

    # when
    depth = _alarm_on(synthesized, "AWS/SQS", "ApproximateNumberOfMessagesVisible", dlq)
    dead_age = _alarm_on(synthesized, "AWS/SQS", "ApproximateAgeOfOldestMessage", dlq)
    waiting_age = _alarm_on(synthesized, "AWS/SQS", "ApproximateAgeOfOldestMessage", queue)

    # then
    assert depth["Threshold"] == 1
    assert dead_age["Threshold"] == 12 * 3600 < 24 * 3600  # before the upload's lifecycle expiry
    assert waiting_age["Threshold"] == 600


def test_the_dashboard_shows_every_alarm_and_each_concern(synthesized: Synthesized) -> None:
    # given
    (dashboard,) = synthesized.resources("AWS::CloudWatch::Dashboard").values()

    # when
    body = json.loads(render(dashboard["Properties"]["DashboardBody"]))
    titles = {widget["properties"].get("title") for widget in body["widgets"]}
    (status,) = [widget for widget in body["widgets"] if widget["type"] == "alarm"]

    # then
    assert dashboard["Properties"]["DashboardName"] == "trove-dev"
    assert {
        "Alarms",
        "API requests",
        "API latency (ms)",
        "Function errors",
        "Upload outcomes",
        "Uploads queue",
        "DynamoDB throttled requests: Assets",
        "DynamoDB throttled requests: Usages",
    } <= titles
    assert len(status["properties"]["alarms"]) == len(_alarms(synthesized))
