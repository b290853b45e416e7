"""A file cut short is judged as a user sees it in a browser. A JPEG missing only its last bytes
looks whole (the sliver never received is flat grey) and is shown; one missing a visible part of
the picture fails, saying how much; one cut inside its headers fails. A PNG is shown when only what
follows its pixel data is missing."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageStat

from functions.core.media import AssetType
from functions.processor.inspect import Broken, examine
from functions.processor.inspect.image import MAX_MISSING_SHARE

START_OF_SCAN = b"\xff\xda"


def photo(width: int = 1200, height: int = 900) -> Image.Image:
    """Detail everywhere, as in a photo, so the coded bytes spread evenly over the rows."""
    gradient = Image.linear_gradient("L").resize((width, height))
    return Image.merge(
        "RGB",
        (
            gradient,
            Image.frombytes("L", (width, height), random.Random(15).randbytes(width * height)),
            gradient.transpose(Image.Transpose.ROTATE_180),
        ),
    )


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def thumbnail_of(data: bytes, fmt: str) -> Image.Image:
    _, inspection = examine(data, AssetType.IMAGE, fmt)
    assert (inspection.width, inspection.height) == (1200, 900)
    assert inspection.thumbnail is not None
    return Image.open(io.BytesIO(inspection.thumbnail)).convert("RGB")


def top_half_mean(image: Image.Image) -> tuple[float, ...]:
    return tuple(ImageStat.Stat(image.crop((0, 0, image.width, image.height // 2))).mean)


@pytest.mark.parametrize("missing", [2, 200, 2_000], ids=["end marker", "200 bytes", "2 KB"])
def test_jpeg_missing_only_its_last_bytes_is_shown(missing: int) -> None:
    # given: a 1200×900 photo (~500 KB) missing its end marker and maybe a few rows of blocks
    source = photo()
    whole = encode(source, "JPEG", quality=90)
    data = whole[:-missing]

    # when
    thumbnail = thumbnail_of(data, "jpg")

    # then: the picture as the complete file shows it, at most a sliver of grey at the bottom
    assert top_half_mean(thumbnail) == pytest.approx(top_half_mean(thumbnail_of(whole, "jpg")), abs=2)


def test_progressive_jpeg_missing_its_last_scans_is_shown() -> None:
    # given: a progressive JPEG missing its last tenth (part of the final refinement scans)
    whole = encode(photo(), "JPEG", quality=90, progressive=True)
    data = whole[: len(whole) * 9 // 10]

    # when
    thumbnail = thumbnail_of(data, "jpg")

    # then: the whole picture, with less detail
    assert top_half_mean(thumbnail) == pytest.approx(top_half_mean(thumbnail_of(whole, "jpg")), abs=4)


@pytest.mark.parametrize("kept", [0.6, 0.9], ids=["60%", "90%"])
def test_jpeg_missing_a_visible_part_fails_saying_how_much(kept: float) -> None:
    # given
    whole = encode(photo(), "JPEG", quality=90)
    data = whole[: int(len(whole) * kept)]

    # when
    with pytest.raises(Broken) as raised:
        examine(data, AssetType.IMAGE, "jpg")

    # then: about (1 - kept) of the rows are missing
    reason = raised.value.reason
    assert reason.startswith("Cannot read this jpg file: image file is truncated (the bottom ")
    assert reason.endswith("% of the picture is missing)")
    percent = int(reason.split("the bottom ")[1].split("%")[0])
    assert percent > MAX_MISSING_SHARE * 100
    assert percent == pytest.approx((1 - kept) * 100, abs=5)


@pytest.mark.parametrize("after_start_of_scan", [-4, 30], ids=["inside the headers", "at the first blocks"])
def test_jpeg_cut_before_its_picture_fails(after_start_of_scan: int) -> None:
    # given
    whole = encode(photo(), "JPEG", quality=90)
    data = whole[: whole.index(START_OF_SCAN) + after_start_of_scan]

    # when
    with pytest.raises(Broken) as raised:
        examine(data, AssetType.IMAGE, "jpg")

    # then
    assert raised.value.reason.startswith("Cannot read this jpg file")


def test_png_missing_only_its_end_chunk_is_shown() -> None:
    # given: a PNG without its 12-byte IEND chunk
    whole = encode(photo(), "PNG")
    data = whole[:-12]

    # when
    thumbnail = thumbnail_of(data, "png")

    # then
    assert top_half_mean(thumbnail) == pytest.approx(top_half_mean(thumbnail_of(whole, "png")), abs=1)


def test_png_cut_inside_its_pixel_data_fails() -> None:
    # given
    whole = encode(photo(), "PNG")
    data = whole[: len(whole) * 9 // 10]

    # when
    with pytest.raises(Broken) as raised:
        examine(data, AssetType.IMAGE, "png")

    # then
    assert raised.value.reason == "Cannot read this png file: image file is truncated"
