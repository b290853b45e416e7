"""The API runs like Lambda: each request in an instance of its own, so one slow request (a rendition
being made) never delays another user's answer.

Instances are held with SIGSTOP, as if each were stuck on a slow request: "busy" is then deterministic,
and the test asserts an order (the other user is answered while the held requests are still in
progress), not a duration.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from infra.local.harness import Client, StackProcess
from tests.e2e.conftest import SETTLE_SECONDS
from tests.e2e.test_processors import alive, held, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def api_status(stack: StackProcess) -> dict[str, int]:
    return requests.get(f"{stack.url}/local/health", timeout=10).json()["api"]


def test_a_held_request_holds_up_no_other_users_request(
    local_stack: StackProcess, client_for: Callable[[str], Client]
) -> None:
    # given: every API instance stopped in the middle of a request of alice's
    alice, bob = client_for("held-api-alice"), client_for("held-api-bob")
    # (the state file follows the instances within a second: all of them, once it names as many)
    wait_for(
        lambda: len(local_stack.state["api"]) == api_status(local_stack)["instances"],
        "the state file naming every instance",
        local_stack,
    )
    instances = local_stack.state["api"]
    with ThreadPoolExecutor(len(instances)) as pool:
        with held(instances):
            in_progress = []
            for count in range(1, len(instances) + 1):
                in_progress.append(
                    pool.submit(
                        requests.get,
                        f"{local_stack.url}/api/v2/assets",
                        headers=alice.http.headers,
                        timeout=SETTLE_SECONDS,
                    )
                )
                wait_for(
                    lambda count=count: api_status(local_stack)["busy"] == count,
                    "a request in an instance",
                    local_stack,
                )

            # when: another user asks
            answer = bob.api("GET", "/api/v2/assets", timeout=SETTLE_SECONDS)

            # then: answered (by an instance added for it) while every held request is still in progress
            assert answer.status_code == 200, answer.text
            assert not any(request.done() for request in in_progress)
            assert api_status(local_stack)["instances"] == len(instances) + 1

        # and, once the instances run again, the held requests are answered too
        assert [request.result().status_code for request in in_progress] == [200] * len(instances)


def test_an_instance_that_dies_is_not_given_another_request(local_stack: StackProcess, alice: Client) -> None:
    # given: an idle instance killed, as a crash would end it
    dead = local_stack.state["api"][0]
    os.kill(dead, signal.SIGKILL)
    wait_for(lambda: not alive(dead), "the instance ending", local_stack)

    # when
    answers = [
        alice.api("GET", "/api/v2/assets").status_code for _ in range(len(local_stack.state["api"]) + 1)
    ]

    # then: every request answered by a live instance, and the stack forgets the dead one
    assert answers == [200] * len(answers)
    wait_for(lambda: dead not in local_stack.state["api"], "forgetting the instance", local_stack)
