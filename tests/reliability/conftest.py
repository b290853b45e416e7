"""Fixtures for the reliability suite: the integration fixtures (moto, the API handler, the processor
handler), a ledger of figures per area, and the invariants every case is held to (no crash, nothing
left pending, no orphan object)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import boto3
import pytest
from moto import mock_aws

from tests.integration.conftest import (  # noqa: F401 - fixtures, used by name
    ApiResponse,
    LambdaContext,
    api,
    aws,
    bucket,
    dynamodb_calls,
    http_event,
    make_ready,
    s3,
    upload,
)
from tests.integration.processor.conftest import deliver, record, sqs_event  # noqa: F401
from tests.reliability.ledger import Ledger, latest_run, run_id, summary_table, write_tables

_SESSION_STARTED = time.time()


@pytest.fixture(scope="session")
def ledger(request: pytest.FixtureRequest) -> Callable[[str], Ledger]:
    """`ledger("hostile").record(case, passed, **figures)`: one row of the area's figures."""
    run = run_id(request.config)
    ledgers: dict[str, Ledger] = {}
    return lambda area: ledgers.setdefault(area, Ledger(area, run))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """The figures of this run, when it recorded any (pytest tests/reliability ...)."""
    run = latest_run()
    if run is None or run.stat().st_mtime < _SESSION_STARTED:
        return
    terminalreporter.section("reliability figures")
    terminalreporter.write_line(summary_table(run))
    terminalreporter.write_line(f"every case: {write_tables(run)}")


# ---------------------------------------------------------------------------------------------------
# One moto world shared by the cases of a module: the tables, the bucket, both handlers


@dataclass
class World:
    """Moto's S3 and DynamoDB with the handlers over them; `api` never raises (a crash is a 599)."""

    s3: Any
    bucket: str

    def api(
        self,
        method: str,
        path: str,
        *,
        user: str | None = "user-a",
        body: Any = None,
        headers: dict[str, str] | None = None,
        base64_body: bytes | None = None,
    ) -> ApiResponse:
        from functions.api.handler import lambda_handler

        raw_path, _, query = path.partition("?")
        event = http_event(
            method, raw_path, user=user, body=body, query=dict(parse_qsl(query)) if query else None, headers=headers
        )
        if base64_body is not None:
            event["body"], event["isBase64Encoded"] = base64.b64encode(base64_body).decode(), True
        try:
            raw = lambda_handler(event, LambdaContext())
        except Exception as error:  # noqa: BLE001 - an unhandled exception is what is being counted
            return ApiResponse(status=599, headers={}, body=json.dumps({"detail": f"CRASH {error!r}"}))
        headers_out = {key.lower(): value for key, value in (raw.get("headers") or {}).items()}
        return ApiResponse(status=int(raw["statusCode"]), headers=headers_out, body=raw.get("body") or "")

    def deliver(self, key: str, receive_count: int = 1) -> dict:
        from functions.processor.handler import lambda_handler

        return lambda_handler(sqs_event(key, receive_count), LambdaContext())

    def object_keys(self) -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def orphans(self) -> list[str]:
        return orphan_keys(self.object_keys())


def orphan_keys(keys: list[str]) -> list[str]:
    """Objects no record accounts for. An upload (the quarantine) is in flight for a pending record and
    kept, never served, for a failed one; once the record is ready its bytes live at the served key
    and the upload must be gone; rejected bytes are never kept. A served copy belongs to a ready record
    that names it, a thumbnail to a record that names it."""
    from functions.core import topology
    from functions.core.models import AssetModel

    found = []
    for key in keys:
        prefix = next(prefix for prefix in (topology.UPLOADS_PREFIX, topology.FILES_PREFIX, topology.THUMBNAILS_PREFIX) if key.startswith(prefix))
        asset_id = key.removeprefix(prefix).removesuffix(".jpg")
        try:
            item = AssetModel.get(asset_id, consistent_read=True)
        except (AssetModel.DoesNotExist, ValueError):
            item = None
        if item is None:
            found.append(key)
        elif prefix == topology.UPLOADS_PREFIX:
            if item.status in ("rejected", "ready") and item.object_key != key:
                found.append(key)
        elif prefix == topology.FILES_PREFIX:
            if item.status != "ready" or item.object_key != key:
                found.append(key)
        elif item.thumbnail_key != key:
            found.append(key)
    return found


def fresh_world() -> World:
    from functions.core.models import AssetModel
    from functions.core.settings import get_settings
    from functions.core.storage import s3_client
    from functions.lineage.models import UsageModel

    for model in (AssetModel, UsageModel):
        model._connection = None
        model.create_table(wait=True)
    s3_client.cache_clear()
    client = boto3.client("s3", region_name="us-east-1")
    bucket_name = get_settings().bucket_name
    client.create_bucket(Bucket=bucket_name)
    return World(s3=client, bucket=bucket_name)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with mock_aws():
        yield fresh_world()
    from functions.core.storage import s3_client

    s3_client.cache_clear()


@pytest.fixture
def processor_s3(aws):  # noqa: F811
    """The S3 client the processor (and the API) use, made inside this test's moto, to hook faults on."""
    from functions.core.settings import get_settings
    from functions.core.storage import s3_client

    s3_client.cache_clear()
    client = s3_client(get_settings())
    yield client
    s3_client.cache_clear()


def presigned_params(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query))


# ---------------------------------------------------------------------------------------------------
# The local stack, for the e2e tests (marked e2e and grouped "local_stack"): one per worker session


@pytest.fixture(scope="session")
def stack_process(tmp_path_factory: pytest.TempPathFactory):
    """`python -m infra.local` on free ports (infra.local.harness), quick retries of failed messages."""
    from infra.local.harness import StackProcess

    process = StackProcess(tmp_path_factory.mktemp("reliability-stack"), retry_after=1)
    try:
        process.start()
    except RuntimeError as error:
        pytest.fail(str(error))
    yield process
    assert process.stop() == 0, f"the local stack did not stop cleanly:\n{process.log_tail()}"


@pytest.fixture
def stack(stack_process):
    """The running stack. xdist may run this worker's tests of the stack in several groups, and a stack
    found stopped between them (seen once: gone, its fixture still cached) is started again."""
    stack_process.ensure_running()
    return stack_process


@pytest.fixture
def stack_client(stack):
    """`stack_client("alice")`: a user of the running stack, with a token from POST /local/token."""
    from infra.local.harness import Client

    return lambda user: Client(stack.url, user)


@pytest.fixture
def stack_s3(stack):
    """Straight to moto's S3, behind the API's back."""
    return boto3.client(
        "s3", region_name="us-east-1", endpoint_url=stack.state["moto"],
        aws_access_key_id="local", aws_secret_access_key="local",
    )
