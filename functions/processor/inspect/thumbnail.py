"""The one way a thumbnail is made, whatever it came from (an image, a video frame, a PDF page)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable

from PIL import Image, ImageMath

from functions.processor.inspect.colour import MANAGED_MODES, SRGB_ICC, to_srgb
from functions.processor.inspect.model import Rejected
from functions.processor.inspect.worker import entering

THUMBNAIL_SIDE = 320  # longest side, in pixels
JPEG_QUALITY = 85
# Decoding a picture costs memory in proportion to its pixels (Pillow holds RGB and RGBA in 4 bytes a
# pixel: 100 MP is 400 MB, which with the process's ~70 MB still fits the 512 MB function): larger
# ones, images and video frames alike, are rejected before any decoding.
MAX_PIXELS = 100_000_000
_STRIP_PIXELS = 2_000_000  # per strip when a large picture is converted piecewise (8 MB in RGBA)
# Transparent areas are shown on a checkerboard, as image editors show them, of two mid greys: white
# art and black art both differ from either square by more than 3:1 (WCAG's minimum contrast for
# graphics), where a white backdrop hid white logos and a black one would hide black text. Squares
# of 8 pixels fill whole JPEG blocks, which stay flat and cost almost nothing to encode.
CHECKER_SQUARE = 8
CHECKER_GREYS = (102, 134)
_WIDE_GREY_MODES = ("I", "I;16", "I;16B", "I;16L")


def check_pixels(width: int, height: int, limit: int = MAX_PIXELS) -> None:
    if width * height > limit:
        raise Rejected(
            f"Too many pixels to process: {width}×{height} is over the {limit // 1_000_000} megapixel limit"
        )


def jpeg_thumbnail(image: Image.Image, transpose: Image.Transpose | None = None) -> bytes:
    """JPEG bytes of `image` shrunk to THUMBNAIL_SIDE, turned by `transpose`, its colours converted to
    sRGB from its embedded ICC profile, transparency shown on a checkerboard. Shrinks before it turns
    or converts, so the costly steps run on the small picture; `image` may be modified in place."""
    entering("thumbnail")
    icc_profile = image.info.get("icc_profile")  # shrinking makes a new picture, without it
    image = shrunk_in_strips(image, _thumbnail_size(*image.size)) or resamplable(image)
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    if transpose is not None:
        image = image.transpose(transpose)
    picture = to_srgb(opaque(image), icc_profile)
    if image.mode in ("RGBA", "LA"):
        picture = on_checkerboard(picture, image.getchannel("A"))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, icc_profile=SRGB_ICC)
    return out.getvalue()


def shrunk_in_strips(
    image: Image.Image,
    size: tuple[int, int],
    reducing_gap: float = 2.0,
    resample: Image.Resampling = Image.Resampling.BICUBIC,
) -> Image.Image | None:
    """A large picture in a mode that must be converted before it resizes smoothly (palette, alpha,
    16-bit…), shrunk to `size` the way Image.resize(reducing_gap=…) shrinks (reduce by a whole factor,
    then resampling of the exact area; Image.thumbnail's gap is 2) but converted and reduced strip by
    strip: converting it whole makes a second full-size picture (alpha is premultiplied into a copy, a
    palette grows to RGB), 400 MB more at 100 MP. None when strips are not needed: RGB, L and CMYK
    shrink in place (CMYK is converted to sRGB by its profile once small), and a picture that needs no
    reduction is small enough to convert whole. `image` is closed once reduced: its memory is free
    before the last resampling. Renditions (functions/renditions/render.py) shrink through this too."""
    if image.mode in MANAGED_MODES:
        return None
    width, height = image.size
    factor = (int(width / size[0] / reducing_gap) or 1, int(height / size[1] / reducing_gap) or 1)
    if factor == (1, 1):
        return None
    image.load()
    rows = max(1, _STRIP_PIXELS // width // factor[1]) * factor[1]
    reduced = None
    for top in range(0, height, rows):
        strip = resamplable(image.crop((0, top, width, min(height, top + rows)))).reduce(factor)
        if reduced is None:
            reduced = Image.new(strip.mode, (math.ceil(width / factor[0]), math.ceil(height / factor[1])))
        reduced.paste(strip, (0, top // factor[1]))
    image.close()
    # The reduced picture's last row and column may be partial.
    box = (0, 0, width / factor[0], height / factor[1])
    return reduced.resize(size, resample, box=box)


def _thumbnail_size(width: int, height: int) -> tuple[int, int]:
    """The size Image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE)) gives a width×height picture (its
    rounding, copied from Pillow)."""

    def round_aspect(number: float, key: Callable[[int], float]) -> int:
        return max(min(math.floor(number), math.ceil(number), key=key), 1)

    x = y = THUMBNAIL_SIDE
    aspect = width / height
    if x / y >= aspect:
        x = round_aspect(y * aspect, key=lambda n: abs(aspect - n / y))
    else:
        y = round_aspect(x / aspect, key=lambda n: 0 if n == 0 else abs(aspect - x / n))
    return x, y


def resamplable(image: Image.Image) -> Image.Image:
    """A mode Pillow resizes smoothly and its ICC profile still describes: palette and bitonal
    pictures only resize by nearest neighbour, and 16-bit grey would clip to white when converted
    directly. Alpha is kept (Pillow resizes it premultiplied), and CMYK stays CMYK for its profile."""
    if image.mode in _WIDE_GREY_MODES:
        return _wide_grey(image)
    grey = image.mode in ("1", "L", "LA")
    if image.has_transparency_data:
        wanted = "LA" if grey else "RGBA"
    else:
        wanted = "L" if grey else image.mode if image.mode in MANAGED_MODES else "RGB"
    return image if image.mode == wanted else image.convert(wanted)


def _wide_grey(image: Image.Image) -> Image.Image:
    """16-bit (or 32-bit) grey scaled to 8 bits, its PNG tRNS grey value made transparent: Pillow
    converts such grey to L or LA by clipping (every value over 255 white), and compares the tRNS
    value with the clipped one, so a transparent value over 255 would match nothing."""
    wide = image.convert("I")
    grey = wide.point(lambda value: value / 256).convert("L")  # point() keeps mode I, values now 0-255
    transparent = image.info.get("transparency")
    if isinstance(transparent, int):
        alpha = ImageMath.lambda_eval(lambda pixels: (pixels["wide"] != transparent) * 255, wide=wide)
        grey.putalpha(alpha.convert("L"))
    return grey


def opaque(image: Image.Image) -> Image.Image:
    """The colour channels alone: converting RGBA to RGB, or LA to L, drops the alpha channel."""
    return image.convert(image.mode[:-1]) if image.mode in ("RGBA", "LA") else image


def on_checkerboard(picture: Image.Image, alpha: Image.Image) -> Image.Image:
    columns, rows = (math.ceil(side / CHECKER_SQUARE) for side in picture.size)
    squares = Image.new("L", (columns, rows))
    squares.putdata([CHECKER_GREYS[(x + y) % 2] for y in range(rows) for x in range(columns)])
    board = squares.resize((columns * CHECKER_SQUARE, rows * CHECKER_SQUARE), Image.Resampling.NEAREST)
    board = board.crop((0, 0, *picture.size)).convert("RGB")
    board.paste(picture, mask=alpha)
    return board
