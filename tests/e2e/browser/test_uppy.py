"""A real upload widget against the local stack: Uppy 4's AwsS3 plugin in POST mode, in Chromium, with
its upload parameters from POST /api/v2/uploads. It finishes (S3's ETag and Location reach it through
the bucket's CORS) with progress on the way, and a lie about the size is refused by the local S3.

Uppy comes from the npm registry (`make test` runs `npm ci` in tests/e2e/browser/uppy); the test
bundles it with the esbuild installed beside it and serves the page on the front's origin through
Playwright, so nothing is fetched from the network at test time.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

from infra.local.harness import Client, Sample, StackProcess
from tests.media.samples import corpus_sample

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

UPPY = Path(__file__).parent / "uppy"
ESBUILD = UPPY / "node_modules" / ".bin" / "esbuild"
PAGE_FILES = ("page.html", "page.js")
SITE_PATH = "/uppy-test"  # where the page is served, on the front's origin (the bucket's CORS allows it)


@pytest.fixture(scope="session")
def uppy_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test page and Uppy bundled as one ES module, in a folder of their own."""
    if not ESBUILD.exists():
        pytest.fail(f"Uppy is not installed: `make test` installs it (npm ci --prefix {UPPY})")
    site = tmp_path_factory.mktemp("uppy-site")
    bundled = subprocess.run(
        [ESBUILD, UPPY / "entry.js", "--bundle", "--format=esm", f"--outfile={site / 'uppy.js'}", "--log-level=error"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert bundled.returncode == 0, bundled.stderr
    for name in PAGE_FILES:
        shutil.copyfile(UPPY / name, site / name)
    return site


@pytest.fixture
def uppy_page(page: Page, local_stack: StackProcess, uppy_site: Path) -> Page:
    def serve(route: Route) -> None:
        name = route.request.url.rsplit("/", 1)[-1]
        route.fulfill(path=str(uppy_site / name))

    page.route(f"{local_stack.url}{SITE_PATH}/*", serve)
    # A document Playwright serves has no address of its own, so Chromium counts it public and asks
    # before it reaches loopback (moto); the front's real pages are on loopback and need no asking.
    page.context.grant_permissions(["local-network-access"], origin=local_stack.url)
    page.goto(f"{local_stack.url}{SITE_PATH}/page.html")
    page.wait_for_function("() => typeof window.uploadWithUppy === 'function'")
    return page


def upload_with_uppy(
    page: Page, client: Client, sample: Sample, content: bytes, declared_size: int
) -> list[dict]:
    """Every event Uppy emitted for one file, once `uppy.upload()` has finished."""
    return page.evaluate(
        "(options) => window.uploadWithUppy(options)",
        {
            "token": client.http.headers["Authorization"].removeprefix("Bearer "),
            "name": sample.name,
            "type": sample.asset_type,
            "format": sample.format,
            "contentType": sample.content_type,
            "base64": base64.b64encode(content).decode(),
            "declaredSize": declared_size,
        },
    )


def of_kind(events: list[dict], kind: str) -> list[dict]:
    return [event for event in events if event["event"] == kind]


def test_uppy_uploads_through_the_presigned_post_with_progress_and_the_asset_settles(
    uppy_page: Page, api: Client, settle: Callable
) -> None:
    # given
    sample = corpus_sample("photo.jpg")

    # when
    events = upload_with_uppy(uppy_page, api, sample, sample.data, len(sample.data))

    # then
    (started,) = of_kind(events, "started")
    (success,) = of_kind(events, "success")
    progress = of_kind(events, "progress")
    assert of_kind(events, "error") == []
    assert success["etag"] == f'"{hashlib.md5(sample.data).hexdigest()}"'
    assert success["location"] == f"{started['url']}/uploads%2F{started['assetId']}"
    # Uppy counts the form's bytes while they go (fields included), then the file's once S3 answered.
    assert progress, "Uppy reported no progress"
    assert {event["total"] for event in progress} == {len(sample.data)}
    assert progress[-1]["uploaded"] == len(sample.data)
    assert settle(api, started["assetId"])["status"] == "ready"


def test_uppy_sees_the_local_s3_refuse_a_lie_about_the_size(uppy_page: Page, api: Client) -> None:
    # given: 1,000 bytes declared, 14 KB posted
    sample = corpus_sample("photo.jpg")
    content = sample.data[:14_000].ljust(14_000, b"\0")

    # when
    events = upload_with_uppy(uppy_page, api, sample, content, declared_size=1000)

    # then
    (started,) = of_kind(events, "started")
    (error,) = of_kind(events, "error")
    assert of_kind(events, "success") == []
    assert error["status"] == 400
    assert "<Code>EntityTooLarge</Code>" in error["body"]
    assert api.record(started["assetId"]).json()["status"] == "pending"
