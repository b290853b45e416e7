"""Content identity on the web page (issue 16), in Chromium against the local stack: files dropped
again are skipped as duplicates naming the asset the user already has (never another user's), the
ThumbHash placeholder is painted at the asset's aspect until its picture arrives, and the details
show what processing did, step by step.

Every wait is bounded by Playwright's expect timeout; nothing asserts how long anything took.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from infra.local.harness import Client, StackProcess
from tests.e2e.browser.support import PROCESSED_MS, drop_files, jpeg_bytes, settled_upload, upload_row

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

WIDE = (1200, 600)  # not the gallery card's 4:3, so the placeholder's own aspect shows


def asset_names(client: Client) -> list[str]:
    answer = client.api("GET", "/api/v2/assets", headers={"Accept": "application/json"})
    answer.raise_for_status()
    return sorted(asset["name"] for asset in answer.json())


# ---- duplicates ----


def test_a_file_dropped_again_is_skipped_naming_the_asset_and_can_be_uploaded_anyway(
    signed_in: Page, api: Client, shot: Callable
) -> None:
    # given: a photo the user uploaded from the page
    page = signed_in
    photo = ("beach.jpg", "image/jpeg", jpeg_bytes(800, 600))
    drop_files(page, [photo])
    first = upload_row(page, "beach.jpg")
    expect(first).to_have_attribute("data-state", "ready", timeout=PROCESSED_MS)
    existing_id = first.get_attribute("data-asset-id")
    assert api.record(existing_id).json()["sha256"] == hashlib.sha256(photo[2]).hexdigest()
    page.get_by_role("button", name="Clear finished").click()

    # when: the same bytes are dropped again, under another name, with a new file
    drop_files(
        page, [("beach copy.jpg", "image/jpeg", photo[2]), ("new.jpg", "image/jpeg", jpeg_bytes(640, 480))]
    )

    # then: the copy is skipped, naming the asset it duplicates; the new file uploads
    skipped = upload_row(page, "beach copy.jpg")
    expect(skipped).to_have_attribute("data-state", "duplicate")
    expect(skipped).to_have_attribute("data-duplicate-of", existing_id)
    expect(skipped.locator(".upload-status")).to_have_text("Skipped: already uploaded")
    expect(skipped.locator(".duplicate-of")).to_have_text("beach.jpg")
    expect(upload_row(page, "new.jpg")).to_have_attribute("data-state", "ready", timeout=PROCESSED_MS)
    assert skipped.get_attribute("data-asset-id") is None
    assert asset_names(api) == ["beach.jpg", "new.jpg"]
    shot(page, "upload-duplicate-skipped")

    # the existing asset's name opens it
    skipped.locator(".duplicate-of").click()
    expect(page.locator("#details-title")).to_have_text("beach.jpg")
    expect(page.locator("#details")).to_contain_text(existing_id)
    page.locator("#details [data-close]").first.click()

    # when: the user uploads it anyway, it is uploaded as a new asset
    skipped.get_by_role("button", name="Upload beach copy.jpg anyway").click()
    expect(skipped).to_have_attribute("data-state", "ready", timeout=PROCESSED_MS)
    copy_id = skipped.get_attribute("data-asset-id")
    assert copy_id and copy_id != existing_id
    assert api.record(copy_id).json()["sha256"] == hashlib.sha256(photo[2]).hexdigest()
    assert asset_names(api) == ["beach copy.jpg", "beach.jpg", "new.jpg"]


def test_another_users_identical_file_is_not_a_duplicate(
    signed_in: Page, api: Client, local_stack: StackProcess
) -> None:
    # given: another user has these exact bytes
    data = jpeg_bytes(640, 480)
    other = Client(local_stack.url, f"web-other-{uuid.uuid4().hex[:8]}")
    assert settled_upload(other, "theirs.jpg", data)["status"] == "ready"

    # when: this user drops the same bytes
    drop_files(signed_in, [("mine.jpg", "image/jpeg", data)])

    # then: uploaded like any new file, nothing said about the other user's asset
    item = upload_row(signed_in, "mine.jpg")
    expect(item).to_have_attribute("data-state", "ready", timeout=PROCESSED_MS)
    assert item.get_attribute("data-duplicate-of") is None
    expect(item.locator(".upload-duplicate")).to_be_hidden()
    assert asset_names(api) == ["mine.jpg"]


def test_a_file_the_check_refuses_costs_the_others_their_duplicate_check(
    signed_in: Page, api: Client
) -> None:
    # given: a photo the user has, and a drop of its copy beside a file whose name the API does not take
    data = jpeg_bytes(640, 480)
    existing = settled_upload(api, "harbour.jpg", data)
    signed_in.reload()

    # when
    drop_files(
        signed_in,
        [("harbour copy.jpg", "image/jpeg", data), ("bell\x07.jpg", "image/jpeg", jpeg_bytes(320, 240))],
    )

    # then: the copy is still skipped as the existing asset; the other file fails on its own
    skipped = upload_row(signed_in, "harbour copy.jpg")
    expect(skipped).to_have_attribute("data-state", "duplicate", timeout=PROCESSED_MS)
    expect(skipped).to_have_attribute("data-duplicate-of", existing["id"])
    expect(upload_row(signed_in, "bell\x07.jpg")).to_have_attribute(
        "data-state", "error", timeout=PROCESSED_MS
    )
    assert asset_names(api) == ["harbour.jpg"]


# ---- placeholders ----


def test_the_placeholder_is_painted_at_the_assets_aspect_until_the_picture_arrives(
    signed_in: Page, api: Client, local_stack: StackProcess, shot: Callable
) -> None:
    # given: a wide photo with its ThumbHash, and every picture request of the page held back
    asset = settled_upload(api, "wide.jpg", jpeg_bytes(*WIDE))
    assert asset["placeholder"], asset
    assert (asset["width"], asset["height"]) == WIDE
    page = signed_in
    held: list[Route] = []
    gate = {"open": False}

    def hold(route: Route) -> None:
        if gate["open"]:
            route.continue_()
        else:
            held.append(route)

    # the thumbnail, the rendition links (both name the asset) and the renditions
    page.route(lambda url: asset["id"] in url or "/renditions/" in url, hold)

    # when: the gallery shows it
    page.goto(f"{local_stack.url}/?view=gallery")  # the session stays in the tab
    card = page.locator(f'#results .asset-card[data-asset-id="{asset["id"]}"]')
    placeholder = card.locator("canvas.placeholder")

    # then: the placeholder is painted (not blank), at the photo's 2:1, before the picture has come
    expect(placeholder).to_be_visible()
    width, height, painted = placeholder.evaluate(
        """(canvas) => {
             const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
             let opaque = 0;
             for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) opaque += 1;
             return [canvas.width, canvas.height, opaque / (canvas.width * canvas.height)];
           }"""
    )
    assert width / height == pytest.approx(WIDE[0] / WIDE[1], rel=0.05)
    assert painted == 1.0
    assert card.locator("img").evaluate("img => !(img.complete && img.naturalWidth > 0)")
    shot(page, "placeholder-before-picture")

    # when: the pictures are let through
    gate["open"] = True
    for route in held:
        route.continue_()

    # then: the picture replaces the placeholder
    expect(placeholder).to_have_count(0)
    expect(card.locator(".thumb")).to_have_class(re.compile(r"\bhas-image\b"))
    assert card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")


# ---- the processing record ----


def test_the_details_show_the_processing_steps_of_a_ready_and_a_rejected_upload(
    signed_in: Page, api: Client, media_files: dict[str, Path], shot: Callable
) -> None:
    # given: a photo that was processed, and text named .png that was rejected
    page = signed_in
    drop_files(
        page,
        [
            ("photo.jpg", "image/jpeg", jpeg_bytes(640, 480)),
            ("notes.png", "image/png", media_files["notes.png"].read_bytes()),
        ],
    )
    expect(upload_row(page, "photo.jpg")).to_have_attribute("data-state", "ready", timeout=PROCESSED_MS)
    expect(upload_row(page, "notes.png")).to_have_attribute("data-state", "rejected", timeout=PROCESSED_MS)

    # when: the photo's details are opened
    page.locator("#results").get_by_role("button", name="photo.jpg", exact=True).click()
    section = page.locator("#details .processing")

    # then: one attempt, ready, with its steps, how long each took and what it read
    attempt = section.locator(".attempt")
    expect(attempt).to_have_count(1)
    expect(attempt).to_have_attribute("data-outcome", "ready")
    steps = attempt.locator("tbody tr")
    expect(steps.first).to_be_visible()
    names = steps.evaluate_all("rows => rows.map(row => row.dataset.step)")
    assert {"sniff", "inspect", "thumbnail", "hash", "settle"} <= set(names), names
    assert set(steps.evaluate_all("rows => rows.map(row => row.dataset.outcome)")) == {"ok"}
    expect(attempt.locator(".correlation-id")).not_to_have_text("—")
    expect(section.locator("p").first).to_contain_text("Ready in")
    section.scroll_into_view_if_needed()
    shot(page, "processing-ready", full_page=False)
    page.locator("#details [data-close]").first.click()

    # when: the rejected file's details are opened
    page.locator("#results").get_by_role("button", name="notes.png", exact=True).click()

    # then: the attempt says it was rejected, and why
    attempt = section.locator(".attempt")
    expect(attempt).to_have_attribute("data-outcome", "rejected")
    expect(attempt.locator(".attempt-error")).to_contain_text("Invalid file type")
    section.scroll_into_view_if_needed()
    shot(page, "processing-rejected", full_page=False)
