"""schemathesis against the OpenAPI document the local stack serves, as its own CLI runs it: every
check the tool has (`--checks all`: server errors, status codes, content types, headers and bodies
as documented, schema-valid requests accepted and invalid ones refused, missing required headers,
undeclared methods, ignored auth, use after free, resource availability…) and every phase
(examples, coverage, fuzzing, stateful along the document's links), over HTTP with a dev token →
0 failures and 0 errors.

The few settings where the tool's expectation cannot hold, each with its reason, are in
`schemathesis.toml` beside this file. A fixed seed: the same cases every run, so a failure
reproduces (`st replay` with the id the output names).

Run alone: `pytest tests/reliability/test_fuzzing.py -m e2e -n 0`; `make fuzz` runs longer
(FUZZ_EXAMPLES cases per operation and phase, 10 here; FUZZ_SEED to explore other cases)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
SEED = int(os.environ.get("FUZZ_SEED", "14"))
PHASES = ("examples", "coverage", "fuzzing", "stateful")
CONFIG = Path(__file__).with_name("schemathesis.toml")
REPOSITORY = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_SECONDS = 1800  # a hung run fails the test instead of holding the suite


def _documented_operations() -> int:
    from functions.api.handler import app  # noqa: F401 - registers every route
    from functions.api.routes.openapi import openapi_document

    return sum(len(methods) for methods in json.loads(openapi_document())["paths"].values())


@pytest.fixture
def token(stack) -> str:
    return requests.post(f"{stack.url}/local/token", json={"user": "schemathesis"}, timeout=10).json()["token"]


def test_every_check_and_every_phase_pass(stack, token, tmp_path, ledger):
    # given
    report_path = tmp_path / "report.json"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(CONFIG),
        "run", f"{stack.url}/api/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--checks", "all",
        "--phases", ",".join(PHASES),
        "--max-examples", str(EXAMPLES),
        "--seed", str(SEED),
        "--workers", "2",
        "--generation-database", "none",
        "--no-color",
        "--report", "json,junit",
        "--report-json-path", str(report_path),
        "--report-junit-path", str(tmp_path / "junit.xml"),
    ]

    # when
    # In a scratch directory (schemathesis keeps a cache in its working directory), with the
    # repository importable for the hooks module the configuration names.
    finished = subprocess.run(
        command, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS, check=False,
    )

    # then
    assert report_path.exists(), finished.stdout[-4000:] + finished.stderr[-4000:]
    report = json.loads(report_path.read_text())
    phases = {name: report["phases"][name]["status"] for name in PHASES}
    ledger("fuzzing").record(
        "schemathesis: every check, every phase", passed=finished.returncode == 0,
        operations=report["operations"]["tested"], phases=phases, examples_per_operation=EXAMPLES, seed=SEED,
        cases=report["test_cases"]["generated"], failures=len(report["failures"]), errors=len(report["errors"]),
        warnings={kind: names for kind, names in report["warnings"].items() if names},
    )
    summary = finished.stdout[finished.stdout.find("FAILURES") :][-12_000:]
    assert (report["failures"], report["errors"]) == ([], []), summary
    assert finished.returncode == 0, summary
    assert report["operations"]["tested"] == _documented_operations()
    assert phases == dict.fromkeys(PHASES, "success")
