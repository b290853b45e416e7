"""The local stack as a subprocess on free ports, once per test session, and its users.

Everything goes over real HTTP (infra.local.harness): the front for tokens and the API, moto's server
for the presigned POST and the downloads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import boto3
import pytest

from infra.local.harness import Client, StackProcess

RETRY_AFTER_SECONDS = 1  # quick retries, so a failing message reaches the DLQ within seconds
SETTLE_SECONDS = 60  # a bound on waiting for processing, not a timing assertion


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    """Started once per worker (the tests share the xdist group "local_stack"), stopped with Ctrl-C's
    signal at the end, which must end it cleanly."""
    stack = StackProcess(tmp_path_factory.mktemp("local-stack"), retry_after=RETRY_AFTER_SECONDS)
    try:
        stack.start()
    except RuntimeError as error:
        pytest.fail(str(error))
    yield stack
    assert stack.stop() == 0, f"the local stack did not stop cleanly:\n{stack.log_tail()}"
    assert not stack.state_file.exists(), "the stack leaves no state file behind"


@pytest.fixture(scope="session")
def client_for(local_stack: StackProcess) -> Callable[[str], Client]:
    return lambda user: Client(local_stack.url, user)


@pytest.fixture(scope="session")
def alice(client_for: Callable[[str], Client]) -> Client:
    return client_for("alice")


@pytest.fixture(scope="session")
def bob(client_for: Callable[[str], Client]) -> Client:
    return client_for("bob")


@pytest.fixture(scope="session")
def moto_s3(local_stack: StackProcess):
    """Straight to moto, to look at the bucket behind the API's back."""
    return boto3.client("s3", region_name="us-east-1", endpoint_url=local_stack.state["moto"])


@pytest.fixture(scope="session")
def moto_sqs(local_stack: StackProcess):
    return boto3.client("sqs", region_name="us-east-1", endpoint_url=local_stack.state["moto"])


@pytest.fixture(scope="session")
def settle(local_stack: StackProcess) -> Callable[[Client, str], dict]:
    """Wait for an asset to leave `pending`; on timeout, fail with the stack's last log lines."""

    def wait(client: Client, asset_id: str) -> dict:
        try:
            return client.wait_until_settled(asset_id, SETTLE_SECONDS)
        except TimeoutError as error:
            pytest.fail(f"{error}:\n{local_stack.log_tail()}")

    return wait
