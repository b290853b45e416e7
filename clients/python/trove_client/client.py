"""`Trove(base_url, token)`: the API of docs/api.md and docs/lineage.md as Python calls.

    trove = Trove("http://127.0.0.1:8000", local_token("http://127.0.0.1:8000", "alice"))
    asset = trove.upload("logo.png", client_id="client-uuid-123", wait=True)
    trove.download(asset.id, "copy.png")

Requests answered 429 or 5xx are retried with exponential backoff (honouring `Retry-After`); nothing
else is: a 4xx would answer the same again. Errors raise `ApiError` (with `status` and `detail`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Final, Self
from urllib.parse import quote

import httpx

from trove_client import errors, media
from trove_client.models import (
    Asset,
    CascadeResult,
    CheckedFile,
    FlowGraph,
    LinkAsset,
    Mode,
    Page,
    ScanResult,
    Usage,
    asset_from_json,
    checked_from_json,
    graph_from_json,
    scan_from_json,
    to_camel_json,
    usage_from_json,
)
from trove_client.retrying import Retrying
from trove_client.transfer import Progress, StreamedForm, atomic_file, file_sha256

NEXT_CURSOR_HEADER: Final = "X-Next-Cursor"
CONSUMER_HEADER: Final = "X-Trove-Consumer"
CHECK_BATCH: Final = 100  # files per POST /api/v2/uploads/check, the API's limit
UNSET: Any = object()  # a PATCH field not sent (None is sent, as null: it clears the field)

Token = str | Callable[[], str]  # a callable is asked before every request (so it may refresh)


def local_token(base_url: str, user: str, expires_in: int | None = None) -> str:
    """A dev token from the local stack (`make dev`): `POST /local/token`."""
    body: dict[str, Any] = {"user": user} | ({"expiresIn": expires_in} if expires_in else {})
    try:
        response = httpx.post(f"{base_url.rstrip('/')}/local/token", json=body, timeout=10)
    except httpx.TransportError as error:
        raise errors.TroveConnectionError(f"cannot reach {base_url}: {error}") from error
    if response.status_code != 200:
        raise errors.api_error(response)
    return response.json()["token"]


def segment(value: str) -> str:
    """An id as exactly one path segment: `../clients/x` must not become a request to another route."""
    quoted = quote(value, safe="")
    return quoted.replace(".", "%2E") if quoted in (".", "..") else quoted


class Trove:
    def __init__(
        self,
        base_url: str,
        token: Token,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        consumer: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`consumer` (`job:1234`, `flow:f/etl/daily`) records this client's reads and writes as that
        consumer's usages. `transport` replaces httpx's for the API's requests (not storage's)."""
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.retries = retries
        self._send = Retrying(retries, backoff).send
        headers = {"User-Agent": "trove-client/0.1"} | ({CONSUMER_HEADER: consumer} if consumer else {})
        self._api = httpx.Client(
            base_url=self.base_url, timeout=timeout, headers=headers, transport=transport
        )
        # Presigned URLs carry their own signature: the bearer token never goes to storage.
        self._storage = httpx.Client(timeout=timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def token(self) -> str:
        """The bearer token the next request will carry."""
        return self._token() if callable(self._token) else self._token

    def close(self) -> None:
        self._api.close()
        self._storage.close()

    # -- assets ----------------------------------------------------------------------------------------

    def get(self, asset_id: str) -> Asset:
        """The asset's record (`GET /api/v2/assets/{id}` with `Accept: application/json`)."""
        return asset_from_json(self._call("GET", f"/api/v2/assets/{segment(asset_id)}").json())

    def list_assets(
        self,
        *,
        client_id: str | None = None,
        campaign_id: str | None = None,
        project_id: str | None = None,
        todo_id: str | None = None,
        asset_type: str | None = None,
        tag: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """One page, newest first; pass `page.next_cursor` back as `cursor` (same filters) for the next."""
        query = {
            "clientId": client_id, "campaignId": campaign_id, "projectId": project_id, "todoId": todo_id,
            "asset_type": asset_type, "tag": tag, "limit": limit, "offset": offset, "cursor": cursor,
        }  # fmt: skip
        response = self._call(
            "GET", "/api/v2/assets", params={k: v for k, v in query.items() if v is not None}
        )
        return Page(
            [asset_from_json(item) for item in response.json()], response.headers.get(NEXT_CURSOR_HEADER)
        )

    def iter_assets(self, *, page_size: int = 100, **filters: str | None) -> Iterator[Asset]:
        """Every asset the filters select, a page at a time, following the cursor to the end."""
        cursor = None
        while True:
            page = self.list_assets(**filters, limit=page_size, cursor=cursor)  # type: ignore[arg-type]
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def create_link(self, name: str, url: str, **fields: Any) -> LinkAsset:
        """A link asset; `fields`: description, tags, client_id, campaign_id, project_id, todo_id."""
        body = {"name": name, "url": url} | to_camel_json(fields)
        return asset_from_json(self._call("POST", "/api/v2/assets", json=body, expect=201).json())  # type: ignore[return-value]

    def patch(
        self,
        asset_id: str,
        *,
        name: str = UNSET,
        description: str | None = UNSET,
        tags: list[str] | None = UNSET,
        url: str = UNSET,
        client_id: str | None = UNSET,
        campaign_id: str | None = UNSET,
        project_id: str | None = UNSET,
        todo_id: str | None = UNSET,
    ) -> Asset:
        """Change only the fields given; None clears a field (unlinks a client, …)."""
        given = {
            "name": name, "description": description, "tags": tags, "url": url, "client_id": client_id,
            "campaign_id": campaign_id, "project_id": project_id, "todo_id": todo_id,
        }  # fmt: skip
        body = to_camel_json({key: value for key, value in given.items() if value is not UNSET})
        return asset_from_json(self._call("PATCH", f"/api/v2/assets/{segment(asset_id)}", json=body).json())

    def delete(self, asset_id: str, *, force: bool = False) -> None:
        """The asset, its file and thumbnail. One still in use is a `Conflict` unless `force`."""
        self._call(
            "DELETE", f"/api/v2/assets/{segment(asset_id)}", params={"force": "true"} if force else None
        )

    def delete_client(self, client_id: str) -> CascadeResult:
        """Every asset of yours linked to the client (seed 002's cascading delete)."""
        return self._cascade(f"/api/v2/clients/{segment(client_id)}")

    def delete_campaign(self, campaign_id: str) -> CascadeResult:
        return self._cascade(f"/api/v2/campaigns/{segment(campaign_id)}")

    def _cascade(self, path: str) -> CascadeResult:
        body = self._call("DELETE", path).json()
        return CascadeResult(body["deleted"], body["message"], body)

    # -- files -----------------------------------------------------------------------------------------

    def upload(
        self,
        path: str | Path,
        *,
        name: str | None = None,
        progress: Progress | None = None,
        wait: bool = False,
        timeout: float = 300.0,
        sha256: str | None = None,
        **fields: Any,
    ) -> Asset:
        """Upload a file through the presigned flow, streamed from disk. `fields`: description, tags,
        client_id, campaign_id, project_id, todo_id. The file's SHA-256 (`sha256`, else computed here)
        goes with it, so storage refuses bytes that changed on the way. Answers the pending asset, or
        with `wait` the settled one (`ready`, or `rejected`/`failed` with `status_reason`)."""
        path = Path(path)
        declared = media.declared(path)
        if declared is None:
            supported = ", ".join(sorted(media.BY_EXTENSION))
            raise errors.UnsupportedFile(
                path, f"Trove does not take {path.suffix or 'extensionless'} files ({supported})"
            )
        body = {
            "name": name or path.name, "type": declared.asset_type, "format": declared.format,
            "size": path.stat().st_size, "sha256": sha256 or file_sha256(path),
        } | to_camel_json({key: value for key, value in fields.items() if value is not None})  # fmt: skip
        started = self._call("POST", "/api/v2/uploads", json=body, expect=201).json()
        asset = asset_from_json(started["asset"])
        presigned = started["upload"]
        form = StreamedForm(
            presigned["fields"], path, presigned["fields"].get("Content-Type", declared.content_type)
        )
        sent = self._send(
            self._storage,
            lambda: self._storage.build_request(
                "POST", presigned["url"], headers=form.headers, content=form.chunks(progress)
            ),
        )
        if sent.status_code not in (200, 201, 204):
            raise errors.storage_error(sent)
        return self.wait(asset.id, timeout=timeout) if wait else asset

    def check(self, files: Iterable[tuple[str, int, str]]) -> list[CheckedFile]:
        """For each `(name, size, sha256)`, the caller's ready asset with the same bytes, if any: one
        request per hundred files."""
        files = list(files)
        checked = []
        for start in range(0, len(files), CHECK_BATCH):
            batch = [
                {"name": n, "size": size, "sha256": digest}
                for n, size, digest in files[start : start + CHECK_BATCH]
            ]
            answer = self._call("POST", "/api/v2/uploads/check", json={"files": batch}).json()
            checked += [checked_from_json(file) for file in answer["files"]]
        return checked

    def wait(self, asset_id: str, *, timeout: float = 300.0, poll: float = 0.5) -> Asset:
        """The asset once the processor has settled it; `ProcessingTimeout` if still pending."""
        deadline = time.monotonic() + timeout
        while True:
            asset = self.get(asset_id)
            if asset.settled:
                return asset
            left = deadline - time.monotonic()
            if left <= 0:
                raise errors.ProcessingTimeout(f"asset {asset_id} still pending after {timeout:g} s")
            time.sleep(min(poll, left))

    def download(
        self,
        asset_id: str,
        destination: str | Path,
        *,
        thumbnail: bool = False,
        progress: Progress | None = None,
    ) -> Path:
        """The file (or its thumbnail) to `destination`, streamed: the API's 302 is followed to the
        short-lived URL. Written to a temporary file renamed into place, so an interrupted download
        leaves nothing behind."""
        path = f"/api/v2/assets/{segment(asset_id)}" + ("/thumbnail" if thumbnail else "")
        location = self._call("GET", path, expect=302, accept="*/*").headers["Location"]
        destination = Path(destination)
        response = self._send(
            self._storage, lambda: self._storage.build_request("GET", location), stream=True
        )
        try:
            if response.status_code != 200:
                response.read()
                raise errors.storage_error(response)
            total = int(response.headers.get("Content-Length", 0))
            with atomic_file(destination) as output:
                for chunk in response.iter_bytes():
                    output.write(chunk)
                    if progress:
                        progress(response.num_bytes_downloaded, total)
        finally:
            response.close()
        return destination

    # -- usages and lineage ----------------------------------------------------------------------------

    def scan(self, path: str, content: str, *, language: str, kind: str = "script") -> ScanResult:
        """Register what a script's (or flow's) code reads and writes; replaces its previous scan."""
        body = {"path": path, "kind": kind, "language": language, "content": content}
        return scan_from_json(self._call("POST", "/api/v2/scans", json=body).json())

    def usages(self, asset_id: str) -> list[Usage]:
        """Who reads and writes the asset."""
        return [
            usage_from_json(item)
            for item in self._call("GET", f"/api/v2/assets/{segment(asset_id)}/usages").json()
        ]

    def consumer_usages(self, path: str, kind: str | None = None) -> list[Usage]:
        """What one consumer (script, flow, job) uses."""
        params = {"path": path} | ({"kind": kind} if kind else {})
        return [usage_from_json(item) for item in self._call("GET", "/api/v2/usages", params=params).json()]

    def set_usage_mode(self, usage_id: str, mode: Mode) -> Usage:
        return usage_from_json(
            self._call("PATCH", f"/api/v2/usages/{segment(usage_id)}", json={"mode": mode}).json()
        )

    def flow_graph(self, path: str) -> FlowGraph:
        return graph_from_json(self._call("GET", "/api/v2/flows/graph", params={"path": path}).json())

    # -- HTTP ------------------------------------------------------------------------------------------

    def _call(
        self, method: str, path: str, *, expect: int = 200, accept: str = "application/json", **kwargs: Any
    ) -> httpx.Response:
        """One API request (retried on 429/5xx); ApiError unless it answered `expect`."""
        headers = {"Authorization": f"Bearer {self.token()}", "Accept": accept}
        response = self._send(
            self._api,
            lambda: self._api.build_request(method, path, headers=headers, **kwargs),
            # A POST that answered 5xx may still have made its asset: sent again, it would make another.
            idempotent=method != "POST",
        )
        if response.status_code != expect:
            raise errors.api_error(response)
        return response
