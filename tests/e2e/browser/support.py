"""What the browser tests share: Chromium's launch options, the page watch, signing in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, expect

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
