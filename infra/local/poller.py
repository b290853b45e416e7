"""Lambda's SQS event source mapping and one processor sandbox, locally: long-poll the uploads queue,
hand each batch to the processor as the SQS event Lambda builds, delete what succeeded, let the rest
come back.

    python -m infra.local.poller --number 1 --queue-url … --queue-arn … --retry-after 3 --stack-pid …

Each processor worker process of the stack (infra.local.workers) runs one poller, which handles one
batch at a time, as a Lambda sandbox serves one invocation at a time. It finds moto and the settings
in the environment the stack gave it, and stops after its current batch on SIGTERM (or SIGINT), or by
itself when the stack that started it is gone.

Failed records are made visible again after `retry_after` seconds rather than the queue's full
visibility timeout, so retries are quick on a laptop. The queue's redrive policy (from the shared
topology) moves a message to the DLQ once it has been received `max_receive_count` times.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

import boto3

from functions.core import topology
from functions.core.settings import Settings, get_settings
from functions.core.storage import asset_id_from_upload_key
from infra.local import runtime
from infra.local.provision import Queue

# Short long-polls (moto may add a second), so a stop request or the stack's end is noticed quickly.
WAIT_SECONDS = 1


def sqs_event(messages: list[dict], queue_arn: str, region: str) -> dict:
    """The event Lambda's SQS integration passes to the function."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message["Attributes"],
                "messageAttributes": {},  # S3 notifications carry none
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }


class Poller:
    def __init__(
        self, queue: Queue, settings: Settings, retry_after: int, log: logging.Logger, stack_pid: int
    ) -> None:
        self.queue = queue
        self.settings = settings
        self.retry_after = retry_after
        self.log = log
        self.stack_pid = stack_pid
        self.stopping = threading.Event()
        self.sqs = boto3.client("sqs", region_name=settings.region, endpoint_url=settings.s3_endpoint_url)

    def run(self) -> None:
        """Poll until asked to stop, or until the stack that started this process is gone (it was
        killed without a chance to stop its workers): then this process is an orphan and quits."""
        while not self.stopping.is_set() and self.stack_alive():
            try:
                self.poll_once()
            except Exception:
                if self.stack_alive():  # once the stack is gone, moto is too: nothing to report
                    self.log.exception("polling failed; trying again")
                self.stopping.wait(WAIT_SECONDS)

    def stack_alive(self) -> bool:
        return os.getppid() == self.stack_pid

    def poll_once(self) -> None:
        messages = self.sqs.receive_message(
            QueueUrl=self.queue.url,
            MaxNumberOfMessages=topology.UPLOADS_QUEUE.batch_size,
            WaitTimeSeconds=WAIT_SECONDS,
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return
        failed = self._process(messages)
        succeeded = [message for message in messages if message["MessageId"] not in failed]
        retried = [message for message in messages if message["MessageId"] in failed]
        if succeeded:
            self.sqs.delete_message_batch(QueueUrl=self.queue.url, Entries=_entries(succeeded))
        if retried:
            entries = [{**entry, "VisibilityTimeout": self.retry_after} for entry in _entries(retried)]
            self.sqs.change_message_visibility_batch(QueueUrl=self.queue.url, Entries=entries)
        for message in messages:
            self._report(message, retried=message["MessageId"] in failed)

    def _process(self, messages: list[dict]) -> set[str]:
        """The ids of the messages to retry: those the processor reports, or all when it raises."""
        try:
            result = runtime.invoke("processor", sqs_event(messages, self.queue.arn, self.settings.region))
        except Exception:
            self.log.exception("the processor raised: the whole batch will be retried")
            return {message["MessageId"] for message in messages}
        return {failure["itemIdentifier"] for failure in (result or {}).get("batchItemFailures", [])}

    def _report(self, message: dict, retried: bool) -> None:
        """Each asset's outcome on the console, read back from its record."""
        from functions.core.store import default_store  # the store the handler configured

        asset_ids = _asset_ids(message["Body"])
        if retried:
            receives = int(message["Attributes"]["ApproximateReceiveCount"])
            fate = "to the DLQ" if receives >= topology.UPLOADS_QUEUE.max_receive_count else "will retry"
            names = ", ".join(asset_ids) or "no asset"
            self.log.warning(
                "message %s (%s): attempt %d failed, %s", message["MessageId"], names, receives, fate
            )
            return
        for asset_id in asset_ids:
            item = default_store().get(asset_id)
            if item is None:
                self.log.info("asset %s: gone (deleted before processing)", asset_id)
                continue
            reason = f": {item.status_reason}" if item.status_reason else ""
            self.log.info("asset %s: %s %s%s", asset_id, item.asset_type, item.status, reason)


def _asset_ids(body: str) -> list[str]:
    """The assets an S3 notification names; none for a test event or a body that is no notification."""
    # Imported here: the handler module reads the settings at import, so only once they are configured.
    from functions.processor.handler import uploaded_keys

    try:
        keys = uploaded_keys(body)
    except (ValueError, LookupError, TypeError, AttributeError):  # the processor reports what is wrong
        return []
    return [asset_id for asset_id in map(asset_id_from_upload_key, keys) if asset_id]


def _entries(messages: list[dict]) -> list[dict]:
    return [
        {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
        for index, message in enumerate(messages)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.poller", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--number", type=int, required=True, help="this worker's number, in its log lines")
    parser.add_argument("--queue-url", required=True)
    parser.add_argument("--queue-arn", required=True)
    parser.add_argument(
        "--retry-after", type=int, required=True, help="seconds before a failed message returns"
    )
    parser.add_argument("--stack-pid", type=int, required=True, help="the stack that started this worker")
    args = parser.parse_args(argv)
    runtime.configure_console_logging()
    runtime.silence_handler_warnings()
    poller = Poller(
        Queue(url=args.queue_url, arn=args.queue_arn),
        get_settings(),
        args.retry_after,
        logging.getLogger(f"local.poller.{args.number}"),
        args.stack_pid,
    )
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: poller.stopping.set())
    # Lambda's init phase: import the handler (and the decoders) before the first batch, not during it.
    runtime.load_handler("processor")
    poller.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
