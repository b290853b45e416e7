"""`trove upload PATH…`: files and folders uploaded N at a time, with a bar per file and one overall.

Folders are walked (hidden files and folders skipped); a file of a type Trove does not take is reported
and skipped. Every file whose bytes reached storage is written to a journal, so the same command run
again after Ctrl-C (or a failure) sends only what is left: a file already uploaded, unchanged (same
path, size and modification time) and still there is reported as `skipped`, not sent twice.

Before sending, every file is hashed (SHA-256) and the whole run is checked with the API in one request
per hundred files: a file whose bytes the user has in Trove already, as a ready asset, is reported as
`duplicate` naming that asset and not sent, unless duplicates are allowed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TransferSpeedColumn

from trove_client import media
from trove_client.client import Trove
from trove_client.errors import BadRequest, NotFound, TroveError
from trove_client.models import Asset, CheckedFile
from trove_client.transfer import file_sha256

POLL_SECONDS = 0.5
FAILED = frozenset({"rejected", "failed", "error", "unsupported", "timeout"})


class Interrupted(Exception):
    """Ctrl-C was pressed: the file's transfer stops where it is."""


@dataclass
class Outcome:
    path: Path
    status: str  # ready, pending, rejected, failed, skipped, unsupported, error, timeout, interrupted
    asset_id: str | None = None
    detail: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "status": self.status, "id": self.asset_id, "detail": self.detail}


def collect(paths: Iterable[Path]) -> tuple[list[Path], list[Outcome]]:
    """The files to send, and outcomes for those not sent: in a folder, a file of another type is
    `skipped`; named on the command line, it is `unsupported` (a failure: it was asked for)."""
    files: list[Path] = []
    refused: list[Outcome] = []
    for path in paths:
        if not path.is_dir():
            (
                files.append(path)
                if media.declared(path)
                else refused.append(Outcome(path, "unsupported", detail="not a type Trove takes"))
            )
            continue
        for file in sorted(path.rglob("*")):
            hidden = any(part.startswith(".") for part in file.relative_to(path).parts)
            if not file.is_file() or hidden:
                continue
            (
                files.append(file)
                if media.declared(file)
                else refused.append(Outcome(file, "skipped", detail="not a type Trove takes"))
            )
    return files, refused


class Journal:
    """`{api, owner, path, size, mtime} → asset id` for every file whose bytes were sent, one JSON line each."""

    def __init__(self, path: Path, api: str, owner: str) -> None:
        self.path = path
        self.scope = (api, owner)
        self.lock = threading.Lock()
        self.known: dict[str, str] = {}
        if path.exists():
            for line in path.read_text().splitlines():
                entry = json.loads(line)
                self.known[entry["key"]] = entry["id"]

    def key(self, file: Path) -> str:
        stat = file.stat()
        return json.dumps([*self.scope, str(file.resolve()), stat.st_size, stat.st_mtime_ns])

    def lookup(self, file: Path) -> str | None:
        return self.known.get(self.key(file))

    def record(self, file: Path, asset_id: str) -> None:
        entry = json.dumps({"key": self.key(file), "id": asset_id})
        with self.lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a") as output:
                output.write(entry + "\n")


