"""What the browser tests share: Chromium's launch options, the page watch, signing in."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from infra.local.harness import Client, Sample

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
EXPECT_TIMEOUT_MS = (
    20_000  # a bound on waiting (uploads are processed in the background), not a timing assertion
)
VIEWPORT = {"width": 1400, "height": 900}
# A bound on waiting for the processor, which starts its workers on the first upload and shares the
# machine with the browser: generous, never a timing assertion.
PROCESSED_MS = 90_000

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@dataclass
class Watch:
    """What a page did that a test must not let pass silently."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


def sign_in(page: Page, url: str, user: str) -> None:
    """Open the page and sign in as `user` (local mode: any name gets a token)."""
    page.goto(url)
    page.get_by_label("User name").fill(user)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#user-name")).to_have_text(user)
    expect(page.locator("#status-region")).not_to_have_attribute("data-state", "loading")


def upload_row(page: Page, file_name: str) -> Locator:
    """The row of the upload list showing `file_name`."""
    return page.locator(f'.upload-item[data-file="{file_name}"]')


def drop_files(page: Page, files: list[tuple[str, str, bytes]]) -> None:
    """Drop files ((name, content type, bytes)) on the page as a user dragging them from the desktop."""
    transfer = page.evaluate_handle(
        """(files) => {
             const transfer = new DataTransfer();
             for (const [name, type, b64] of files) {
               transfer.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, {type}));
             }
             return transfer;
           }""",
        [[name, content_type, base64.b64encode(data).decode()] for name, content_type, data in files],
    )
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event("#dropzone", event, {"dataTransfer": transfer})


def jpeg_bytes(width: int, height: int) -> bytes:
    """A photo-like JPEG of that size (a gradient with a disc, so every part of it differs), made by Pillow."""
    from PIL import Image, ImageDraw

    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    ImageDraw.Draw(image).ellipse(
        (width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(220, 60, 30)
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def settled_upload(client: Client, name: str, data: bytes) -> dict:
    """`data` uploaded through the API as `name` (declared by its extension) and processed: the record."""
    asset = client.upload(Sample.declared(name, data))
    return client.wait_until_settled(asset["id"], PROCESSED_MS / 1000)
