"""The sweep: a function EventBridge invokes on two schedules to finish what upload events left
unfinished (functions/sweep/recovery.py): every 15 minutes it settles uploads the queue gave up on,
once a day it also removes expired pending records and stray objects.

It runs the processor's code (so the processor's rights on the bucket and the assets table, and both
layers), may list the bucket under the three key prefixes, and may Scan the assets table (the daily
pass looks for expired pending records), read items in batches (do stray objects name a record?) and
delete items (on the condition, in the request, that they are still pending and expired).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct

from functions.core import topology
from functions.sweep.scope import EVERY_MINUTES, Scope
from infra.constructs.layers import Layers
from infra.constructs.processing import processing_function
from infra.constructs.storage import Storage
from infra.stage import Stage

HANDLER = "functions.sweep.handler.lambda_handler"
NAME = "trove-sweep"
# A pass stops starting work when less than a settle's worth of time is left (RESERVE_SECONDS), and
# the next one goes on; 10 minutes keeps a pass clear of the next 15-minute one.
TIMEOUT = Duration.minutes(10)


class Sweep(Construct):
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
            description="Trove sweep: settle uploads the queue gave up on, remove expired records and strays",
            timeout=TIMEOUT,
            storage=storage,
            layers=layers,
            architecture=architecture,
        )
        spec = topology.BUCKET
        # Strays are found by listing; their deletion is in the processing grants.
        self.handler.allow_listing("ListStrays", storage.bucket, [spec.files_prefix, spec.thumbnails_prefix])
        self.handler.allow(
            "SweepAssetItems",
            ["dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:DeleteItem"],
            [storage.assets_table.table_arn],
        )
        self.rules = {
            each: events.Rule(
                self,
                f"{each.value.capitalize()}Schedule",
                description=f"Trove sweep: the {each.value} pass",
                schedule=events.Schedule.rate(Duration.minutes(EVERY_MINUTES[each])),
                targets=[
                    targets.LambdaFunction(
                        self.handler.function, event=events.RuleTargetInput.from_object({"scope": each.value})
                    )
                ],
            )
            for each in Scope
        }
