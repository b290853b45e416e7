"""SnapStart priming (functions/api/priming.py): what it builds before the snapshot is not built again
by the first request; what it renews after a restore is renewed."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from functions.api import priming

ROOT = Path(__file__).resolve().parents[3]


class Context:
    function_name = "trove-api"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:trove-api"
    aws_request_id = "test"


@pytest.fixture
def created_clients(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The service name of every botocore client made from now on (in any session)."""
    made: list[str] = []
    create_client = botocore.session.Session.create_client

    def counting(self: botocore.session.Session, service_name: str, *args: Any, **kwargs: Any) -> Any:
        made.append(service_name)
        return create_client(self, service_name, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", counting)
    return made


def _routes(app: Any) -> list[Any]:
    return [*app._static_routes, *app._dynamic_routes]


def _child_processes() -> list[str]:
    tasks = Path(f"/proc/{os.getpid()}/task")
    return [pid for task in tasks.iterdir() for pid in (task / "children").read_text().split()]


def test_prime_builds_every_routes_models_and_the_clients(api_handler: Any, clients: priming.AwsClients, created_clients: list[str]) -> None:
    # when
    priming.prime(api_handler.app, clients)

    # then
    assert all(route._dependant is not None for route in _routes(api_handler.app))
    assert sorted(created_clients) == ["dynamodb", "dynamodb", "s3"]


def test_after_priming_the_first_request_makes_no_client_and_no_model(
    api_handler: Any, clients: priming.AwsClients, created_clients: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    priming.prime(api_handler.app, clients)
    created_clients.clear()
    from aws_lambda_powertools.event_handler.openapi import dependant

    def no_build(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a route's models were built during the request")

    monkeypatch.setattr(dependant, "get_dependant", no_build)
    event = json.loads((ROOT / "events" / "api" / "list_assets.json").read_text())

    # when
    response = api_handler.lambda_handler(event, Context())

    # then
    assert response["statusCode"] == 200
    assert created_clients == []


def test_without_priming_the_first_request_makes_its_client(
    api_handler: Any, created_clients: list[str]
) -> None:
    # given: what the test above rules out does happen otherwise (so that test can fail)
    event = json.loads((ROOT / "events" / "api" / "list_assets.json").read_text())

    # when
    response = api_handler.lambda_handler(event, Context())

    # then
    assert response["statusCode"] == 200
    assert "dynamodb" in created_clients


def test_priming_starts_no_child_process(api_handler: Any, clients: priming.AwsClients) -> None:
    # given
    before = _child_processes()

    # when
    priming.prime(api_handler.app, clients)

    # then: the inspection worker (functions/processor/inspect/budget.py) is not in the snapshot
    assert _child_processes() == before


def test_refresh_after_restore_reseeds_random(api_handler: Any, clients: priming.AwsClients) -> None:
    # given: two sandboxes restored from one snapshot share the generator's state
    random.seed(1234)
    in_the_snapshot = random.random()
    random.seed(1234)

    # when
    priming.refresh_after_restore(clients)

    # then
    assert random.random() != in_the_snapshot


def test_refresh_after_restore_resolves_credentials_again(
    api_handler: Any, clients: priming.AwsClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: clients made with one set of credentials, then the sandbox's own
    import boto3

    from functions.core import storage
    from functions.core.models import AssetModel

    priming.prime(api_handler.app, clients)
    snapshot_s3 = storage.s3_client(api_handler.settings)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "restored-sandbox")

    # when
    priming.refresh_after_restore(clients)

    # then
    assert storage.s3_client(api_handler.settings) is not snapshot_s3
    assert boto3.DEFAULT_SESSION.get_credentials().access_key == "restored-sandbox"
    assert AssetModel._get_connection().connection.session.get_credentials().access_key == "restored-sandbox"


def test_register_hooks_registers_prime_and_refresh_with_the_runtime(api_handler: Any) -> None:
    # given: the library Lambda's Python runtime ships (a dev dependency here)
    hooks = pytest.importorskip("snapshot_restore_py")
    before, after = len(hooks.get_before_snapshot()), len(hooks.get_after_restore())

    # when
    registered = priming.register_hooks(api_handler.app, api_handler.settings)

    # then
    assert registered
    assert [hook[0] for hook in hooks.get_before_snapshot()[before:]] == [priming.prime]
    assert [hook[0] for hook in hooks.get_after_restore()[after:]] == [priming.refresh_after_restore]


def test_a_restore_parses_no_service_model_again(
    api_handler: Any, clients: priming.AwsClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: botocore's models parsed once, before the snapshot
    import botocore.loaders

    priming.prime(api_handler.app, clients)
    read: list[str] = []
    load_file = botocore.loaders.JSONFileLoader.load_file

    def recording(self: Any, file_path: str) -> Any:
        read.append(file_path)
        return load_file(self, file_path)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", recording)

    # when
    priming.refresh_after_restore(clients)

    # then: new sessions (new credentials), the same parsed models
    assert read == []
