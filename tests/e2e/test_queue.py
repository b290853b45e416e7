"""The poller honours failures like Lambda's SQS integration: retried, then dead-lettered, and it goes on."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from functions.core.topology import UPLOADS_QUEUE
from infra.local.harness import Client, StackProcess
from tests.e2e.conftest import SETTLE_SECONDS
from tests.media.samples import corpus_sample

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def test_a_message_the_processor_cannot_read_is_retried_then_dead_lettered(
    local_stack: StackProcess, moto_sqs, alice: Client, settle: Callable
) -> None:
    state = local_stack.state
    poison = f"not an S3 notification {time.time()}"
    moto_sqs.send_message(QueueUrl=state["queue"], MessageBody=poison)

    deadline = time.monotonic() + SETTLE_SECONDS
    dead: dict | None = None
    while dead is None and time.monotonic() < deadline:
        answer = moto_sqs.receive_message(
            QueueUrl=state["dlq"],
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageSystemAttributeNames=["All"],
        )
        dead = next((message for message in answer.get("Messages", []) if message["Body"] == poison), None)
    assert dead is not None, f"the message never reached the DLQ:\n{local_stack.log_tail()}"
    assert int(dead["Attributes"]["ApproximateReceiveCount"]) >= UPLOADS_QUEUE.max_receive_count
    assert "to the DLQ" in local_stack.log.read_text()

    # The poller carries on with good uploads.
    asset = alice.upload(corpus_sample("photo.jpg"))
    assert settle(alice, asset["id"])["status"] == "ready"
