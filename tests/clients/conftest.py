"""The local stack for the SDK and CLI tests, its users as SDK clients, and media files on disk."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from trove_client import Trove, local_token

from infra.local.harness import StackProcess
from tests.media.samples import corpus_sample

SETTLE_SECONDS = 60.0  # a bound on waiting for processing, not a timing assertion


@pytest.fixture(scope="session")
def clients_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    """`python -m infra.local` on free ports, once per test session (per xdist worker)."""
    stack = StackProcess(tmp_path_factory.mktemp("clients-stack"), retry_after=1)
    try:
        stack.start()
    except RuntimeError as error:
        pytest.fail(str(error))
    yield stack
    assert stack.stop() == 0, f"the local stack did not stop cleanly:\n{stack.log_tail()}"


@pytest.fixture
def stack_url(clients_stack: StackProcess) -> str:
    clients_stack.ensure_running()
    return clients_stack.url


@pytest.fixture
def new_user(stack_url: str) -> Callable[[], str]:
    """A user no other test has seen, so lists hold only what this test made."""
    return lambda: f"user-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def trove_for(stack_url: str) -> Iterator[Callable[[str], Trove]]:
    """`trove_for("alice")`: the SDK with a dev token of that user."""
    made: list[Trove] = []

    def make(user: str) -> Trove:
        made.append(Trove(stack_url, local_token(stack_url, user)))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def trove(trove_for: Callable[[str], Trove], new_user: Callable[[], str]) -> Trove:
    return trove_for(new_user())


@pytest.fixture
def media_file(tmp_path: Path) -> Callable[..., Path]:
    """`media_file("photo.jpg")`: a corpus sample written to disk (real encoders); `as_name` renames it."""

    def write(name: str, as_name: str | None = None) -> Path:
        path = tmp_path / "media" / (as_name or name)
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(corpus_sample(name).data)
        return path

    return write
