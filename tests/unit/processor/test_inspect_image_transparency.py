"""A logo on a transparent background stays visible in its thumbnail, whether the art is white or
black: the contrast between art and backdrop is measured on the JPEG thumbnail."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageStat

from functions.core.media import AssetType
from functions.processor.inspect import examine

WHITE, BLACK = (255, 255, 255), (0, 0, 0)
# WCAG 2's minimum contrast for graphics (success criterion 1.4.11, non-text contrast).
MIN_CONTRAST = 3.0


def logo(color: tuple[int, int, int], fmt: str) -> bytes:
    """A 400×300 transparent picture with a solid disc of `color` in the middle."""
    out = io.BytesIO()
    if fmt == "GIF":  # a palette whose entry 0 is transparent, as GIF logos are
        image = Image.new("P", (400, 300), 0)
        image.putpalette([128, 128, 128, *color])
        ImageDraw.Draw(image).ellipse((100, 50, 300, 250), fill=1)
        image.save(out, fmt, transparency=0)
        return out.getvalue()
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((100, 50, 300, 250), fill=(*color, 255))
    image.save(out, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    return out.getvalue()


def relative_luminance(color: tuple[float, ...]) -> float:
    def linear(value: float) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(value) for value in color[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mean(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[float, ...]:
    return tuple(ImageStat.Stat(image.crop(box)).mean)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "GIF"])
@pytest.mark.parametrize("art", [WHITE, BLACK], ids=["white", "black"])
def test_logo_on_a_transparent_background_stands_out_from_the_backdrop(
    art: tuple[int, int, int], fmt: str
) -> None:
    # given
    data = logo(art, fmt)

    # when
    _, inspection = examine(data, AssetType.IMAGE, fmt.lower().replace("jpeg", "jpg"))

    # then: the disc keeps its colour, and differs enough from every backdrop square around it
    assert inspection.thumbnail is not None
    thumbnail = Image.open(io.BytesIO(inspection.thumbnail)).convert("RGB")
    assert thumbnail.size == (320, 240)
    disc = mean(thumbnail, (140, 100, 180, 140))
    assert disc == pytest.approx(art, abs=4)
    backdrop = [thumbnail.getpixel((x, y)) for x in range(4, 64, 8) for y in range(4, 64, 8)]
    assert len(set(backdrop)) >= 2  # squares, not one flat colour
    assert min(contrast(disc, square) for square in backdrop) >= MIN_CONTRAST
