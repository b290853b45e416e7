"""Looking at a thumbnail the inspection made: shared by the format and video tests."""

from __future__ import annotations

import io

from PIL import Image

from functions.processor.inspect import Inspection


def thumbnail_of(inspection: Inspection) -> Image.Image:
    assert inspection.thumbnail is not None
    image = Image.open(io.BytesIO(inspection.thumbnail))
    assert image.format == "JPEG"
    return image.convert("RGB")


def close_to(pixel: tuple[int, ...], color: tuple[int, int, int], tolerance: int = 48) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=True))
