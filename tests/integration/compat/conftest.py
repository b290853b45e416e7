"""Fixtures for the seed contracts: a caller that speaks JSON and multipart as API Gateway sends
them, seed-sized media, the presigned flow run to the end, and counters of AWS calls."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from urllib3 import encode_multipart_formdata

from tests.integration.conftest import ApiResponse, LambdaContext, http_event

# user-a is seed 002's "userId": 1 (the identity provider's custom:userId claim).
USER_IDS = {"user-a": "1", "user-b": "2"}

# A form field: ("clientId", "client-uuid-123"), or a file: ("file", ("logo.png", b"...", "image/png")).
FormField = tuple[str, str | tuple[str, bytes, str]]


def multipart_body(form: Sequence[FormField]) -> tuple[bytes, str]:
    """The body and Content-Type a browser's FormData (or curl -F) sends."""
    return encode_multipart_formdata(list(form))


Call = Callable[..., ApiResponse]


@pytest.fixture
def call(aws: None) -> Call:
    """The API handler as API Gateway calls it, with the caller's numeric user id in the claims:
    `call("POST", path, json={...})`, `call("POST", path, form=[...])` (base64, as API Gateway
    sends binary bodies), `call("GET", path, query={...}, user="user-b")`, `user=None` for no token."""
    from functions.api.handler import lambda_handler

    def invoke(
        method: str,
        path: str,
        *,
        user: str | None = "user-a",
        json: Any = None,
        form: Sequence[FormField] | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        sent = dict(headers or {})
        body: Any = json
        if form is not None:
            data, content_type = multipart_body(form)
            sent = {"content-type": content_type, "content-length": str(len(data)), **sent}
            body = base64.b64encode(data).decode()
        elif json is not None:
            sent = {"content-type": "application/json", **sent}
        event = http_event(method, path, user=user, body=body, query=query, headers=sent)
        event["isBase64Encoded"] = form is not None
        if user is not None:
            event["requestContext"]["authorizer"]["jwt"]["claims"]["custom:userId"] = USER_IDS.get(user, "")
        raw = lambda_handler(event, LambdaContext())
        response_headers = {key.lower(): value for key, value in (raw.get("headers") or {}).items()}
        return ApiResponse(
            status=int(raw["statusCode"]), headers=response_headers, body=raw.get("body") or ""
        )

    return invoke


# ---- seed-sized media, made once and kept in pytest's cache between runs ----


@dataclass(frozen=True)
class SeedMedia:
    logo_png: bytes  # 800×600, 51,200 bytes (seed 002's image example)
    demo_mp4: bytes  # 1920×1080, 30 s, 12,345,678 bytes (its video example)
    gallery_mp4: bytes  # 1920×1080, 45 s, 10,485,760 bytes (its list example)
    voiceover_mp3: bytes  # 60 s, 2,048,000 bytes (its audio example)
    guidelines_pdf: bytes  # 3 pages, 1,024,000 bytes (its document example)
    logo_bmp: bytes  # a real BMP, for "Invalid file type: image/bmp"


def _make_media() -> dict[str, bytes]:
    from tests.integration.compat import seed_media

    return {
        "logo_png": seed_media.png(800, 600, size=51_200),
        "demo_mp4": seed_media.mp4(1920, 1080, seconds=30, size=12_345_678),
        "gallery_mp4": seed_media.mp4(1920, 1080, seconds=45, size=10_485_760),
        "voiceover_mp3": seed_media.mp3(seconds=60, size=2_048_000),
        "guidelines_pdf": seed_media.pdf(pages=3, size=1_024_000),
        "logo_bmp": seed_media.bmp(),
    }


@pytest.fixture(scope="session")
def media(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SeedMedia:
    # Encoding 1080p video and a minute of MP3 takes seconds: keep the files in pytest's cache (when
    # it is enabled), keyed by the code that makes them.
    sources = [Path(__file__).with_name("seed_media.py"), Path(__file__).parents[2] / "media" / "generate.py"]
    version = hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:16]
    cache = getattr(request.config, "cache", None)
    name = f"trove-seed-media-{version}"
    directory = Path(cache.mkdir(name)) if cache else tmp_path_factory.mktemp(name)
    files = list(SeedMedia.__dataclass_fields__)
    if not all((directory / file).exists() for file in files):
        for file, data in _make_media().items():
            partial = directory / f"{file}.partial"
            partial.write_bytes(data)
            partial.replace(directory / file)  # atomic: parallel workers never read half a file
    return SeedMedia(**{file: (directory / file).read_bytes() for file in files})


# ---- the presigned flow to the end (for files above the multipart limit) ----


@pytest.fixture
def upload_presigned(call: Call, s3, bucket: str) -> Callable[..., dict]:
    """POST /api/v2/uploads, the bytes to S3 at the pinned key, then the processor, as the queue would."""
    from functions.core.settings import get_settings
    from functions.processor.pipeline import process_upload

    def run(name: str, data: bytes, type: str, format: str, user: str = "user-a", **links: str) -> dict:
        body = {"name": name, "type": type, "format": format, "size": len(data), **links}
        started = call("POST", "/api/v2/uploads", user=user, json=body)
        assert started.status == 201, started.body
        asset = started.json()["asset"]
        s3.put_object(Bucket=bucket, Key=started.json()["upload"]["fields"]["key"], Body=data)
        process_upload(f"uploads/{asset['id']}", get_settings())
        read = call("GET", f"/api/v2/assets/{asset['id']}", user=user, headers={"Accept": "application/json"})
        assert read.status == 200, read.body
        return read.json()

    return run


# ---- counting what reaches DynamoDB and S3 ----


@dataclass
class Calls:
    dynamodb: list[tuple[str, dict]] = field(default_factory=list)
    s3: list[str] = field(default_factory=list)

    def count(self) -> Counter[str]:
        return Counter([name for name, _ in self.dynamodb] + [f"s3:{name}" for name in self.s3])


@pytest.fixture
def aws_calls(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    """Every DynamoDB operation pynamodb dispatches (with its arguments) and every S3 operation
    the service's S3 client makes, from the moment the fixture is used."""
    from pynamodb.connection.base import Connection

    from functions.core import storage
    from functions.core.settings import get_settings

    calls = Calls()
    dispatch = Connection.dispatch

    def counted(self: Connection, operation_name: str, operation_kwargs: dict) -> dict:
        calls.dynamodb.append((operation_name, operation_kwargs))
        return dispatch(self, operation_name, operation_kwargs)

    def on_s3_call(model: Any, **_: Any) -> None:
        calls.s3.append(model.name)

    monkeypatch.setattr(Connection, "dispatch", counted)
    events = storage.s3_client(get_settings()).meta.events
    events.register("before-call.s3", on_s3_call, unique_id="trove-test-s3-calls")
    yield calls
    events.unregister("before-call.s3", unique_id="trove-test-s3-calls")
