"""The sweep handler on the sample scheduled events: the scope comes from the event, the time left
from the Lambda context."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core.models import AssetModel
from tests.integration.conftest import LambdaContext, load_event


class SweepContext(LambdaContext):
    function_name = "trove-sweep"

    def __init__(self, remaining_ms: int = 300_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def expired(upload) -> str:
    """A pending record whose bytes never came, past its TTL."""
    asset_id = upload()["id"]
    item = AssetModel.get(asset_id)
    item.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    item.save()
    return asset_id


def exists(asset_id: str) -> bool:
    return AssetModel.count(asset_id, consistent_read=True) == 1


def test_the_daily_event_runs_the_full_pass(aws, expired):
    # given
    from functions.sweep.handler import lambda_handler

    # when
    answer = lambda_handler(load_event("sweep/scheduled_full.json"), SweepContext())

    # then
    assert not exists(expired)
    assert answer == {
        "scope": "full", "settled": 0, "errors": 0, "expiredRecords": 1, "deletedObjects": 0, "outOfTime": False
    }


def test_the_frequent_event_only_settles_stale_uploads(aws, expired):
    # given
    from functions.sweep.handler import lambda_handler

    # when
    answer = lambda_handler(load_event("sweep/scheduled_uploads.json"), SweepContext())

    # then
    assert exists(expired)
    assert answer["scope"] == "uploads" and answer["expiredRecords"] == 0


def test_a_pass_stops_when_the_invocation_is_about_to_end(aws, expired):
    # given
    from functions.sweep.handler import lambda_handler

    # when
    answer = lambda_handler(load_event("sweep/scheduled_full.json"), SweepContext(remaining_ms=5_000))

    # then
    assert exists(expired)
    assert answer["outOfTime"] is True
