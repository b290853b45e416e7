"""Rendering (functions/renditions/render.py) on generated pictures, video and PDF, in this process and
through the budgeted inspection worker: sizes, orientation, colours in sRGB, transparency, padding,
no metadata, and the processor's own limits."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms

from functions.core import topology
from functions.processor.inspect import Broken, TooCostly, run_within_budget
from functions.processor.inspect.colour import SRGB_ICC
from functions.processor.inspect.thumbnail import CHECKER_GREYS
from functions.renditions import RenditionSpec
from functions.renditions.render import render
from functions.renditions.rendering import RENDER_TASK
from tests.media import generate
from tests.unit.processor.icc_profiles import display_p3
from tests.unit.processor.test_inspect_image_colour import p3_in_srgb

PILLOW_NAMES = {"webp": "WEBP", "avif": "AVIF", "jpeg": "JPEG", "png": "PNG"}


def spec(w=None, h=None, fit=None, format="png", page=None) -> RenditionSpec:
    return RenditionSpec.parse(w, h, fit, format, page, None)


def rendered(data: bytes, rendition: RenditionSpec, asset_type: str = "image", source_format: str = "jpg"):
    body, width, height = render(io.BytesIO(data), asset_type, source_format, rendition)
    picture = Image.open(io.BytesIO(body))
    picture.load()
    assert picture.size == (width, height)
    assert picture.format == PILLOW_NAMES[rendition.format]
    return picture, body


def close(colour, expected, tolerance: int = 6) -> bool:
    return all(abs(got - wanted) <= tolerance for got, wanted in zip(colour[:3], expected, strict=True))


@pytest.mark.parametrize("format", ["webp", "avif", "jpeg", "png"])
@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_every_format_at_the_displayed_orientation(format, orientation):
    # given: stored 800×400, yellow top-left quadrant
    data = generate.jpeg(800, 400, orientation=orientation)

    # when
    picture, _ = rendered(data, spec(w="320", format=format))

    # then: quarter turns swap the sides; the yellow quadrant lands where a browser shows it
    width, height = (320, 160) if orientation in (1, 3) else (320, 640)
    assert picture.size == (width, height)
    yellow_at = {1: (0, 0), 3: (1, 1), 6: (1, 0), 8: (0, 1)}[orientation]
    probe = (width // 4 + yellow_at[0] * width // 2, height // 4 + yellow_at[1] * height // 2)
    assert close(picture.convert("RGB").getpixel(probe), generate.YELLOW, tolerance=40)


def test_colours_are_converted_to_srgb_and_tagged_as_such():
    # given: a Display P3 photo of one saturated colour
    colour = (200, 60, 40)
    data = generate.encode(Image.new("RGB", (1000, 800), colour), "PNG", icc_profile=display_p3())

    # when
    picture, _ = rendered(data, spec(w="160"), source_format="png")

    # then
    assert close(picture.getpixel((80, 60)), p3_in_srgb(colour), tolerance=2)
    assert picture.info["icc_profile"] == SRGB_ICC
    assert ImageCms.getProfileDescription(
        ImageCms.ImageCmsProfile(io.BytesIO(picture.info["icc_profile"]))
    ).strip()


@pytest.mark.parametrize("format", ["webp", "avif", "png"])
def test_transparency_is_kept_where_the_format_has_an_alpha_channel(format):
    # given: left half fully transparent
    data = generate.png_rgba(800, 600)

    # when
    picture, _ = rendered(data, spec(w="320", format=format), source_format="png")

    # then
    rgba = picture.convert("RGBA")
    assert rgba.getpixel((40, 120))[3] == 0 and rgba.getpixel((280, 200))[3] == 255


def test_jpeg_shows_transparency_on_the_thumbnails_checkerboard():
    # when
    picture, _ = rendered(generate.png_rgba(800, 600), spec(w="320", format="jpeg"), source_format="png")

    # then
    greys = {round(sum(picture.getpixel((x, 100))) / 3) for x in range(0, 120, 8)}
    assert all(any(abs(grey - checker) <= 4 for checker in CHECKER_GREYS) for grey in greys)


def test_nothing_of_the_sources_metadata_is_written():
    # given: EXIF (with a GPS-like comment), XMP and a JPEG comment
    exif = Image.Exif()
    exif[0x010E] = "secret description"
    data = generate.encode(
        generate.picture(640, 480),
        "JPEG",
        exif=exif,
        comment=b"secret comment",
        xmp=b"<x:xmpmeta>secret</x:xmpmeta>",
    )

    # when
    outputs = [rendered(data, spec(w="320", format=format))[1] for format in ("webp", "avif", "jpeg", "png")]

    # then
    assert all(b"secret" not in body for body in outputs)


def test_contain_pads_jpeg_white_and_the_rest_transparent():
    # given
    data = generate.jpeg(800, 400)

    # when
    as_jpeg, _ = rendered(data, spec(w="320", h="320", fit="contain", format="jpeg"))
    as_webp, _ = rendered(data, spec(w="320", h="320", fit="contain", format="webp"))

    # then: a 320×160 picture between two 80-px bands
    assert close(as_jpeg.getpixel((160, 20)), (255, 255, 255)) and as_jpeg.size == (320, 320)
    assert as_webp.convert("RGBA").getpixel((160, 20))[3] == 0
    assert close(as_webp.convert("RGB").getpixel((10, 100)), generate.YELLOW, tolerance=40)


@pytest.mark.parametrize(
    ("data", "source_format"),
    [
        (generate.animated("GIF", 640, 480), "gif"),  # palette, first frame
        (generate.encode(generate.picture(640, 480, mode="I;16"), "PNG"), "png"),  # 16-bit grey
        (generate.encode(generate.picture(640, 480, mode="CMYK"), "JPEG"), "jpg"),
        (generate.animated("WEBP", 640, 480), "webp"),
    ],
)
def test_other_modes_render(data, source_format):
    # when
    picture, _ = rendered(data, spec(w="320", format="webp"), source_format=source_format)

    # then
    assert picture.size == (320, 240)


def test_a_jpeg_cut_short_by_a_sliver_renders_as_the_processor_showed_it():
    # given: the last few hundred bytes missing (the processor accepts it: grey bottom rows)
    whole = generate.jpeg(640, 480)

    # when
    picture, _ = rendered(whole[:-300], spec(w="320", format="png"))

    # then
    assert picture.size == (320, 240)


def test_through_the_budgeted_worker_and_refused_over_its_memory():
    # given
    data = generate.jpeg(3000, 2000)
    tight = topology.InspectionBudget(cpu_seconds=8, memory_mb=1, wall_seconds=15)
    image_budget = topology.INSPECTION_BUDGETS["image"]

    # when
    body, width, height = run_within_budget(
        data, RENDER_TASK, ("image", "jpg", spec(w="640", format="avif")), budget=image_budget
    )

    # then
    assert (width, height) == (640, 427) and Image.open(io.BytesIO(body)).format == "AVIF"
    with pytest.raises(TooCostly):
        run_within_budget(data, RENDER_TASK, ("image", "jpg", spec(w="2560", format="png")), budget=tight)


def test_a_phone_videos_poster_is_turned_upright():
    # given: stored 320×240 landscape, shown portrait (a quarter turn in its display matrix)
    data = generate.video(320, 240, seconds=2.0, rotation=-90)

    # when
    picture, _ = rendered(data, spec(w="160"), asset_type="video", source_format="mp4")

    # then
    assert picture.size == (160, 213)


def test_a_pdf_page_is_drawn_at_the_size_asked():
    # given: US Letter, 612×792 points
    data = generate.pdf(pages=2)

    # when
    picture, _ = rendered(data, spec(h="1920", page="2"), asset_type="document", source_format="pdf")

    # then
    assert picture.size == (1484, 1920)


@pytest.mark.parametrize("width", ["160", "2560"])
def test_a_100_megapixel_transparent_png_the_processor_thumbnails_renders_within_the_budget(width):
    # given: 10000×10000 RGBA, 400 MB decoded: its rendition must shrink in strips as its thumbnail
    # did, never holding a second full-size (premultiplied) copy
    data = generate.encode(Image.new("RGBA", (10_000, 10_000), (10, 200, 30, 128)), "PNG")
    image_budget = topology.INSPECTION_BUDGETS["image"]

    # when
    body, made_width, made_height = run_within_budget(
        data, RENDER_TASK, ("image", "png", spec(w=width, format="png")), budget=image_budget
    )

    # then
    picture = Image.open(io.BytesIO(body))
    assert (made_width, made_height) == picture.size == (int(width), int(width))
    assert (
        close(picture.getpixel((80, 80)), (10, 200, 30), tolerance=2) and picture.getpixel((80, 80))[3] == 128
    )


def test_a_page_the_pdf_cannot_load_is_broken_not_an_error():
    # given: the page tree says 3 pages, holds 2
    data = generate.pdf(pages=2).replace(b"/Count 2", b"/Count 3")

    # when / then
    with pytest.raises(Broken, match="page 3 of this PDF cannot be loaded"):
        render(io.BytesIO(data), "document", "pdf", spec(w="320", page="3"))
