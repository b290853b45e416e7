"""Schemathesis against the OpenAPI document the local stack serves, over HTTP with a dev token:
every operation, valid and invalid inputs, bounded examples → 0 server errors and 0 responses that
break the document (status codes, content types, headers, bodies).

Run alone: `pytest tests/reliability/test_fuzzing.py -m e2e` (about a minute and a half on 2 cores);
FUZZ_EXAMPLES=100 for a longer run."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
# What the brief guards: no server error, and every response as the document says (status code,
# content type, headers, body), and no operation that answers without the token it requires.
RESPONSE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]
# Where the document is looser than the API (a name with a control character is valid JSON Schema
# but refused), or stricter: counted as documentation gaps, not failures.
REQUEST_CHECKS = [positive_data_acceptance, negative_data_rejection]


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation in the document the API serves (generated from the routes)."""
    from functions.api.handler import app  # noqa: F401 - registers every route
    from functions.api.routes.openapi import openapi_document

    paths = json.loads(openapi_document())["paths"]
    return [(method.upper(), path) for path, methods in paths.items() for method in methods]


OPERATIONS = _operations()


@pytest.fixture(scope="session")
def served_schema(stack_process):
    return schemathesis.openapi.from_url(f"{stack_process.url}/api/openapi.json")


@pytest.fixture(scope="session")
def fuzz_session(stack_process) -> requests.Session:
    token = requests.post(f"{stack_process.url}/local/token", json={"user": "fuzzer"}, timeout=10).json()["token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{method} {path}" for method, path in OPERATIONS])
def test_every_operation_answers_within_its_schema(served_schema, fuzz_session, stack, ledger, method, path, mode):
    # given
    operation = served_schema[path][method]
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    gaps: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the same cases every run: a failure here is reproducible
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: report what was found, quickly
        suppress_health_check=list(HealthCheck),
    )
    def call(case) -> None:
        response = case.call(base_url=stack.url, session=fuzz_session)
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=REQUEST_CHECKS)
        except BaseException as gap:  # noqa: BLE001 - recorded, not raised
            gaps.append(_first_line(gap))
        case.validate_response(response, checks=RESPONSE_CHECKS)

    # when
    try:
        call()
    except BaseException as failure:  # schemathesis raises one group naming every failed check
        failures.append(str(failure))
        raise
    finally:
        # then
        crashes = sum(1 for failure in failures if "Server error" in failure)
        ledger("fuzzing").record(
            f"{method} {path} ({mode.value})", passed=not failures, examples=sum(statuses.values()),
            statuses=dict(sorted(statuses.items())), crash=crashes,
            schema_violations=len(failures) - crashes, documentation_gaps=len(gaps),
            gap_examples=sorted(set(gaps))[:3], problems=failures[0][:600] if failures else "",
        )


def _first_line(failure: BaseException) -> str:
    """`ST202 Schema-valid request rejected: {"detail": ...}`, short."""
    text = str(failure)
    checks = [line.strip("| -") for line in text.splitlines() if line.strip("| ").startswith("- ST")]
    bodies = [line.strip("| `") for line in text.splitlines() if line.strip("| ").startswith("`")]
    return f"{', '.join(checks) or text[:80]}: {bodies[0][:120] if bodies else ''}"
