"""Many uploads at once: every one settles, none is lost or stuck, none leaks to another user."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

import pytest

from infra.local.harness import MIXED_WORKLOAD, Client, StackProcess, run_load
from tests.e2e.conftest import SETTLE_SECONDS
from tests.media.samples import corpus_sample

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

UPLOADS = 50
CLIENTS = 8


def test_fifty_uploads_from_eight_clients_all_settle(
    local_stack: StackProcess, client_for: Callable[[str], Client]
) -> None:
    mix = [corpus_sample(name) for name in MIXED_WORKLOAD]
    result = run_load(local_stack.url, mix, uploads=UPLOADS, clients=CLIENTS, settle_timeout=SETTLE_SECONDS)

    assert len({upload.asset_id for upload in result.settled}) == UPLOADS
    assert Counter(upload.status for upload in result.settled) == {"ready": UPLOADS}, local_stack.log_tail()
    uploaded_by = defaultdict(set)
    for upload in result.settled:
        uploaded_by[upload.user].add(upload.asset_id)
    for user, asset_ids in uploaded_by.items():
        listed = client_for(user).api("GET", "/api/v2/assets", params={"limit": 100}).json()
        assert {asset["id"] for asset in listed} == asset_ids
