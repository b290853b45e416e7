"""Renditions on the web page (issue 17), in Chromium against the local stack, on a screen with two
device pixels per CSS pixel: gallery cards, table icons and the details each load, through signed
token-free URLs in a <picture>'s srcset, the one rendition as wide as they show the picture, in AVIF or
WebP; an asset without renditions (audio, a link) shows no picture at all.

What a browser picks from a srcset: the narrowest candidate at least as wide as the device pixels it
needs (Chromium takes the one below when the need is nearer to it on a log scale: each case here
checks first that the need is above that middle, so the expected width is the same either way).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from functions.core import topology
from infra.local.harness import Client, StackProcess
from tests.e2e.browser.support import jpeg_bytes, settled_upload, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

SCALE = 2  # device pixels per CSS pixel
PHOTO = (2400, 1800)  # 4:3 like the gallery's boxes; wider than any width these places need
RENDITION = re.compile(
    r"/renditions/(?P<asset>[0-9a-f-]{36})/[0-9a-f]+/w?(?P<width>\d+)x?-[a-z]+-p\d+\.(?P<format>[a-z]+)\?"
)


@pytest.fixture
def context_options() -> dict:
    return {"device_scale_factor": SCALE}


def expected_width(css_width: float) -> int:
    """The allowed width a browser takes for a picture shown `css_width` CSS px wide on this screen."""
    needed = css_width * SCALE
    expected = min(side for side in topology.RENDITION_SIDES if side >= needed)
    narrower = [side for side in topology.RENDITION_SIDES if side < expected]
    if narrower:  # the layout keeps the need clear of Chromium's log-scale middle (see the docstring)
        assert needed > math.sqrt(narrower[-1] * expected), (css_width, expected)
    return expected


def loaded_rendition(img: Locator) -> dict:
    """What `img` shows once loaded: the rendition's width and format from its URL, and how many pixels
    wide the picture really is (naturalWidth is in CSS px: scaled by the srcset's density)."""
    shown = img.evaluate(
        """async (img) => {
             await img.decode();
             const bitmap = await createImageBitmap(await (await fetch(img.currentSrc)).blob());
             return {src: img.currentSrc, pixels: bitmap.width};
           }"""
    )
    match = RENDITION.search(shown["src"])
    assert match, f"not a signed rendition URL: {shown['src']}"
    return {"width": int(match["width"]), "format": match["format"], "pixels": shown["pixels"]}


def test_gallery_table_and_details_load_renditions_of_the_width_they_show(
    page: Page,
    local_stack: StackProcess,
    api: Client,
    user: str,
    media_files: dict[str, Path],
    shot: Callable,
) -> None:
    # given: a 4:3 photo, an audio file and a link
    photo = settled_upload(api, "photo.jpg", jpeg_bytes(*PHOTO))
    audio = settled_upload(api, "tone.mp3", media_files["tone.mp3"].read_bytes())
    link = api.api("POST", "/api/v2/assets", json={"name": "docs", "url": "https://example.org/docs"}).json()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url) if "/renditions/" in request.url else None)

    # when: the gallery shows them
    sign_in(page, f"{local_stack.url}/?view=gallery", user)
    card = page.locator(f'#results .asset-card[data-asset-id="{photo["id"]}"]')
    img = card.locator("picture img")
    expect(img).to_be_visible()

    # then: the card's picture is the rendition as wide as the card shows it, in AVIF or WebP
    box = card.locator(".thumb").bounding_box()
    shown = loaded_rendition(img)
    assert shown["width"] == shown["pixels"] == expected_width(box["width"])
    assert shown["format"] in ("avif", "webp")
    assert card.locator("picture source").get_attribute("type") == f"image/{shown['format']}"
    assert {RENDITION.search(url)["width"] for url in fetched} == {str(shown["width"])}  # that one only
    for other in (audio, link):
        other_card = page.locator(f'#results .asset-card[data-asset-id="{other["id"]}"]')
        expect(other_card).to_be_visible()
        expect(other_card.locator("picture, img")).to_have_count(0)
    shot(page, "renditions-gallery")

    # when: the table shows it as a 40-px icon
    page.get_by_role("button", name="Table").click()
    icon = page.locator(f'#results tr[data-asset-id="{photo["id"]}"] .thumb')
    expect(icon.locator("picture img")).to_be_visible()

    # then: the narrowest rendition does
    shown = loaded_rendition(icon.locator("picture img"))
    assert (
        shown["width"]
        == shown["pixels"]
        == expected_width(icon.bounding_box()["width"] * PHOTO[0] / PHOTO[1])
    )

    # when: its details are opened
    page.locator("#results").get_by_role("button", name="photo.jpg", exact=True).click()
    preview = page.locator("#details .preview")
    expect(preview.locator("picture img")).to_be_visible()

    # then: the drawer's width of it
    shown = loaded_rendition(preview.locator("picture img"))
    assert shown["width"] == shown["pixels"] == expected_width(preview.bounding_box()["width"])
    shot(page, "renditions-details")
