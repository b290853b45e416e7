"""The use cases run in X-Ray subsegments of their own (functions/core/observability.py `traced`,
powertools' capture_method), so a slow request shows which use case its time went to."""

from __future__ import annotations

import pytest

from functions.core import assets, cascade
from functions.lineage import graph, usages

USE_CASES = [
    assets.get_owned,
    assets.create_upload,
    assets.create_pending,
    assets.create_link,
    assets.list_assets,
    assets.patch_asset,
    assets.delete_asset,
    assets.download_url,
    assets.thumbnail_url,
    cascade.delete_linked,
    usages.scan,
    usages.record_run,
    usages.of_asset,
    usages.of_consumer,
    usages.of_flow,
    usages.set_mode,
    usages.forget_asset,
    graph.flow_graph,
]


@pytest.mark.parametrize(
    "use_case", USE_CASES, ids=lambda function: f"{function.__module__}.{function.__name__}"
)
def test_a_use_case_is_traced_under_its_own_name(use_case):
    # then: powertools' wrapper, keeping the function's name (the subsegment is `## <name>`)
    assert use_case.__wrapped__.__name__ == use_case.__name__
    assert use_case.__code__ is not use_case.__wrapped__.__code__
