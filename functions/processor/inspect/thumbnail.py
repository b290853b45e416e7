"""The one way a thumbnail is made, whatever it came from (an image, a video frame, a PDF page)."""

from __future__ import annotations

import io

from PIL import Image

from functions.processor.inspect.model import Rejected

THUMBNAIL_SIDE = 320  # longest side, in pixels
JPEG_QUALITY = 85
# Decoding a picture costs memory in proportion to its pixels (100 MP of RGB is 300 MB): larger ones,
# images and video frames alike, are rejected before any decoding.
MAX_PIXELS = 100_000_000


def check_pixels(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise Rejected(
            f"Too many pixels to process: {width}×{height} is over the {MAX_PIXELS // 1_000_000} megapixel limit"
        )


def jpeg_thumbnail(image: Image.Image, transpose: Image.Transpose | None = None) -> bytes:
    """JPEG bytes of `image` shrunk to THUMBNAIL_SIDE, turned by `transpose`, transparency flattened on
    white. Shrinks before it turns or converts, so the costly steps run on the small picture; `image`
    may be modified in place."""
    image = _resamplable(image)
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    if transpose is not None:
        image = image.transpose(transpose)
    out = io.BytesIO()
    _on_white(image).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _resamplable(image: Image.Image) -> Image.Image:
    """A mode Pillow resizes smoothly: palette and bitonal pictures only resize by nearest neighbour,
    and 16-bit grey would clip to white when converted directly."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        return image.convert("I").point(lambda value: value / 256, "L")
    if image.has_transparency_data:
        return image if image.mode in ("RGBA", "LA") else image.convert("RGBA")
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode not in ("RGBA", "LA"):
        return image.convert("RGB")
    canvas = Image.new("RGB", image.size, "white")
    canvas.paste(image.convert("RGBA"), mask=image.getchannel("A"))
    return canvas
