"""`python -m infra.local.invoke`: one handler, one event, against the running stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.local.harness import StackProcess
from infra.local.state import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

SAMPLE_API_EVENT = REPO_ROOT / "events" / "api" / "list_assets.json"


def invoke(state_file: Path, function: str, event: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TROVE_LOCAL_STATE": str(state_file)}
    command = [sys.executable, "-m", "infra.local.invoke", function, str(event)]
    return subprocess.run(
        command, check=False, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_api_handler_answers_a_sample_event(local_stack: StackProcess) -> None:
    done = invoke(local_stack.state_file, "api", SAMPLE_API_EVENT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["statusCode"] == 200


def test_the_processor_handles_an_sqs_event(local_stack: StackProcess, tmp_path: Path) -> None:
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": local_stack.state["bucket"]}
    record = {
        "messageId": "m-1",
        "receiptHandle": "r-1",
        "body": json.dumps(test_event),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:trove-uploads",
        "awsRegion": "us-east-1",
    }
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"Records": [record]}))
    done = invoke(local_stack.state_file, "processor", event)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"batchItemFailures": []}


def test_the_sweep_handles_its_scheduled_event(local_stack: StackProcess) -> None:
    done = invoke(local_stack.state_file, "sweep", REPO_ROOT / "events" / "sweep" / "scheduled_uploads.json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["scope"] == "uploads"


def test_invoke_says_what_to_do_without_a_running_stack(tmp_path: Path) -> None:
    done = invoke(tmp_path / "absent.json", "api", SAMPLE_API_EVENT)
    assert done.returncode != 0
    assert "make dev" in done.stderr
