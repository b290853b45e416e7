"""16-bit PNGs (grey, grey with alpha, RGB, RGBA) thumbnail in their own colours: not black, not
clipped to white. The PNGs are written byte by byte (Pillow saves 16-bit grey only), each a
gradient, and the thumbnail's mean colour is held to the source's."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageStat

from functions.core.media import AssetType
from functions.processor.inspect import examine

SMALL, LARGE = 640, 2400  # widths; a large picture with alpha or 16 bits is shrunk strip by strip
# PNG colour types, by the samples of one pixel.
GREY, RGB, GREY_ALPHA, RGBA = 0, 2, 4, 6


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def samples(x: int, width: int, colour_type: int) -> tuple[int, ...]:
    """A pixel of a left-to-right gradient over the whole 16-bit range, opaque where there is alpha."""
    level = x * 65535 // (width - 1)
    colour = {
        GREY: (level,),
        GREY_ALPHA: (level,),
        RGB: (level, 65535 - level, 40_000),
        RGBA: (level, 65535 - level, 40_000),
    }
    return colour[colour_type] + ((65535,) if colour_type in (GREY_ALPHA, RGBA) else ())


def png16(width: int, colour_type: int) -> bytes:
    """A width×(¾ width) PNG, the same gradient on every row."""
    pixels = (samples(x, width, colour_type) for x in range(width))
    row = b"\x00" + b"".join(struct.pack(f">{len(pixel)}H", *pixel) for pixel in pixels)
    header = struct.pack(">IIBBBBB", width, width * 3 // 4, 16, colour_type, 0, 0, 0)
    idat = zlib.compress(row * (width * 3 // 4), 1)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def source_mean(width: int, colour_type: int) -> tuple[float, float, float]:
    """The source's mean colour in 8 bits, straight from the samples written."""
    pixels = [samples(x, width, colour_type) for x in range(width)]
    channels = 1 if colour_type in (GREY, GREY_ALPHA) else 3
    means = [sum(pixel[c] for pixel in pixels) / width / 257 for c in range(channels)]
    return (means[0],) * 3 if channels == 1 else (means[0], means[1], means[2])


@pytest.mark.parametrize("width", [SMALL, LARGE])
@pytest.mark.parametrize(
    "colour_type", [GREY, GREY_ALPHA, RGB, RGBA], ids=["grey", "grey-alpha", "rgb", "rgba"]
)
def test_16_bit_png_thumbnail_has_the_source_colours(colour_type: int, width: int) -> None:
    # given
    data = png16(width, colour_type)

    # when
    _, inspection = examine(data, AssetType.IMAGE, "png")

    # then
    assert (inspection.width, inspection.height) == (width, width * 3 // 4)
    assert inspection.thumbnail is not None
    thumbnail = Image.open(io.BytesIO(inspection.thumbnail)).convert("RGB")
    assert thumbnail.size == (320, 240)
    assert tuple(ImageStat.Stat(thumbnail).mean) == pytest.approx(source_mean(width, colour_type), abs=3)
    # and the gradient is kept: dark on the left, light on the right, in the first channel
    assert thumbnail.getpixel((4, 120))[0] < 16
    assert thumbnail.getpixel((315, 120))[0] > 240
