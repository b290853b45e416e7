"""The web page in Chromium against the local stack: sign-in, uploads with progress and processing,
table and gallery, filters and pages, link assets created, edited and deleted, escaping, error states.

Every wait is bounded by Playwright's expect timeout (conftest.EXPECT_TIMEOUT_MS); nothing asserts
how long anything took.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Locator, Page, Route, expect

from functions.core import topology
from infra.local.harness import Client, Sample, StackProcess
from tests.e2e.browser.support import EXPECT_TIMEOUT_MS, Watch, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

XSS_NAME = "<img src=x onerror=alert(1)>"
THUMBNAILED = ("photo.jpg", "clip.mp4", "report.pdf")


def row(page: Page, name: str) -> Locator:
    """The table row of the asset called `name`."""
    return page.locator("#results tr[data-asset-id]").filter(
        has=page.get_by_role("button", name=name, exact=True)
    )


def card(page: Page, name: str) -> Locator:
    title = page.locator(".card-title", has_text=re.compile(f"^{re.escape(name)}$"))
    return page.locator("#results .asset-card").filter(has=title)


def upload_row(page: Page, file_name: str) -> Locator:
    return page.locator(f'.upload-item[data-file="{file_name}"]')


def expect_names(page: Page, names: list[str]) -> None:
    """The table shows exactly these assets, in this order (waits for the list to get there)."""
    expect(page.locator("#results tr[data-asset-id] .asset-name")).to_have_text(names)


def create_link(api: Client, **body: object) -> dict:
    answer = api.api("POST", "/api/v2/assets", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def upload_settled(
    api: Client,
    path: Path,
    asset_type: str,
    fmt: str,
    content_type: str,
    name: str | None = None,
    expected: str = "ready",
    **fields: object,
) -> dict:
    """Upload through the API as the page does (presigned POST) and wait until processed."""
    sample = Sample(name or path.name, asset_type, fmt, content_type, path.read_bytes())
    declared = {"name": sample.name, "type": asset_type, "format": fmt, "size": len(sample.data), **fields}
    started = api.api("POST", "/api/v2/uploads", json=declared)
    assert started.status_code == 201, started.text
    post = started.json()["upload"]
    sent = requests.post(
        post["url"], data=post["fields"], files={"file": (sample.name, sample.data, content_type)}, timeout=30
    )
    assert sent.status_code in (200, 201, 204), sent.text
    settled = api.wait_until_settled(started.json()["asset"]["id"], EXPECT_TIMEOUT_MS / 1000)
    assert settled["status"] == expected, settled
    return settled


# ---- sign-in ----


def test_sign_in_keeps_a_session_per_tab_and_signs_out(
    page: Page, local_stack: StackProcess, user: str
) -> None:
    page.goto(local_stack.url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_have_text("Enter a user name.")

    sign_in(page, local_stack.url, user)
    expect(page.get_by_text("No assets yet.")).to_be_visible()
    session = json.loads(page.evaluate("sessionStorage.getItem('trove.session')"))
    assert session["user"] == user and session["token"].count(".") == 2

    page.reload()  # the session survives a reload of the tab
    expect(page.locator("#user-name")).to_have_text(user)
    expect(page.get_by_text("No assets yet.")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('trove.session')") is None


def test_a_refused_token_returns_to_sign_in_with_a_reason(signed_in: Page) -> None:
    page = signed_in
    page.evaluate(
        """() => { const s = JSON.parse(sessionStorage.getItem('trove.session'));
                   s.token = s.token.slice(0, -4) + 'AAAA'; sessionStorage.setItem('trove.session', JSON.stringify(s)); }"""
    )
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#signin-error")).to_contain_text("session has ended")


# ---- uploads ----


def test_upload_image_video_pdf_and_audio_reach_ready_with_thumbnails(
    signed_in: Page, media_files: dict[str, Path], shot: Callable
) -> None:
    page = signed_in
    files = [media_files[name] for name in (*THUMBNAILED, "tone.mp3")]
    page.locator("#file-input").set_input_files([str(path) for path in files])  # several at once

    for path in files:
        item = upload_row(page, path.name)
        expect(item.locator("progress")).to_have_attribute("value", "100")
        expect(item.locator(".upload-percent")).to_have_text("100%")
        expect(item).to_have_attribute("data-state", "ready")
        expect(item.locator(".upload-status")).to_have_text("Ready")
    for name in THUMBNAILED:
        thumbnail = upload_row(page, name).locator(".upload-thumb img")
        expect(thumbnail).to_be_visible()
        assert thumbnail.evaluate("img => img.complete && img.naturalWidth > 0")
    shot(page, "upload-ready")

    # The table lists them once processed, with their thumbnails.
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(4)
    for name in THUMBNAILED:
        expect(row(page, name).locator(".status")).to_have_text("Ready")
        expect(row(page, name).locator(".thumb")).to_have_class(re.compile(r"\bhas-image\b"))
    expect(row(page, "tone.mp3").locator(".type-badge")).to_have_text("Audio")
    expect(row(page, "report.pdf").locator(".type-badge")).to_have_text("PDF")
    shot(page, "table")

    page.get_by_role("button", name="Gallery").click()
    expect(page.get_by_role("button", name="Gallery")).to_have_attribute("aria-pressed", "true")
    for name in THUMBNAILED:
        expect(card(page, name).locator(".thumb")).to_have_class(re.compile(r"\bhas-image\b"))
    expect(card(page, "clip.mp4")).to_contain_text("320×240 · 0:02")
    expect(card(page, "report.pdf")).to_contain_text("3 pages")
    shot(page, "gallery")
    assert "view=gallery" in page.url

    # Players: the page fetched each file's short-lived URL with the token and hands it to the element.
    card(page, "clip.mp4").get_by_role("button", name="Open clip.mp4").click()
    details = page.locator("#details")
    expect(details).to_be_visible()
    video = details.locator("video")
    expect(video).to_have_attribute("src", re.compile(r"^http://127\.0\.0\.1:\d+/"))
    page.wait_for_function(
        "() => { const v = document.querySelector('#details video'); return v && v.readyState >= 1 && v.duration > 1.5 }",
        timeout=EXPECT_TIMEOUT_MS,
    )
    assert video.get_attribute("poster").startswith("blob:")
    expect(details).to_contain_text("320 × 240")
    shot(page, "details-video", full_page=False)
    page.keyboard.press("Escape")
    expect(details).to_be_hidden()

    card(page, "tone.mp3").get_by_role("button", name="Open tone.mp3").click()
    page.wait_for_function(
        "() => { const a = document.querySelector('#details audio'); return a && a.readyState >= 1 && a.duration > 2 }",
        timeout=EXPECT_TIMEOUT_MS,
    )
    page.keyboard.press("Escape")

    card(page, "photo.jpg").get_by_role("button", name="Open photo.jpg").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#details img.preview-media')].some(i => i.currentSrc.startsWith('http') && i.complete && i.naturalWidth > 0)",
        timeout=EXPECT_TIMEOUT_MS,
    )
    page.keyboard.press("Escape")

    card(page, "report.pdf").get_by_role("button", name="Open report.pdf").click()
    expect(details.get_by_role("img", name="First page of report.pdf")).to_be_visible()
    expect(details).to_contain_text("Pages")


def test_upload_progress_moves_and_states_show_while_uploading(
    signed_in: Page, corpus: dict[str, Path], media_files: dict[str, Path], shot: Callable
) -> None:
    page = signed_in
    # A slow uplink (Chromium's network emulation), so the bar is seen between 0 and 100 %.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 40_000},
    )
    page.evaluate(
        """() => {
             window.__progress = [];
             new MutationObserver(() => {
               for (const bar of document.querySelectorAll('#upload-list progress')) window.__progress.push(bar.value);
             }).observe(document.getElementById('upload-list'), {subtree: true, attributes: true, childList: true});
           }"""
    )
    large = corpus["large.jpeg"]
    page.locator("#file-input").set_input_files([str(large), str(media_files["notes.png"])])
    item = upload_row(page, large.name)
    expect(item).to_have_attribute("data-state", "uploading")
    page.wait_for_function(
        f"() => {{ const bar = document.querySelector('.upload-item[data-file=\"{large.name}\"] progress');"
        " return bar && bar.value > 0 && bar.value < 100 }",
        timeout=EXPECT_TIMEOUT_MS,
    )
    expect(item.locator(".upload-status")).to_contain_text("Uploading…")
    expect(item.get_by_role("button", name="Cancel")).to_be_visible()
    shot(page, "upload-in-progress", full_page=False)

    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(item).to_have_attribute("data-state", "ready")
    expect(upload_row(page, "notes.png")).to_have_attribute("data-state", "rejected")
    seen = page.evaluate("window.__progress")
    assert any(0 < value < 100 for value in seen), seen
    assert max(seen) == 100


def test_a_spoofed_file_dropped_on_the_page_is_rejected_with_the_reason(
    signed_in: Page, media_files: dict[str, Path], shot: Callable
) -> None:
    page = signed_in
    spoofed = media_files["notes.png"]
    data_transfer = page.evaluate_handle(
        """([name, b64]) => {
             const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
             const transfer = new DataTransfer();
             transfer.items.add(new File([bytes], name, {type: 'image/png'}));
             return transfer;
           }""",
        [spoofed.name, base64.b64encode(spoofed.read_bytes()).decode()],
    )
    page.dispatch_event("#dropzone", "dragenter", {"dataTransfer": data_transfer})
    expect(page.locator("#drop-overlay")).to_be_visible()
    page.dispatch_event("#dropzone", "dragover", {"dataTransfer": data_transfer})
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": data_transfer})
    expect(page.locator("#drop-overlay")).to_be_hidden()

    item = upload_row(page, "notes.png")
    expect(item.locator("progress")).to_have_attribute("value", "100")
    expect(item).to_have_attribute("data-state", "rejected")
    expect(item.locator(".upload-status")).to_have_text("Rejected")
    expect(item.locator(".upload-reason")).to_contain_text("Invalid file type: text/plain")
    expect(row(page, "notes.png").locator(".status")).to_have_text("Rejected")
    expect(row(page, "notes.png").locator(".reason")).to_contain_text("Invalid file type")
    shot(page, "upload-rejected")

    # A file the allow-list does not know is refused by the API, whose detail is shown.
    page.locator("#file-input").set_input_files(
        [{"name": "drawing.bmp", "mimeType": "image/bmp", "buffer": b"BM" + bytes(64)}]
    )
    refused = upload_row(page, "drawing.bmp")
    expect(refused).to_have_attribute("data-state", "error")
    expect(refused.locator(".upload-reason")).to_contain_text("Invalid file type: image/bmp. Allowed: images")
    page.get_by_role("button", name="Clear finished").click()
    expect(page.locator(".upload-item")).to_have_count(0)


# ---- filters and pages ----


def test_filter_by_client_and_by_type(
    signed_in: Page, api: Client, media_files: dict[str, Path], shot: Callable
) -> None:
    page = signed_in
    filters = page.locator("#filters")
    upload_settled(api, media_files["photo.jpg"], "image", "jpg", "image/jpeg", clientId="acme")
    upload_settled(api, media_files["clip.mp4"], "video", "mp4", "video/mp4", clientId="globex")
    create_link(
        api, name="Acme brand guide", url="https://example.com/acme", clientId="acme", projectId="p-7"
    )
    page.reload()
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(3)

    filters.get_by_label("Client").fill("acme")
    filters.get_by_role("button", name="Apply").click()
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(2)
    expect_names(page, ["Acme brand guide", "photo.jpg"])
    assert "clientId=acme" in page.url

    filters.get_by_label("Type").select_option("image")  # applies at once
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(1)
    expect_names(page, ["photo.jpg"])
    shot(page, "table-filtered")

    filters.get_by_label("Client").fill("globex")
    filters.get_by_label("Client").press("Enter")
    expect(page.get_by_text("No assets match these filters.")).to_be_visible()

    filters.get_by_label("Type").select_option("video")
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(1)
    expect_names(page, ["clip.mp4"])

    page.reload()  # filters live in the address
    expect(filters.get_by_label("Client")).to_have_value("globex")
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(1)

    filters.get_by_label("Project").fill("p-7")
    filters.get_by_label("Client").fill("")
    filters.get_by_label("Type").select_option("")
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(1)
    expect_names(page, ["Acme brand guide"])

    filters.get_by_role("button", name="Clear", exact=True).click()
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(3)


def test_pages_follow_the_cursor(signed_in: Page, api: Client) -> None:
    page = signed_in
    for number in range(14):
        create_link(api, name=f"Reference {number:02d}", url=f"https://example.com/{number}")
    page.get_by_label("Per page").select_option("12")
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(12)
    expect(page.locator("#results tr[data-asset-id] .asset-name").first).to_have_text(
        "Reference 13"
    )  # newest first
    expect(page.get_by_role("button", name="← Previous")).to_be_disabled()

    page.get_by_role("button", name="Next →").click()
    expect(page.locator("#page-label")).to_have_text("Page 2")
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(2)
    expect_names(page, ["Reference 01", "Reference 00"])
    expect(page.get_by_role("button", name="Next →")).to_be_disabled()

    page.get_by_role("button", name="← Previous").click()
    expect(page.locator("#page-label")).to_have_text("Page 1")
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(12)


# ---- link assets: create, edit, delete ----


def test_create_edit_and_delete_a_link_asset(signed_in: Page, shot: Callable) -> None:
    page = signed_in
    opener = page.get_by_role("button", name="Add link")
    opener.click()
    dialog = page.get_by_role("dialog", name="Add a link")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Name")).to_be_focused()

    # Escape closes and gives the focus back.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    opener.click()
    dialog.get_by_label("Name").fill("Python Data Utilities")
    dialog.get_by_label("URL").fill("javascript:alert(1)")
    dialog.get_by_role("button", name="Add link").click()
    expect(dialog.locator(".form-error")).to_have_text("The URL must be an http:// or https:// address.")

    # The API's own refusals come back as its `detail`.
    dialog.get_by_label("URL").fill("https://github.com/team/python-data-utils")
    dialog.get_by_label("Client").fill("not a valid id!")
    dialog.get_by_role("button", name="Add link").click()
    expect(dialog.locator(".form-error")).to_contain_text("clientId")

    dialog.get_by_label("Client").fill("")
    dialog.get_by_label("Description").fill("Common data transformation functions")
    dialog.get_by_label("Tags").fill("python, data")
    dialog.get_by_label("Project").fill("3")
    dialog.get_by_role("button", name="Add link").click()
    expect(dialog).to_be_hidden()

    created = row(page, "Python Data Utilities")
    expect(created).to_be_visible()
    expect(created.locator(".type-badge")).to_have_text("Link")
    expect(created.locator(".cell-description")).to_have_text("Common data transformation functions")
    expect(created.locator("td").nth(6)).to_have_text("3")  # the project column
    link = created.get_by_role("link")
    expect(link).to_have_attribute("href", "https://github.com/team/python-data-utils")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    with page.context.expect_page() as new_tab:  # a new tab, not this one
        link.click()
    new_tab.value.close()

    # Edit: every field, through PATCH.
    created.get_by_role("button", name="Edit Python Data Utilities").click()
    edit = page.get_by_role("dialog", name="Edit link")
    expect(edit.get_by_label("Name")).to_have_value("Python Data Utilities")
    expect(edit.get_by_label("Tags")).to_have_value("python, data")
    edit.get_by_label("Name").fill("Python Data Utilities v2")
    edit.get_by_label("URL").fill("https://github.com/team/python-data-utils/releases")
    edit.get_by_label("Description").fill("")
    edit.get_by_label("Tags").fill("python")
    edit.get_by_label("Client").fill("acme")
    edit.get_by_label("Project").fill("")
    edit.get_by_label("Task").fill("15")
    shot(page, "edit-modal", full_page=False)
    edit.get_by_role("button", name="Save changes").click()
    expect(edit).to_be_hidden()

    edited = row(page, "Python Data Utilities v2")
    expect(edited).to_be_visible()
    expect(edited.locator(".cell-description")).to_have_text("—")
    expect(edited.locator("td").nth(4)).to_have_text("acme")
    expect(edited.locator("td").nth(6)).to_have_text("—")
    expect(edited.locator("td").nth(7)).to_have_text("15")
    expect(edited.get_by_role("link")).to_have_attribute(
        "href", "https://github.com/team/python-data-utils/releases"
    )

    # The details drawer shows the same, with the hook for usages.
    edited.get_by_role("button", name="Python Data Utilities v2", exact=True).click()
    drawer = page.locator("#details")
    expect(drawer).to_contain_text("python")
    expect(drawer.locator("[data-hook=lineage]")).to_contain_text("Usages")
    page.keyboard.press("Escape")

    # Delete: asks first; Cancel keeps it.
    edited.get_by_role("button", name="Delete Python Data Utilities v2").click()
    confirm = page.get_by_role("dialog", name="Delete “Python Data Utilities v2”?")
    expect(confirm).to_be_visible()
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    shot(page, "delete-confirmation", full_page=False)
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(edited).to_be_visible()

    edited.get_by_role("button", name="Delete Python Data Utilities v2").click()
    confirm.get_by_role("button", name="Delete").click()
    expect(confirm).to_be_hidden()
    expect(row(page, "Python Data Utilities v2")).to_have_count(0)
    expect(page.get_by_text("No assets yet.")).to_be_visible()


def test_modals_keep_the_keyboard_inside(signed_in: Page) -> None:
    page = signed_in
    page.get_by_role("button", name="Add link").click()
    dialog = page.locator("#asset-dialog")
    for _ in range(15):  # more than the dialog's controls: Tab wraps around inside it
        page.keyboard.press("Tab")
        assert dialog.evaluate("d => d.contains(document.activeElement)")
    page.keyboard.press("Shift+Tab")
    assert dialog.evaluate("d => d.contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


# ---- escaping ----


def test_hostile_names_render_as_text_and_no_dialog_fires(
    signed_in: Page, api: Client, corpus: dict[str, Path], watch: Watch, shot: Callable
) -> None:
    page = signed_in
    create_link(
        api,
        name=XSS_NAME,
        url="https://example.com/?q=<script>alert(2)</script>",
        description='"><svg onload=alert(3)>',
        tags=["<b>bold</b>"],
        clientId="acme",
    )
    refused = api.api("POST", "/api/v2/assets", json={"name": "bad", "url": "javascript:alert(4)"})
    assert refused.status_code == 400
    # A file whose name is markup, uploaded through the page.
    page.locator("#file-input").set_input_files(
        [{"name": f"{XSS_NAME}.jpg", "mimeType": "image/jpeg", "buffer": corpus["photo.jpg"].read_bytes()}]
    )
    expect(upload_row(page, f"{XSS_NAME}.jpg")).to_have_attribute("data-state", "ready")
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(2)

    expect(row(page, XSS_NAME).locator(".asset-name")).to_have_text(XSS_NAME)
    expect(row(page, f"{XSS_NAME}.jpg").locator(".asset-name")).to_have_text(f"{XSS_NAME}.jpg")
    expect(row(page, XSS_NAME).locator(".cell-description")).to_have_text('"><svg onload=alert(3)>')
    page.get_by_role("button", name="Gallery").click()
    expect(card(page, XSS_NAME)).to_be_visible()
    row_link = card(page, XSS_NAME).get_by_role("link")
    expect(row_link).to_have_attribute("href", "https://example.com/?q=%3Cscript%3Ealert(2)%3C/script%3E")
    card(page, XSS_NAME).get_by_role("button", name=f"Open {XSS_NAME}", exact=True).click()
    expect(page.locator("#details-title")).to_have_text(XSS_NAME)
    expect(page.locator("#details")).to_contain_text("<b>bold</b>")
    page.keyboard.press("Escape")
    card(page, XSS_NAME).get_by_role("button", name=f"Edit {XSS_NAME}").click()
    expect(page.locator("#asset-dialog").get_by_label("Name")).to_have_value(XSS_NAME)
    page.keyboard.press("Escape")
    shot(page, "escaping")

    # Nothing the data said became markup.
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("#results svg, #details svg, #results script, #results b").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert watch.dialogs == []


def test_a_non_http_url_from_the_api_is_never_a_link(signed_in: Page) -> None:
    """Defence in depth: even if a record somehow held a javascript: URL, the page shows it as text."""
    page = signed_in
    forged = {
        "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "userId": None,
        "clientId": None,
        "campaignId": None,
        "name": "Forged",
        "url": "javascript:alert(document.domain)",
        "size": None,
        "uploadedAt": "2026-01-01T00:00:00Z",
        "tags": None,
        "format": "url",
        "status": "ready",
        "statusReason": None,
        "description": None,
        "projectId": None,
        "todoId": None,
        "type": "link",
    }

    def fake_list(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps([forged]))

    page.route(re.compile(r".*/api/v2/assets\?.*"), fake_list)
    page.reload()
    forged_row = row(page, "Forged")
    expect(forged_row).to_be_visible()
    expect(forged_row.locator(".cell-url")).to_have_text("javascript:alert(document.domain)")
    assert forged_row.locator("a").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0


# ---- states ----


def test_loading_error_and_empty_states_show_the_servers_detail(signed_in: Page, shot: Callable) -> None:
    page = signed_in
    expect(page.get_by_text("No assets yet.")).to_be_visible()

    def failing(route: Route) -> None:
        route.fulfill(
            status=400, content_type="application/json", body=json.dumps({"detail": "Invalid cursor"})
        )

    listing = re.compile(r".*/api/v2/assets\?.*")
    page.route(listing, failing)
    page.locator("#filters").get_by_label("Tag").fill("anything")
    page.locator("#filters").get_by_role("button", name="Apply").click()
    alert = page.locator("#status-region [role=alert]")
    expect(alert).to_contain_text("The assets could not be loaded.")
    expect(alert).to_contain_text("Invalid cursor")
    shot(page, "error-state", full_page=False)

    page.unroute(listing)
    alert.get_by_role("button", name="Try again").click()
    expect(page.get_by_text("No assets match these filters.")).to_be_visible()


# ---- the pictures in the docs ----


def test_a_library_in_table_gallery_and_dark_mode(
    page: Page, local_stack: StackProcess, media_files: dict[str, Path], shot: Callable
) -> None:
    """A small, realistic library (seed 000's examples and a campaign's media): the screenshots of
    docs/web.md and the README come from here."""
    api = Client(local_stack.url, "maria")
    create_link(
        api,
        name="Apache Flink SQL Reference",
        description="Official Flink SQL documentation",
        url="https://nightlies.apache.org/flink/flink-docs-stable/docs/dev/table/sql/overview/",
        tags=["docs"],
    )
    create_link(
        api,
        name="Customer Onboarding Template",
        description="Standard onboarding document structure",
        url="https://docs.google.com/document/d/abc123",
        todoId="15",
    )
    create_link(
        api,
        name="Python Data Utilities",
        description="Common data transformation functions",
        url="https://github.com/team/python-data-utils",
        projectId="3",
    )
    upload_settled(
        api, media_files["tone.mp3"], "audio", "mp3", "audio/mpeg", name="Radio jingle.mp3", clientId="globex"
    )
    upload_settled(
        api,
        media_files["notes.png"],
        "image",
        "png",
        "image/png",
        name="logo-final.png",
        expected="rejected",
        clientId="acme",
    )
    upload_settled(
        api,
        media_files["report.pdf"],
        "document",
        "pdf",
        "application/pdf",
        name="Brand guidelines.pdf",
        clientId="acme",
        description="Logo use, colours and type",
    )
    upload_settled(
        api,
        media_files["clip.mp4"],
        "video",
        "mp4",
        "video/mp4",
        name="Spring teaser.mp4",
        clientId="acme",
        campaignId="spring-26",
        description="15 s cut for social",
    )
    hero = upload_settled(
        api,
        media_files["photo.jpg"],
        "image",
        "jpg",
        "image/jpeg",
        name="Spring hero.jpg",
        clientId="acme",
        campaignId="spring-26",
        projectId="3",
        description="Homepage hero, spring campaign",
        tags=["hero", "spring"],
    )

    # A script that reads the hero picture: its usage shows in the picture's details.
    script = f'banner = Image.open(trove.open("trove://asset/{hero["id"]}"))\n'
    scan = {"path": "f/marketing/homepage_banner", "kind": "script", "language": "python", "content": script}
    scanned = api.api("POST", "/api/v2/scans", json=scan)
    assert scanned.status_code == 200, scanned.text

    sign_in(page, local_stack.url, "maria")
    expect(page.locator("#results tr[data-asset-id]")).to_have_count(8)
    for name in ("Spring hero.jpg", "Spring teaser.mp4", "Brand guidelines.pdf"):
        expect(row(page, name).locator(".thumb")).to_have_class(re.compile(r"\bhas-image\b"))
    shot(page, "library-table")
    row(page, "Spring hero.jpg").get_by_role("button", name="Spring hero.jpg", exact=True).click()
    usages = page.locator("#details [data-hook=lineage]")
    expect(usages.locator(".usage")).to_have_count(1)
    expect(usages).to_contain_text("f/marketing/homepage_banner")
    expect(usages).to_contain_text("script")
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Gallery").click()
    for name in ("Spring hero.jpg", "Spring teaser.mp4", "Brand guidelines.pdf"):
        expect(card(page, name).locator(".thumb")).to_have_class(re.compile(r"\bhas-image\b"))
    shot(page, "library-gallery")

    page.emulate_media(color_scheme="dark")
    shot(page, "library-gallery-dark")
    card(page, "Spring teaser.mp4").get_by_role("button", name="Open Spring teaser.mp4").click()
    page.wait_for_function(
        "() => { const v = document.querySelector('#details video'); return v && v.readyState >= 2 }",
        timeout=EXPECT_TIMEOUT_MS,
    )
    shot(page, "library-details-dark", full_page=False)


# ---- AWS sign-in (Cognito), with Cognito played by the test ----


def play_cognito(
    page: Page, stack: StackProcess, user: str, answer: Callable[[str, dict, str], tuple[int, dict]], api_base: str = ""
) -> list[tuple[str, dict]]:
    """The page in Cognito mode (config.json as the CDK stack writes it), with Cognito's user pool API
    played here: `answer(action, body, id_token)` gives each call's status and body, the ID token being
    the local stack's own dev token for `user`. The calls, as the page made them."""
    token = requests.post(f"{stack.url}/local/token", json={"user": user}, timeout=10).json()["token"]
    config = topology.web_config(
        api_base=api_base,
        auth=topology.WEB_AUTH_COGNITO,
        region="eu-west-1",
        user_pool_id="eu-west-1_AbCdEf123",
        user_pool_client_id="web-client-id",
    )
    calls: list[tuple[str, dict]] = []
    cors = {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Headers": "content-type, x-amz-target",
        "Access-Control-Allow-Methods": "POST",
    }

    def cognito(route: Route) -> None:
        request = route.request
        if request.method == "OPTIONS":
            return route.fulfill(status=204, headers=cors)
        action = request.headers["x-amz-target"].rsplit(".", 1)[1]
        body = request.post_data_json
        calls.append((action, body))
        status, reply = answer(action, body, token)
        route.fulfill(status=status, headers=cors, content_type="application/x-amz-json-1.1", body=json.dumps(reply))

    page.route("**/config.json", lambda route: route.fulfill(json=config))
    page.route("https://cognito-idp.eu-west-1.amazonaws.com/", cognito)
    return calls


