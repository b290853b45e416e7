"""Drive a local stack from Python, over HTTP only: start it as a subprocess, act as its users, load it.

The e2e tests and `bench/load_local.py` both use this, so they exercise the stack the same way a
browser does: the API through the front, the bytes straight to moto's presigned POST.
"""

from __future__ import annotations

import json
import math
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from functions.core import media
from infra.local.state import REPO_ROOT

TERMINAL_STATUSES = frozenset({"ready", "rejected", "failed"})
POLL_SECONDS = 0.1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StackProcess:
    """`python -m infra.local` on free ports, in its own process, with its log in a file."""

    def __init__(
        self,
        workdir: Path | None = None,
        retry_after: int = 3,
        startup_seconds: float = 60,
        max_processors: int | None = None,
    ) -> None:
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="trove-local-"))
        self.state_file = self.workdir / "state.json"
        self.log = self.workdir / "stack.log"
        self.url = f"http://127.0.0.1:{free_port()}"
        self.startup_seconds = startup_seconds
        self.command = [
            sys.executable, "-m", "infra.local",
            "--port", self.url.rsplit(":", 1)[1], "--s3-port", str(free_port()),
            "--retry-after", str(retry_after), "--state-file", str(self.state_file),
        ]  # fmt: skip
        if max_processors is not None:
            self.command += ["--max-processors", str(max_processors)]
        self.process: subprocess.Popen | None = None

    @property
    def state(self) -> dict:
        """What the stack saved about itself: moto's URL, the bucket, the queues."""
        return json.loads(self.state_file.read_text())

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def start(self) -> None:
        """Start and wait until the front answers, which it does once everything is provisioned."""
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                self.command, cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the local stack exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                # The front listens before it serves (it provisions first): a probe waits for its
                # answer rather than hang up, which the front would find a broken pipe.
                if requests.get(f"{self.url}/local/health", timeout=deadline - time.monotonic()).ok:
                    return
            except requests.RequestException:  # not listening yet, or out of time
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"the local stack did not answer within {self.startup_seconds} s:\n{self.log_tail()}"
        )

    def ensure_running(self) -> None:
        """Start the stack (again) unless it is running: on the same ports, with a fresh state."""
        if self.process is None or self.process.poll() is not None:
            self.start()

    def stop(self) -> int:
        """Ctrl-C's signal, as a person would stop it; the exit status (0 when it stopped cleanly)."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


# One file of each kind, small: every inspector runs, and a load measures the service, not the bytes.
MIXED_WORKLOAD = ("photo.jpg", "tone.wav", "doc.pdf", "short.mp4")


@dataclass(frozen=True)
class Sample:
    """A file to upload, and what a client declares for it."""

    name: str
    asset_type: str
    format: str
    content_type: str
    data: bytes

    @classmethod
    def declared(cls, name: str, data: bytes) -> Sample:
        """`data` declared by its name's extension, as a browser would: so `text.png` is declared an
        image/png whatever its bytes are."""
        declared = media.by_extension(Path(name).suffix)
        return cls(name, declared.asset_type, declared.format, declared.mime_types[0], data)


class Client:
    """One user of the service, as the web page acts for them."""

    def __init__(self, url: str, user: str) -> None:
        self.url = url
        self.http = requests.Session()
        answer = self.http.post(f"{url}/local/token", json={"user": user}, timeout=10)
        answer.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {answer.json()['token']}"

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, f"{self.url}{path}", **kwargs)

    def record(self, asset_id: str) -> requests.Response:
        return self.api("GET", f"/api/v2/assets/{asset_id}", headers={"Accept": "application/json"})

    def upload(self, sample: Sample) -> dict:
        """Start an upload through the API, then POST the bytes to the presigned URL; the pending asset."""
        declared = {
            "name": sample.name,
            "type": sample.asset_type,
            "format": sample.format,
            "size": len(sample.data),
        }
        started = self.api("POST", "/api/v2/uploads", json=declared)
        if started.status_code != 201:
            raise RuntimeError(f"POST /api/v2/uploads answered {started.status_code}: {started.text}")
        post = started.json()["upload"]
        files = {"file": (sample.name, sample.data, sample.content_type)}
        sent = requests.post(post["url"], data=post["fields"], files=files, timeout=30)
        if sent.status_code not in (200, 201, 204):
            raise RuntimeError(f"the presigned POST answered {sent.status_code}: {sent.text}")
        return started.json()["asset"]

    def wait_until_settled(self, asset_id: str, timeout: float = 60) -> dict:
        """The record once it is ready, rejected or failed; TimeoutError if it stays pending."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.record(asset_id)
            answer.raise_for_status()
            if answer.json()["status"] in TERMINAL_STATUSES:
                return answer.json()
            time.sleep(POLL_SECONDS)
        raise TimeoutError(f"asset {asset_id} still pending after {timeout} s")


@dataclass(frozen=True)
class Settled:
    user: str
    asset_id: str
    status: str  # a terminal status, or "lost" when it never got there
    seconds: float  # from the bytes landing in S3 to the API reporting the final status


@dataclass(frozen=True)
class LoadResult:
    settled: list[Settled]
    wall_seconds: float

    def count(self, status: str) -> int:
        return sum(1 for upload in self.settled if upload.status == status)

    def summary(self) -> dict:
        seconds = sorted(upload.seconds for upload in self.settled if upload.status == "ready")
        return {
            "uploads": len(self.settled),
            "ready": self.count("ready"),
            "rejected": self.count("rejected"),
            "failed": self.count("failed"),
            "lost": self.count("lost"),
            "median_seconds": round(statistics.median(seconds), 3) if seconds else None,
            "p95_seconds": round(seconds[math.ceil(0.95 * len(seconds)) - 1], 3)
            if seconds
            else None,  # nearest rank
            "uploads_per_second": round(len(self.settled) / self.wall_seconds, 2),
            "wall_seconds": round(self.wall_seconds, 2),
        }


def run_load(
    url: str, samples: list[Sample], uploads: int, clients: int, settle_timeout: float = 60
) -> LoadResult:
    """`clients` users at once, each uploading its share of `uploads` one after another (cycling through
    `samples`) and waiting for each to settle before the next: a closed loop, like people at browsers."""

    def one_client(number: int) -> list[Settled]:
        user = f"load-{number}"
        client = Client(url, user)
        settled = []
        for index in range(number, uploads, clients):
            asset = client.upload(samples[index % len(samples)])
            landed = time.monotonic()
            try:
                status = client.wait_until_settled(asset["id"], settle_timeout)["status"]
            except (TimeoutError, requests.HTTPError):
                status = "lost"
            settled.append(Settled(user, asset["id"], status, time.monotonic() - landed))
        return settled

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        settled = [upload for share in pool.map(one_client, range(clients)) for upload in share]
    return LoadResult(settled, time.monotonic() - started)