class Uploader:
    def __init__(
        self,
        trove: Trove,
        journal: Journal,
        console: Console,
        *,
        fields: dict[str, Any],
        wait: bool,
        timeout: float,
        allow_duplicates: bool = False,
    ) -> None:
        self.trove = trove
        self.allow_duplicates = allow_duplicates
        self.hashes: dict[Path, str] = {}
        self.sizes: dict[Path, int] = {}  # as hashed: a file may change or go before it is sent
        self.journal = journal
        self.fields = fields
        self.wait = wait
        self.timeout = timeout
        self.stop = threading.Event()
        self.progress = Progress(
            TextColumn("{task.description}", markup=False), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
            console=console,
        )  # fmt: skip

    def run(self, files: list[Path], jobs: int) -> tuple[list[Outcome], bool]:
        """Every file's outcome, and whether Ctrl-C cut the run short."""
        results: dict[Path, Outcome] = {}
        try:
            results |= self._duplicates(files, jobs)
        except KeyboardInterrupt:
            return [Outcome(file, "interrupted") for file in files], True
        files = [file for file in files if file not in results]
        overall = self.progress.add_task(
            f"{len(files)} file(s)", total=sum(file.stat().st_size for file in files if file.is_file())
        )  # a file gone since the walk is that file's error, below
        with self.progress, ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(self._one, file, overall): file for file in files}
            try:
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
            except KeyboardInterrupt:
                self.stop.set()  # transfers in flight stop at their next chunk; waits at their next poll
                pool.shutdown(wait=True, cancel_futures=True)
                for future, file in futures.items():
                    if file not in results:
                        finished = future.done() and not future.cancelled()
                        results[file] = future.result() if finished else Outcome(file, "interrupted")
                return list(results.values()), True
        return list(results.values()), False

    def _duplicates(self, files: list[Path], jobs: int) -> dict[Path, Outcome]:
        """Hash the files not sent before (N at a time) and ask the API, once for the run, which it has."""
        fresh = [file for file in files if not self._journaled(file)]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for file, hashed in zip(fresh, pool.map(_hash_or_none, fresh), strict=True):
                if hashed is not None:  # unreadable: that file's upload reports why
                    self.hashes[file], self.sizes[file] = hashed
        if self.allow_duplicates:
            return {}
        # An empty file is nobody's duplicate (and the API refuses it on upload, with the reason).
        candidates = [file for file in self.hashes if self.sizes[file] > 0]
        return {
            file: Outcome(file, "duplicate", found.duplicate_of, f"same bytes as {found.duplicate_name!r}")
            for file, found in self._check(candidates).items()
            if found.duplicate_of
        }

    def _journaled(self, file: Path) -> bool:
        try:
            return self.journal.lookup(file) is not None
        except OSError:  # gone since the walk: its upload fails alone, with the reason
            return False

    def _check(self, files: list[Path]) -> dict[Path, CheckedFile]:
        """The API's answer per file. A file it refuses to check (over the size limit, a name it does not
        take) must not cost the others their check: then each is asked alone, and the refused one goes
        on to fail its upload with the API's reason."""
        ask = [(file.name, self.sizes[file], self.hashes[file]) for file in files]
        try:
            return dict(zip(files, self.trove.check(ask), strict=True))
        except BadRequest:
            answers = {}
            for file, one in zip(files, ask, strict=True):
                try:
                    answers[file] = self.trove.check([one])[0]
                except BadRequest:
                    pass
            return answers

    def _one(self, file: Path, overall: TaskID) -> Outcome:
        outcome = self._send(file, overall)
        # A line per file above the bars (in a terminal) or as it ends (in a log).
        self.progress.console.print(
            f"{outcome.status:<11} {file}  {outcome.detail or ''}".rstrip(),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return outcome

    def _send(self, file: Path, overall: TaskID) -> Outcome:
        if self.stop.is_set():
            return Outcome(file, "interrupted")
        try:
            size = file.stat().st_size
            known = self._already_uploaded(file)
            if known is not None:
                self.progress.advance(overall, size)
                if self.wait or known.settled:
                    return self._settle(file, known, before=True)
                return Outcome(file, "skipped", known.id, "uploaded before")
            task = self.progress.add_task(str(file), total=size)
            sent = 0

            def heard(done: int, total: int) -> None:
                nonlocal sent
                if self.stop.is_set():
                    raise Interrupted
                self.progress.update(task, completed=done)
                self.progress.advance(overall, done - sent)
                sent = done

            try:
                asset = self.trove.upload(file, progress=heard, sha256=self.hashes.get(file), **self.fields)
            finally:
                self.progress.remove_task(task)
            self.journal.record(file, asset.id)
            return (
                self._settle(file, asset, before=False) if self.wait else Outcome(file, "pending", asset.id)
            )
        except Interrupted:
            return Outcome(file, "interrupted")
        except TroveError as error:
            return Outcome(file, "error", None, getattr(error, "detail", None) or str(error))
        except OSError as error:  # unreadable, gone since the walk: this file fails, not the whole run
            return Outcome(file, "error", None, str(error))

    def _already_uploaded(self, file: Path) -> Asset | None:
        asset_id = self.journal.lookup(file)
        if asset_id is None:
            return None
        try:
            return self.trove.get(asset_id)
        except NotFound:  # deleted since: send it again
            return None

    def _settle(self, file: Path, asset: Asset, *, before: bool) -> Outcome:
        """Follow the asset until the processor settles it (or Ctrl-C, or the timeout)."""
        waited = 0.0
        while not asset.settled:
            if waited >= self.timeout:
                return Outcome(file, "timeout", asset.id, f"still pending after {self.timeout:g} s")
            if self.stop.wait(POLL_SECONDS):
                return Outcome(file, "interrupted", asset.id, "uploaded; not followed to the end")
            waited += POLL_SECONDS
            asset = self.trove.get(asset.id)
        if before and asset.status == "ready":
            return Outcome(file, "skipped", asset.id, "uploaded before")
        return Outcome(file, asset.status, asset.id, asset.status_reason)


def _hash_or_none(file: Path) -> tuple[str, int] | None:
    """The file's SHA-256 and size, or None when it cannot be read (gone since the walk, say)."""
    try:
        return file_sha256(file), file.stat().st_size
    except OSError:
        return None
