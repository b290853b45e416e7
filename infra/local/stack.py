"""The whole service on 127.0.0.1, started and stopped together: moto, the front and the expiry sweep in
this process; the API function's instances and the processor in worker processes of their own."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import boto3

from functions.core import topology
from functions.core.settings import get_settings
from infra.local import state
from infra.local.api_instances import INSTANCES, MOST_INSTANCES, ApiInstances
from infra.local.front import HOST, Front
from infra.local.moto_server import MotoServer
from infra.local.provision import provision
from infra.local.runtime import ACCESS_KEY_ID, ACCOUNT_ID, REGION, SECRET_ACCESS_KEY, configure_environment
from infra.local.sweep import PeriodicSweep
from infra.local.workers import ProcessorWorkers


@dataclass(frozen=True)
class StackOptions:
    port: int
    s3_port: int
    retry_after: int
    state_file: Path
    processors: int
    # Workers the stack may add while uploads wait (Lambda's maximum concurrency for the event source).
    max_processors: int = topology.UPLOADS_QUEUE.max_concurrency
    # The API function's instances: ready at start, and the most while every one is busy.
    api_instances: int = INSTANCES
    max_api_instances: int = MOST_INSTANCES


class LocalStack:
    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.moto: MotoServer | None = None
        self.front: Front | None = None
        self.front_thread: threading.Thread | None = None
        self.processors: ProcessorWorkers | None = None
        self.api: ApiInstances | None = None
        self.addresses: dict = {}
        self.sweeper: PeriodicSweep | None = None

    def start(self) -> dict:
        """Start everything and return what `invoke` and the banner need to know (also saved to the state file)."""
        # werkzeug's server ends the process on a port it cannot bind, with its own message: check first.
        _check_free(self.options.s3_port, "--s3-port")
        self.moto = MotoServer(
            HOST, self.options.s3_port, {ACCESS_KEY_ID: SECRET_ACCESS_KEY}, REGION, ACCOUNT_ID
        )
        self.moto.start()
        moto_url = self.moto.url
        try:
            self.front = Front(self.options.port)
        except OSError as error:
            raise PortTaken(self.options.port, "--port", error) from None
        # Before the first get_settings() (cached) and before a handler module is imported (the processor
        # and sweep handlers configure their store at import, i.e. cold start).
        configure_environment(moto_url, self.front.url)
        settings = get_settings()
        provisioned = provision(settings, browser_origins(self.front.url))
        self.api = self.front.api = ApiInstances(self.options.api_instances, self.options.max_api_instances)
        self.processors = ProcessorWorkers(
            self.options.processors, provisioned.queue, self.options.retry_after, self.options.max_processors
        )
        self.sqs = boto3.client("sqs", region_name=settings.region, endpoint_url=moto_url)
        self.queue_url = provisioned.queue.url
        self.sweeper = PeriodicSweep(moto_url, settings.bucket_name)
        self.sweeper.start()
        self.addresses = {
            "pid": os.getpid(),
            "front": self.front.url,
            "moto": moto_url,
            "bucket": settings.bucket_name,
            "queue": provisioned.queue.url,
            "dlq": provisioned.dlq.url,
            "tables": list(provisioned.tables),
            "retryAfter": self.options.retry_after,
            "processors": self.processors.pids,
            "api": self.api.pids,
        }
        state.save(self.addresses, self.options.state_file)
        # Served last: a front that answers means the stack is up, its state file written.
        self.front_thread = threading.Thread(target=self.front.serve_forever, name="front")
        self.front_thread.start()
        return self.addresses

    def keep_processors_running(self) -> None:
        """Replace processor workers that died, add one while uploads wait for every worker, and say
        where they and the API's instances are."""
        waiting = int(
            self.sqs.get_queue_attributes(
                QueueUrl=self.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]["ApproximateNumberOfMessages"]
        )
        changed = self.processors.replace_exited()
        changed = self.processors.add_if_waiting(waiting) or changed
        changed = self.addresses["api"] != self.api.pids or changed
        if changed:
            self.addresses["processors"] = self.processors.pids
            self.addresses["api"] = self.api.pids
            state.save(self.addresses, self.options.state_file)

    def stop(self) -> None:
        """Front first (no new work), then the API's instances, then the processor workers (each finishes its batch), then moto."""
        if self.front_thread:
            self.front.shutdown()
            self.front_thread.join()
        if self.front:
            self.front.server_close()
        if self.api:
            self.api.stop()
        if self.processors:
            self.processors.stop()
        if self.sweeper:
            self.sweeper.stop()
        if self.moto:
            self.moto.stop()
        self.options.state_file.unlink(missing_ok=True)


def browser_origins(front_url: str) -> list[str]:
    """The page's origin as a browser names it: by address, or as localhost."""
    return [front_url, front_url.replace(f"//{HOST}:", "//localhost:")]


class PortTaken(RuntimeError):
    def __init__(self, port: int, flag: str, error: OSError) -> None:
        super().__init__(
            f"port {port} on {HOST} is not available ({error.strerror}); choose another with {flag}"
        )


def _check_free(port: int, flag: str) -> None:
    if port == 0:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as error:
            raise PortTaken(port, flag, error) from None
