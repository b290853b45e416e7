"""What the API writes for CloudWatch: its metrics (EMF), as JSON objects (its log lines: `log_lines`,
in tests/conftest.py)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest


@pytest.fixture
def metric_blobs(capsys: pytest.CaptureFixture[str]) -> Callable[[], list[dict]]:
    """The EMF blobs powertools' Metrics prints to stdout from now on."""
    capsys.readouterr()
    return lambda: [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{") and '"_aws"' in line
    ]
