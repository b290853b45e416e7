"""The memory budget is over the worker's fixed footprint, not over its size when a task starts: a
file's outcome does not depend on what the worker did before (memory kept by an earlier file gave
the next one more room)."""

from __future__ import annotations

import pytest

from functions.core.topology import InspectionBudget
from functions.processor.inspect import TooCostly, run_within_budget

BUDGET = InspectionBudget(cpu_seconds=10, memory_mb=64, wall_seconds=30)
TASKS = "tests.unit.processor.worker_tasks"


def test_a_task_over_the_memory_budget_fails_in_a_fresh_worker():
    # when / then
    with pytest.raises(TooCostly, match="64 MB"):
        run_within_budget(b"", f"{TASKS}:reuse", (128,), budget=BUDGET)


def test_memory_an_earlier_task_kept_gives_the_next_no_more_room():
    # given: a task that leaves 256 MB behind in its worker
    assert run_within_budget(b"", f"{TASKS}:keep", (256,), budget=InspectionBudget(10, 512, 30)) == 256

    # when / then: the next task, that could reuse that memory, has the same budget as in a fresh worker
    with pytest.raises(TooCostly, match="64 MB"):
        run_within_budget(b"", f"{TASKS}:reuse", (128,), budget=BUDGET)
