"""What the API writes for CloudWatch: its log lines and its metrics (EMF), as JSON objects."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator

import pytest


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict]]]:
    """The JSON lines the Logger writes from now on. Its handler holds the stream it was made with
    (whatever stdout was when functions.core.observability was first imported), so it is pointed at a
    buffer for the test, then back."""
    from functions.core.observability import logger

    handler = logger.registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    handler.setStream(previous)


@pytest.fixture
def metric_blobs(capsys: pytest.CaptureFixture[str]) -> Callable[[], list[dict]]:
    """The EMF blobs powertools' Metrics prints to stdout from now on."""
    capsys.readouterr()
    return lambda: [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{") and '"_aws"' in line
    ]
