"""ThumbHash placeholders: a thumbnail in about 25 bytes (its colours and their layout at a few cells a
side, and its aspect), which the page paints while the thumbnail loads.

The encoder is a port of the reference one (Evan Wallace's ThumbHash, MIT licence, rgbaToThumbHash in
thumbhash.js: https://github.com/evanw/thumbhash), for opaque pictures: thumbnails are JPEGs, where
transparency is already shown on a checkerboard. The page decodes it with the reference package
(web/vendor/thumbhash/). It rounds as JavaScript's Math.round does, so the bytes are the reference's.

It reads only the small thumbnail, shrunk to at most PLACEHOLDER_SIDE pixels a side: the hash keeps
7 cells along the longer side at most, which 32 pixels resolve as well as 100 (ThumbHash's limit),
at a tenth of the cost in pure Python (a few milliseconds).
"""

from __future__ import annotations

import base64
import io
import math

from PIL import Image

PLACEHOLDER_SIDE = 32
_MOST_CELLS = 7  # along the longer side, for the lightness of an opaque picture


def placeholder_of_jpeg(jpeg: bytes) -> str:
    """The ThumbHash of a JPEG thumbnail, as standard base64."""
    with Image.open(io.BytesIO(jpeg)) as thumbnail:
        thumbnail.draft("RGB", (PLACEHOLDER_SIDE, PLACEHOLDER_SIDE))  # JPEG decodes straight at 1/2 to 1/8
        picture = thumbnail.convert("RGB")
    picture.thumbnail((PLACEHOLDER_SIDE, PLACEHOLDER_SIDE))
    return base64.b64encode(thumb_hash(picture)).decode("ascii")


def thumb_hash(picture: Image.Image) -> bytes:
    """ThumbHash of an opaque RGB picture of at most 100×100 pixels."""
    width, height = picture.size
    if width > 100 or height > 100:
        raise ValueError(f"{width}×{height} does not fit in 100×100")
    data = picture.tobytes()
    unit = 1 / 255  # multiplied, as the reference does: the same floats, so the same bytes at rounding ties
    pixels = [(unit * data[i], unit * data[i + 1], unit * data[i + 2]) for i in range(0, len(data), 3)]
    # Lightness and two opponent colours (yellow-blue, red-green), each summed into cosine terms.
    lightness = [(r + g + b) / 3 for r, g, b in pixels]
    yellow_blue = [(r + g) / 2 - b for r, g, b in pixels]
    red_green = [r - g for r, g, b in pixels]
    longer = max(width, height)
    cells_x = max(1, _round(_MOST_CELLS * width / longer))
    cells_y = max(1, _round(_MOST_CELLS * height / longer))

    def cosine_terms(channel: list[float], nx: int, ny: int) -> tuple[float, list[float], float]:
        """The channel's mean, its other terms scaled into 0..1, and that scale."""
        dc, ac = 0.0, []
        for cy in range(ny):
            row = [math.cos(math.pi / height * cy * (y + 0.5)) for y in range(height)]
            cx = 0
            while cx * ny < nx * (ny - cy):  # a triangle of terms: the low frequencies only
                column = [math.cos(math.pi / width * cx * (x + 0.5)) for x in range(width)]
                # Added one by one, as the reference does: sum() compensates its rounding since Python 3.12,
                # which moves a term across a rounding tie, so the bytes would depend on the Python.
                total = 0.0
                for y in range(height):
                    for x in range(width):
                        total += channel[x + y * width] * column[x] * row[y]
                term = total / (width * height)
                if cx or cy:
                    ac.append(term)
                else:
                    dc = term
                cx += 1
        scale = max((abs(term) for term in ac), default=0.0)
        return dc, [0.5 + 0.5 / scale * term for term in ac] if scale else ac, scale

    l_dc, l_ac, l_scale = cosine_terms(lightness, max(3, cells_x), max(3, cells_y))
    p_dc, p_ac, p_scale = cosine_terms(yellow_blue, 3, 3)
    q_dc, q_ac, q_scale = cosine_terms(red_green, 3, 3)
    landscape = width > height
    header24 = (
        _round(63 * l_dc)
        | _round(31.5 + 31.5 * p_dc) << 6
        | _round(31.5 + 31.5 * q_dc) << 12
        | _round(31 * l_scale) << 18
    )
    header16 = (
        (cells_y if landscape else cells_x)
        | _round(63 * p_scale) << 3
        | _round(63 * q_scale) << 9
        | int(landscape) << 15
    )
    packed = bytearray([header24 & 255, header24 >> 8 & 255, header24 >> 16, header16 & 255, header16 >> 8])
    nibbles = [_round(15 * term) for term in (*l_ac, *p_ac, *q_ac)]
    packed += bytes(low | high << 4 for low, high in zip(nibbles[::2], [*nibbles[1::2], 0], strict=False))
    return bytes(packed)


def _round(value: float) -> int:
    """JavaScript's Math.round (halves up), which the reference encoder uses."""
    return math.floor(value + 0.5)
