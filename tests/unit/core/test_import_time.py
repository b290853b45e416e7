"""Importing the domain modules binds nothing: no settings are read and no table is chosen until a
handler starts (or the first use). Each import runs in a fresh interpreter with no TROVE_* and no
AWS variables, so a module that reads its settings at import is caught."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
PROBE = """
import importlib, sys
importlib.import_module(sys.argv[1])
from functions.core.models import AssetModel
from functions.core.settings import get_settings
from functions.lineage.models import UsageModel
print(get_settings.cache_info().misses, AssetModel.Meta.table_name, UsageModel.Meta.table_name)
"""


def imported_alone(module: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE, module],
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "module",
    [
        "functions.core.models",
        "functions.core.store",
        "functions.core.memory_store",
        "functions.processor.pipeline",
        "functions.sweep.recovery",
        "functions.core.assets",
        "functions.core.cascade",
        "functions.lineage.models",
        "functions.lineage.store",
        "functions.lineage.memory_store",
        "functions.lineage.usages",
        "functions.lineage.graph",
    ],
)
def test_importing_a_domain_module_reads_no_settings(module):
    # when
    probe = imported_alone(module)

    # then
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["0", "None", "None"]


def test_a_handler_missing_a_required_setting_fails_at_cold_start_naming_it():
    # when: the processor starts in a Lambda whose environment lacks the table's name
    probe = imported_alone("functions.processor.handler", AWS_LAMBDA_FUNCTION_NAME="trove-processor",
                           TROVE_BUCKET="bucket", AWS_REGION="eu-west-1")

    # then
    assert probe.returncode != 0
    assert "MissingSetting: TROVE_TABLE must be set in a Lambda" in probe.stderr
