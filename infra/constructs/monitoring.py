"""Alarms: anything in the DLQ, uploads waiting too long, and errors or throttles of each function.

Every alarm notifies one SNS topic; `-c alarm_email=ops@example.com` subscribes an address.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

PERIOD = Duration.minutes(5)
# An upload should be settled within seconds; ten minutes in the queue means processing is stuck.
OLDEST_UPLOAD_ALARM_SECONDS = 600


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        dead_letter_queue: sqs.IQueue,
        queue: sqs.IQueue,
        functions: Mapping[str, lambda_.IFunction],
        alarm_email: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "AlarmTopic", display_name="Trove alarms", enforce_ssl=True)
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []
        self._alarm(
            "DeadLettersAlarm",
            "A message reached the uploads DLQ: an upload failed processing every time it was tried",
            dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic="Maximum"
            ),
        )
        self._alarm(
            "StuckUploadsAlarm",
            "The oldest message in the uploads queue waited over ten minutes: processing is stuck",
            queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum"),
            threshold=OLDEST_UPLOAD_ALARM_SECONDS,
        )
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

    def _alarm(
        self, construct_id: str, description: str, metric: cloudwatch.IMetric, threshold: float = 1
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
