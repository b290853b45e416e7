"""Chromium (Debian's, driven by Playwright from PyPI) against the local stack of tests/e2e/conftest.py.

Each test signs in as a user of its own, so tests never see each other's assets. Every page records
the dialogs it opens (alert, confirm…) and its uncaught errors; a test fails if there were any.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from infra.local.harness import Client, StackProcess
from tests.e2e.browser.support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, VIEWPORT, Watch, sign_in


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium (make test does it as root)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def context_options() -> dict:
    """More options for the page's browser context; a test module overrides this fixture to change them
    (a screen's device pixel ratio, say)."""
    return {}


@pytest.fixture
def page(browser: Browser, watch: Watch, context_options: dict) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light", **context_options)
    page = context.new_page()

    def on_dialog(dialog: Dialog) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.console.append(message.text)

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.on("console", on_console)
    yield page
    context.close()
    assert watch.dialogs == [], f"the page opened dialogs: {watch.dialogs}"
    assert watch.errors == [], f"uncaught errors in the page: {watch.errors}"


@pytest.fixture
def user() -> str:
    return f"web-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def api(local_stack: StackProcess, user: str) -> Client:
    """The same user as the page, straight through the API: to set up data quickly."""
    return Client(local_stack.url, user)


@pytest.fixture
def signed_in(page: Page, local_stack: StackProcess, user: str) -> Page:
    sign_in(page, local_stack.url, user)
    return page


@pytest.fixture(scope="session")
def shot() -> Callable[[Page, str], Path]:
    """Save a screenshot in tests/artifacts/ (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page: Page, name: str, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


@pytest.fixture(scope="session")
def media_files(corpus: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Samples of the media corpus under the names the tests upload them as."""
    directory = tmp_path_factory.mktemp("upload")
    names = {
        "photo.jpg": "photo.jpg",
        "clip.mp4": "clip.mp4",
        "doc.pdf": "report.pdf",
        "tone.mp3": "tone.mp3",
        "text.png": "notes.png",  # text in a .png: what the processor must reject
    }
    files = {}
    for source, name in names.items():
        files[name] = directory / name
        shutil.copyfile(corpus[source], files[name])
    return files
