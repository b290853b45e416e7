"""Alarms that reach someone, and a dashboard.

Every alarm notifies one SNS topic. The synth refuses to go on without somebody to notify: `-c
alarm_email=ops@example.com` subscribes an address, `-c alarms=off` says on purpose that nobody is
(the alarms still change state, on the dashboard and in the console). What is watched:

- the API: 5xx answers (bad input is a 4xx, so a 5xx is a fault) and p90 latency;
- the functions: errors and throttles of each (the API's on its `live` alias, the SnapStart version
  API Gateway invokes, so a version published but not yet live does not count);
- the uploads: the oldest message waiting in the queue, anything reaching the DLQ, and a message left
  in the DLQ long enough that its upload is about to expire;
- the processor's outcomes: bursts of `failed` (broken media, or a broken deployment) and `rejected`
  (a type outside the allow-list or not the declared one), from the metrics the processor emits;
- DynamoDB: throttled requests on either table (on-demand tables throttle on hot partitions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions.core.models import AssetStatus
from functions.core.observability import SERVICE, metrics
from infra.stage import Stage

PERIOD = Duration.minutes(5)
DASHBOARD = "trove"
# An upload should be settled within seconds; ten minutes in the queue means processing is stuck.
OLDEST_UPLOAD_ALARM_SECONDS = 600
# A dead letter half a day old has not been redriven, and the lifecycle rule expires its upload after
# a day (topology.ABANDONED_UPLOAD_DAYS): redrive it before then (docs/deploy.md, Redriving the DLQ).
OLDEST_DEAD_LETTER_ALARM_SECONDS = 12 * 3600
# Bad input is answered with a 4xx; a 5xx is a fault (a crash, a timeout, an integration error). A few
# in five minutes is worth a look, a single one may be a cold start timing out.
API_SERVER_ERRORS_ALARM_COUNT = 5
# API Gateway's latency (authorizer + function), p90 over three five-minute periods in a row: a warm
# request takes tens of milliseconds, a cold one about a second, the synchronous upload a few.
API_P90_LATENCY_ALARM_MS = 2000
API_LATENCY_PERIODS = 3
# One broken or mislabelled file is the uploader's business; many within five minutes are not (a bad
# deployment or library fails every file, a probe sends many wrong types).
FAILED_UPLOADS_ALARM_COUNT = 5
REJECTED_UPLOADS_ALARM_COUNT = 25
# What Trove's code asks of DynamoDB: throttled requests are counted per operation.
TABLE_OPERATIONS = [
    dynamodb.Operation.GET_ITEM,
    dynamodb.Operation.BATCH_GET_ITEM,
    dynamodb.Operation.PUT_ITEM,
    dynamodb.Operation.UPDATE_ITEM,
    dynamodb.Operation.DELETE_ITEM,
    dynamodb.Operation.BATCH_WRITE_ITEM,
    dynamodb.Operation.QUERY,
    dynamodb.Operation.SCAN,
]
# How the processor settles an upload (it also counts skipped and orphaned ones, which need no watching).
SETTLED = (AssetStatus.READY, AssetStatus.REJECTED, AssetStatus.FAILED)


def upload_outcome_metric(status: AssetStatus, processor_name: str) -> cloudwatch.Metric:
    """The count functions/processor/handler.py emits per settled upload (`Upload_<status>`, through
    powertools' embedded metric format), with the dimensions it emits: the service and the function,
    so each stage's processor has metrics of its own."""
    return cloudwatch.Metric(
        namespace=metrics.namespace,
        metric_name=f"Upload_{status.value}",
        dimensions_map={"service": SERVICE, "function": processor_name},
        statistic="Sum",
        period=PERIOD,
    )


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        http_api: apigw.HttpApi,
        tables: Mapping[str, dynamodb.ITable],
        dead_letter_queue: sqs.IQueue,
        queue: sqs.IQueue,
        functions: Mapping[str, lambda_.IFunction],
        processor_name: str,
        alarm_email: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "AlarmTopic", display_name=f"Trove alarms ({stage.name})", enforce_ssl=True)
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []
        outcomes = {status: upload_outcome_metric(status, processor_name) for status in SETTLED}
        self._api_alarms(http_api)
        self._upload_alarms(queue, dead_letter_queue, outcomes)
        for name, function in functions.items():
            self._alarm(
                f"{name}ErrorsAlarm",
                f"The {name} function raised errors",
                function.metric_errors(period=PERIOD, statistic="Sum"),
            )
            self._alarm(
                f"{name}ThrottlesAlarm",
                f"The {name} function was throttled",
                function.metric_throttles(period=PERIOD, statistic="Sum"),
            )
        throttles = {
            name: table.metric_throttled_requests_for_operations(
                operations=TABLE_OPERATIONS, period=PERIOD, label=f"{name} table"
            )
            for name, table in tables.items()
        }
        for name, metric in throttles.items():
            self._alarm(f"{name}ThrottlesAlarm", f"DynamoDB throttled requests to the {name} table", metric)
        self.dashboard = self._dashboard(stage, http_api, queue, dead_letter_queue, functions, outcomes, throttles)

    def _api_alarms(self, http_api: apigw.HttpApi) -> None:
        self._alarm(
            "ApiServerErrorsAlarm",
            f"The API answered {API_SERVER_ERRORS_ALARM_COUNT} or more 5xx within five minutes",
            http_api.metric_server_error(period=PERIOD, statistic="Sum"),
            threshold=API_SERVER_ERRORS_ALARM_COUNT,
        )
        self._alarm(
            "ApiLatencyAlarm",
            f"The API's p90 latency stayed above {API_P90_LATENCY_ALARM_MS} ms for "
            f"{API_LATENCY_PERIODS * 5} minutes",
            http_api.metric_latency(period=PERIOD, statistic="p90"),
            threshold=API_P90_LATENCY_ALARM_MS,
            evaluation_periods=API_LATENCY_PERIODS,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )

    def _upload_alarms(
        self, queue: sqs.IQueue, dead_letter_queue: sqs.IQueue, outcomes: Mapping[AssetStatus, cloudwatch.Metric]
    ) -> None:
        self._alarm(
            "DeadLettersAlarm",
            "A message reached the uploads DLQ: an upload failed processing every time it was tried",
            dead_letter_queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
        )
        self._alarm(
            "OldDeadLettersAlarm",
            "A message has waited in the uploads DLQ for half a day: redrive it before its upload expires",
            dead_letter_queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum"),
            threshold=OLDEST_DEAD_LETTER_ALARM_SECONDS,
        )
        self._alarm(
            "StuckUploadsAlarm",
            "The oldest message in the uploads queue waited over ten minutes: processing is stuck",
            queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum"),
            threshold=OLDEST_UPLOAD_ALARM_SECONDS,
        )
        self._alarm(
            "FailedUploadsAlarm",
            f"{FAILED_UPLOADS_ALARM_COUNT} or more uploads failed processing within five minutes",
            outcomes[AssetStatus.FAILED],
            threshold=FAILED_UPLOADS_ALARM_COUNT,
        )
        self._alarm(
            "RejectedUploadsAlarm",
            f"{REJECTED_UPLOADS_ALARM_COUNT} or more uploads were rejected within five minutes",
            outcomes[AssetStatus.REJECTED],
            threshold=REJECTED_UPLOADS_ALARM_COUNT,
        )

    def _alarm(
        self,
        construct_id: str,
        description: str,
        metric: cloudwatch.IMetric,
        threshold: float = 1,
        evaluation_periods: int = 1,
        comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            comparison_operator=comparison,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)

    def _dashboard(
        self,
        stage: Stage,
        http_api: apigw.HttpApi,
        queue: sqs.IQueue,
        dead_letter_queue: sqs.IQueue,
        functions: Mapping[str, lambda_.IFunction],
        outcomes: Mapping[AssetStatus, cloudwatch.Metric],
        throttles: Mapping[str, cloudwatch.IMetric],
    ) -> cloudwatch.Dashboard:
        def graph(title: str, left: Sequence[cloudwatch.IMetric], width: int = 8) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=list(left), width=width, height=6)

        def per_function(metric: str, statistic: str) -> list[cloudwatch.IMetric]:
            return [
                function.metric(metric, statistic=statistic, period=PERIOD, label=name)
                for name, function in functions.items()
            ]

        latency = [
            http_api.metric_latency(period=PERIOD, statistic=statistic, label=f"latency {statistic}")
            for statistic in ("p50", "p90", "p99")
        ]
        dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=stage.resource_name(DASHBOARD),
            default_interval=Duration.hours(12),
        )
        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24, height=4)
        )
        dashboard.add_widgets(
            graph(
                "API requests",
                [
                    http_api.metric_count(period=PERIOD, statistic="Sum", label="requests"),
                    http_api.metric_client_error(period=PERIOD, statistic="Sum", label="4xx"),
                    http_api.metric_server_error(period=PERIOD, statistic="Sum", label="5xx"),
                ],
            ),
            graph("API latency (ms)", latency),
            graph("Function errors", per_function("Errors", "Sum")),
        )
        dashboard.add_widgets(
            graph("Function duration p90 (ms)", per_function("Duration", "p90")),
            graph("Function throttles", per_function("Throttles", "Sum")),
            graph("Function concurrency", per_function("ConcurrentExecutions", "Maximum")),
        )
        dashboard.add_widgets(
            graph(
                "Upload outcomes",
                [outcomes[status].with_(label=status.value) for status in SETTLED],
            ),
            graph(
                "Uploads queue",
                [
                    queue.metric_approximate_number_of_messages_visible(period=PERIOD, label="waiting"),
                    dead_letter_queue.metric_approximate_number_of_messages_visible(period=PERIOD, label="dead letters"),
                ],
            ),
            graph(
                "Oldest message (s)",
                [
                    queue.metric_approximate_age_of_oldest_message(period=PERIOD, label="uploads queue"),
                    dead_letter_queue.metric_approximate_age_of_oldest_message(period=PERIOD, label="DLQ"),
                ],
            ),
        )
        # One graph per table: the two sums are built from metrics with the same ids (one per operation).
        dashboard.add_widgets(
            *(
                graph(f"DynamoDB throttled requests: {name}", [metric], width=24 // len(throttles))
                for name, metric in throttles.items()
            )
        )
        return dashboard
