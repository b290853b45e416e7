"""The API's concurrency, locally: instances of the API function in processes of their own
(`python -m infra.local.api_sandbox`), each serving one request at a time, as a Lambda sandbox does.

The front hands each request to an idle instance; when every instance is busy (a rendition being
made, say), it starts another, up to a maximum, as Lambda adds a sandbox for a request that finds none
free. So one slow request never delays another user's answer. An instance cannot be shared by two
requests at once: powertools keeps the current event on the resolver class.

The front and an instance talk over a socket pair (`multiprocessing.connection`: the event in, the
handler's result out); the instance's stdout and stderr are the stack's console, for the handler's logs.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection

from infra.local.workers import start_worker, stop_workers

log = logging.getLogger("local.api")

# Ready at start, so the first requests find a warm instance; more while every one is busy, up to MOST.
INSTANCES = 2
MOST_INSTANCES = 8


class InstanceFailed(RuntimeError):
    """The handler raised, or its instance ended, before answering: API Gateway's 500."""


class InstanceEnded(InstanceFailed):
    """The instance's process is gone (a crash, a kill): it takes no more requests."""


@dataclass
class ApiInstance:
    number: int
    process: subprocess.Popen
    connection: Connection

    def invoke(self, event: dict) -> dict | None:
        """The handler's result; None when it raised (the instance logged why and serves on)."""
        try:
            self.connection.send(event)
            return self.connection.recv()
        except (EOFError, OSError) as error:
            raise InstanceEnded(f"API instance {self.number} ended during a request ({error})") from None


class ApiInstances:
    def __init__(self, count: int = INSTANCES, most: int = MOST_INSTANCES) -> None:
        self.most = max(count, most)
        self._changed = threading.Condition()
        self._started = 0
        self._instances: list[ApiInstance] = [self._start() for _ in range(count)]
        self._idle: list[ApiInstance] = list(self._instances)

    @property
    def pids(self) -> list[int]:
        with self._changed:
            return [instance.process.pid for instance in self._instances]

    def status(self) -> dict[str, int]:
        """How many instances there are, and how many are serving a request (the front's health answer)."""
        with self._changed:
            return {"instances": len(self._instances), "busy": len(self._instances) - len(self._idle)}

    def invoke(self, event: dict) -> dict:
        """The API function's result for `event`, from an instance no other request is using."""
        instance = self._acquire()
        try:
            result = instance.invoke(event)
        except InstanceEnded:
            self._drop(instance)
            raise
        with self._changed:
            self._idle.append(instance)
            self._changed.notify()
        if result is None:
            raise InstanceFailed(f"API instance {instance.number}: the handler raised (see its log above)")
        return result

    def stop(self) -> None:
        """End every instance (the front, stopped first, sends no more requests)."""
        with self._changed:
            instances, self._instances, self._idle = self._instances, [], []
        for instance in instances:
            instance.connection.close()  # an idle instance sees the end of its input and exits
        stop_workers([instance.process for instance in instances])

    def _acquire(self) -> ApiInstance:
        with self._changed:
            while True:
                for ended in [instance for instance in self._idle if instance.process.poll() is not None]:
                    log.warning("API instance %d exited with %d", ended.number, ended.process.returncode)
                    self._forget(ended)
                if self._idle:
                    return self._idle.pop()
                if len(self._instances) < self.most:
                    instance = self._start()
                    self._instances.append(instance)
                    log.info("every API instance busy: instance %d started", instance.number)
                    return instance
                self._changed.wait()

    def _drop(self, instance: ApiInstance) -> None:
        instance.connection.close()
        instance.process.kill()
        instance.process.wait()
        with self._changed:
            self._forget(instance)
            self._changed.notify()

    def _forget(self, instance: ApiInstance) -> None:
        self._instances.remove(instance)
        if instance in self._idle:
            self._idle.remove(instance)

    def _start(self) -> ApiInstance:
        self._started += 1
        ours, theirs = socket.socketpair()
        with theirs:
            process = start_worker(
                "infra.local.api_sandbox",
                "--number", str(self._started), "--fd", str(theirs.fileno()),
                pass_fds=(theirs.fileno(),),
            )  # fmt: skip
        return ApiInstance(self._started, process, Connection(ours.detach()))
