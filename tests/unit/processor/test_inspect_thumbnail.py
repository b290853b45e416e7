"""The shared thumbnail maker: any Pillow mode in, a 320-pixel RGB JPEG out."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from functions.processor.inspect.thumbnail import jpeg_thumbnail

WHITE = (255, 255, 255)


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
def test_transparency_is_flattened_on_white(mode: str) -> None:
    # given
    image = transparent_on_the_left(mode)

    # when
    thumbnail = decoded(jpeg_thumbnail(image))

    # then
    assert thumbnail.size == (320, 240)
    assert thumbnail.getpixel((40, 120)) == pytest.approx(WHITE, abs=3)
    assert max(thumbnail.getpixel((280, 120))) < 40


def test_palette_transparency_is_flattened_on_white() -> None:
    # given: a palette picture whose index 0 is transparent (as in GIF and PNG tRNS)
    image = Image.new("P", (640, 480), 1)
    image.putpalette([0, 255, 0] + [20, 20, 20] * 255)
    image.paste(0, (0, 0, 320, 480))
    image.info["transparency"] = 0

    # when
    thumbnail = decoded(jpeg_thumbnail(image))

    # then
    assert thumbnail.getpixel((40, 120)) == pytest.approx(WHITE, abs=3)
    assert max(thumbnail.getpixel((280, 120))) < 40


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
