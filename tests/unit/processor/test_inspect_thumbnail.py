"""The shared thumbnail maker: any Pillow mode in, a 320-pixel RGB JPEG out."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from functions.core.media import AssetType
from functions.processor.inspect import examine
from functions.processor.inspect.colour import SRGB_ICC
from functions.processor.inspect.thumbnail import CHECKER_GREYS, CHECKER_SQUARE, jpeg_thumbnail

WHITE = (255, 255, 255)


def is_checkerboard(thumbnail: Image.Image, box: tuple[int, int, int, int]) -> bool:
    """Every square centre in `box` is one of the two greys, alternating."""
    left, top, right, bottom = box
    for y in range(top + CHECKER_SQUARE // 2, bottom, CHECKER_SQUARE):
        for x in range(left + CHECKER_SQUARE // 2, right, CHECKER_SQUARE):
            grey = CHECKER_GREYS[(x // CHECKER_SQUARE + y // CHECKER_SQUARE) % 2]
            if thumbnail.getpixel((x, y)) != pytest.approx((grey, grey, grey), abs=3):
                return False
    return True


def decoded(thumbnail: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(thumbnail))
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    return image


def transparent_on_the_left(mode: str) -> Image.Image:
    """640×480, left half fully transparent, right half dark."""
    image = Image.new("RGBA", (640, 480), (20, 20, 20, 255))
    image.paste((0, 0, 0, 0), (0, 0, 320, 480))
    if mode == "P":
        return image.convert("P", palette=Image.Palette.ADAPTIVE, colors=2).convert("P")
    return image.convert(mode)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "PA"])
def test_transparency_is_shown_on_a_checkerboard(mode: str) -> None:
    # given
    image = transparent_on_the_left(mode)

    # when
    thumbnail = decoded(jpeg_thumbnail(image))

    # then
    assert thumbnail.size == (320, 240)
    assert is_checkerboard(thumbnail, (0, 0, 152, 240))
    assert max(thumbnail.getpixel((280, 120))) < 40


def test_palette_transparency_is_shown_on_a_checkerboard() -> None:
    # given: a palette picture whose index 0 is transparent (as in GIF and PNG tRNS)
    image = Image.new("P", (640, 480), 1)
    image.putpalette([0, 255, 0] + [20, 20, 20] * 255)
    image.paste(0, (0, 0, 320, 480))
    image.info["transparency"] = 0

    # when
    thumbnail = decoded(jpeg_thumbnail(image))

    # then
    assert is_checkerboard(thumbnail, (0, 0, 152, 240))
    assert max(thumbnail.getpixel((280, 120))) < 40


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_thumbnails_are_tagged_as_srgb(mode: str) -> None:
    # given: a picture without a profile, opaque or with transparency
    image = Image.new(mode, (64, 64))

    # when
    thumbnail = decoded(jpeg_thumbnail(image))

    # then: viewers that colour-manage only tagged images show it in sRGB too
    assert thumbnail.info["icc_profile"] == SRGB_ICC


@pytest.mark.parametrize(
    ("mode", "color", "expected"),
    [
        ("CMYK", (0, 255, 255, 0), (255, 0, 0)),
        ("L", 128, (128, 128, 128)),
        ("1", 1, WHITE),
        ("I;16", 32_768, (128, 128, 128)),  # 16-bit grey scaled to 8 bits, not clipped to white
        ("YCbCr", (76, 85, 255), (254, 0, 0)),
    ],
)
def test_other_modes_come_out_as_rgb(mode: str, color: object, expected: tuple[int, int, int]) -> None:
    # given
    image = Image.new(mode, (1000, 500), color)

    # when
    thumbnail = decoded(jpeg_thumbnail(image))

    # then
    assert thumbnail.size == (320, 160)
    assert thumbnail.getpixel((160, 80)) == pytest.approx(expected, abs=4)


def test_small_pictures_are_not_enlarged() -> None:
    # given
    image = Image.new("RGB", (100, 50), (10, 200, 10))

    # when
    thumbnail = decoded(jpeg_thumbnail(image))

    # then
    assert thumbnail.size == (100, 50)


def test_transpose_turns_the_picture_after_shrinking() -> None:
    # given: 640×480, the top-left quadrant bright
    image = Image.new("RGB", (640, 480), (0, 0, 0))
    image.paste((255, 255, 255), (0, 0, 320, 240))

    # when: a quarter turn clockwise
    thumbnail = decoded(jpeg_thumbnail(image, Image.Transpose.ROTATE_270))

    # then: portrait, the bright quadrant now top-right
    assert thumbnail.size == (240, 320)
    assert min(thumbnail.getpixel((180, 80))) > 200
    assert max(thumbnail.getpixel((60, 80))) < 50


def grey16_png(width: int, height: int, transparent: int, opaque: int) -> bytes:
    """A 16-bit greyscale PNG whose tRNS chunk makes the grey value `transparent` transparent: its
    left half is that value, its right half `opaque` (like Pillow's i_trns.png test image)."""
    row = struct.pack("<H", transparent) * (width // 2) + struct.pack("<H", opaque) * (width - width // 2)
    image = Image.frombytes("I;16", (width, height), row * height)
    out = io.BytesIO()
    image.save(out, "PNG", transparency=transparent)
    return out.getvalue()


@pytest.mark.parametrize("transparent", [255, 40_000])  # i_trns.png's value, and one over 8 bits
@pytest.mark.parametrize("width", [640, 1600])  # converted whole, and in strips (shrunk by 2 first)
def test_a_16_bit_grey_png_with_a_transparent_grey_value_shows_it_on_the_checkerboard(
    transparent: int, width: int
) -> None:
    # given: the left half the tRNS grey value, the right half 50,000 of 65,535 (195 of 255)
    png = grey16_png(width, width * 3 // 4, transparent, opaque=50_000)

    # when
    thumbnail = decoded(examine(png, AssetType.IMAGE, "png")[1].thumbnail)

    # then: the left half transparent, the right half its grey scaled to 8 bits, not clipped to white
    assert thumbnail.size == (320, 240)
    assert is_checkerboard(thumbnail, (0, 0, 152, 240))
    assert thumbnail.getpixel((280, 120)) == pytest.approx((195, 195, 195), abs=3)
