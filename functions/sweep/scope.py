"""What a pass of the sweep covers, and how often each runs in AWS. Plain data: the CDK stack reads it."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    # Settle uploads the queue gave up on: cheap (the bucket lifecycle keeps uploads/ to a day's worth).
    UPLOADS = "uploads"
    # Also remove expired pending records and stray objects: in proportion to the table and the bucket.
    FULL = "full"


# The EventBridge schedules (infra/constructs/sweep.py); each sends `{"scope": <scope>}`.
EVERY_MINUTES = {Scope.UPLOADS: 15, Scope.FULL: 24 * 60}
