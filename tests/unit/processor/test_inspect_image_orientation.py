"""Orientation follows what browsers do: EXIF orientation is applied, an orientation recorded only in
XMP is not, and EXIF that cannot be parsed turns nothing."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

from functions.core.media import AssetType
from functions.processor.inspect import examine
from tests.media.generate import BLUE, YELLOW, encode, jpeg, picture


def xmp(orientation: int) -> bytes:
    return (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="%d"/>'
        b"</rdf:RDF></x:xmpmeta>" % orientation
    )


def png_with_xmp(orientation: int) -> bytes:
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp(orientation).decode())
    return encode(picture(640, 480), "PNG", pnginfo=info)


def top_left_and_top_right(thumbnail: bytes | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    assert thumbnail is not None
    image = Image.open(io.BytesIO(thumbnail)).convert("RGB")
    return image.getpixel((image.width // 4, image.height // 4)), image.getpixel(
        (3 * image.width // 4, image.height // 4)
    )


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("jpg", jpeg(640, 480, xmp=xmp(6))),
        ("png", png_with_xmp(6)),
        ("webp", encode(picture(640, 480), "WEBP", quality=95, xmp=xmp(6))),
    ],
    ids=["jpg", "png", "webp"],
)
def test_orientation_recorded_only_in_xmp_is_not_applied(fmt: str, data: bytes) -> None:
    # given: stored 640×480, the yellow quadrant top-left, XMP saying "turn a quarter clockwise"
    # (which Pillow's getexif() reports as if it were EXIF)
    assert Image.open(io.BytesIO(data)).getexif().get(ExifTags.Base.Orientation) == 6

    # when
    _, inspection = examine(data, AssetType.IMAGE, fmt)

    # then: shown as stored, as browsers show it
    assert (inspection.width, inspection.height) == (640, 480)
    top_left, top_right = top_left_and_top_right(inspection.thumbnail)
    assert top_left == pytest.approx(YELLOW, abs=30)
    assert top_right == pytest.approx(BLUE, abs=30)


def test_exif_orientation_wins_over_xmp() -> None:
    # given: EXIF says a quarter turn clockwise, XMP says upright
    data = jpeg(640, 480, orientation=6, xmp=xmp(1))

    # when
    _, inspection = examine(data, AssetType.IMAGE, "jpg")

    # then: turned, the yellow quadrant now top-right
    assert (inspection.width, inspection.height) == (480, 640)
    top_left, top_right = top_left_and_top_right(inspection.thumbnail)
    assert top_right == pytest.approx(YELLOW, abs=30)
    assert top_left == pytest.approx(BLUE, abs=30)


def test_exif_that_cannot_be_parsed_turns_nothing() -> None:
    # given: an Exif segment whose TIFF structure is garbage
    data = jpeg(640, 480, exif=b"Exif\x00\x00" + b"not a TIFF header" * 4)

    # when
    _, inspection = examine(data, AssetType.IMAGE, "jpg")

    # then
    assert (inspection.width, inspection.height) == (640, 480)