def _signed_in(token: str) -> tuple[int, dict]:
    return 200, {"AuthenticationResult": {"IdToken": token, "AccessToken": "access", "RefreshToken": "refresh"}}


def _challenge(name: str, session: str) -> tuple[int, dict]:
    return 200, {"ChallengeName": name, "Session": session, "ChallengeParameters": {}}


def _refused(message: str) -> tuple[int, dict]:
    return 400, {"__type": "NotAuthorizedException", "message": message}


def test_cognito_mode_signs_in_with_email_password_and_a_new_password(
    page: Page, local_stack: StackProcess
) -> None:
    """Cognito's InitiateAuth and RespondToAuthChallenge answered here, with an ID token the local
    stack accepts (its own dev token)."""
    email = "maria@example.com"

    def answer(action: str, body: dict, token: str) -> tuple[int, dict]:
        if action == "InitiateAuth" and body["AuthParameters"]["PASSWORD"] == "wrong":
            return _refused("Incorrect username or password.")
        if action == "InitiateAuth":
            return _challenge("NEW_PASSWORD_REQUIRED", "session-1")
        return _signed_in(token)

    # An absolute base with a trailing slash: the page must call it without a double slash.
    calls = play_cognito(page, local_stack, "cognito-maria", answer, api_base=f"{local_stack.url}/")
    page.goto(local_stack.url)

    expect(page.get_by_label("E-mail")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_have_text("Incorrect username or password.")

    page.get_by_label("Password").fill("Temporary-Passw0rd!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("New password")).to_be_visible()
    page.get_by_label("New password").fill("A-much-better-Passw0rd!")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("#user-name")).to_have_text(email)
    expect(page.get_by_text("No assets yet.")).to_be_visible()
    initiate = calls[1][1]
    assert initiate["AuthFlow"] == "USER_PASSWORD_AUTH" and initiate["ClientId"] == "web-client-id"
    assert calls[2] == (
        "RespondToAuthChallenge",
        {
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "ClientId": "web-client-id",
            "Session": "session-1",
            "ChallengeResponses": {"USERNAME": email, "NEW_PASSWORD": "A-much-better-Passw0rd!"},
        },
    )


def test_a_config_with_other_key_names_is_refused_with_a_reason(
    page: Page, local_stack: StackProcess
) -> None:
    """Only topology.web_config's keys are read: the CDK stack's former `apiBaseUrl`/`authMode`
    spelling is not taken for a local sign-in."""
    config = {"apiBaseUrl": f"{local_stack.url}/", "authMode": "cognito", "userPoolClientId": "web-client-id"}
    page.route("**/config.json", lambda route: route.fulfill(json=config))
    page.goto(local_stack.url)

    expect(page.locator("#signin-error")).to_contain_text("could not read its configuration (config.json)")
    expect(page.locator("#signin-error")).to_contain_text('"auth"')
    expect(page.locator("#signin-submit")).to_be_disabled()


def test_cognito_mode_asks_for_the_totp_code_after_a_new_password(page: Page, local_stack: StackProcess) -> None:
    """A temporary password, then (the user turned on TOTP MFA) the authenticator's code; a spent
    session sends the user back to the e-mail and password."""
    email = "mfa-user@example.com"

    def answer(action: str, body: dict, token: str) -> tuple[int, dict]:
        if action == "InitiateAuth":
            return _challenge("NEW_PASSWORD_REQUIRED", "session-1")
        if body["ChallengeName"] == "NEW_PASSWORD_REQUIRED":
            return _challenge("SOFTWARE_TOKEN_MFA", "session-2")
        if body["ChallengeResponses"].get("SOFTWARE_TOKEN_MFA_CODE") == "000000":
            return _refused("Invalid session for the user, session is expired.")
        return _signed_in(token)

    calls = play_cognito(page, local_stack, "cognito-mfa", answer)
    page.goto(local_stack.url)

    # a spent MFA session: back to the e-mail and password, with Cognito's reason
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("Temporary-Passw0rd!")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("New password").fill("A-much-better-Passw0rd!")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_contain_text("session is expired. Sign in again.")
    expect(page.get_by_label("E-mail")).to_be_visible()

    # the whole way through
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("Temporary-Passw0rd!")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("New password").fill("A-much-better-Passw0rd!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Authentication code")).to_be_visible()
    page.get_by_label("Authentication code").fill("123456")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("#user-name")).to_have_text(email)
    assert calls[-1] == (
        "RespondToAuthChallenge",
        {
            "ChallengeName": "SOFTWARE_TOKEN_MFA",
            "ClientId": "web-client-id",
            "Session": "session-2",
            "ChallengeResponses": {"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": "123456"},
        },
    )
    assert calls[-2][1]["ChallengeResponses"] == {"USERNAME": email, "NEW_PASSWORD": "A-much-better-Passw0rd!"}
