"""Every allowed format: exact metadata and a thumbnail that decodes at the expected size."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pytest
from PIL.JpegImagePlugin import JpegImageFile

from functions.core.media import AssetType
from functions.processor.inspect import examine
from tests.media.generate import BLUE, RED, YELLOW
from tests.unit.processor.thumbnails import close_to, thumbnail_of


class Expected(NamedTuple):
    format: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    page_count: int | None = None
    thumbnail: tuple[int, int] | None = None


CASES = {
    "photo.jpg": Expected("jpg", 640, 480, thumbnail=(320, 240)),
    "large.jpeg": Expected("jpg", 4000, 3000, thumbnail=(320, 240)),
    "rotated.jpg": Expected("jpg", 480, 640, thumbnail=(240, 320)),  # stored 640×480, EXIF orientation 6
    "cmyk.jpg": Expected("jpg", 400, 300, thumbnail=(320, 240)),
    "alpha.png": Expected("png", 400, 300, thumbnail=(320, 240)),
    "animated.gif": Expected("gif", 480, 240, thumbnail=(320, 160)),
    "animated.webp": Expected("webp", 640, 320, thumbnail=(320, 160)),
    "clip.mp4": Expected("mp4", 320, 240, 2.0, thumbnail=(320, 240)),
    "short.mp4": Expected("mp4", 320, 240, 0.5, thumbnail=(320, 240)),
    "portrait.mp4": Expected("mp4", 240, 320, 2.0, thumbnail=(240, 320)),  # coded 320×240, rotated
    "clip.mov": Expected("mov", 320, 240, 2.0, thumbnail=(320, 240)),
    "tone.mp3": Expected("mp3", duration=3.0),
    "bare.mp3": Expected("mp3", duration=3.0),  # no ID3 tag, no Xing header
    "tone.wav": Expected("wav", duration=2.5),
    "doc.pdf": Expected("pdf", page_count=3, thumbnail=(248, 320)),  # US Letter
    "owner-only.pdf": Expected("pdf", page_count=3, thumbnail=(248, 320)),  # no password needed to open
    "bad-xref.pdf": Expected("pdf", page_count=3, thumbnail=(248, 320)),  # rebuilt by scanning
}


@pytest.mark.parametrize("name", CASES)
def test_metadata_and_thumbnail_of_every_allowed_format(
    name: str, sample: Callable[[str], bytes], declared: Callable[[str], tuple[AssetType, str]]
) -> None:
    # given
    expected = CASES[name]
    data = sample(name)

    # when
    media, inspection = examine(data, *declared(name))

    # then
    assert media.format == expected.format
    assert (inspection.width, inspection.height) == (expected.width, expected.height)
    assert inspection.page_count == expected.page_count
    if expected.duration is None:
        assert inspection.duration is None
    else:
        assert inspection.duration == pytest.approx(expected.duration, abs=0.1)
    if expected.thumbnail is None:
        assert inspection.thumbnail is None
    else:
        assert thumbnail_of(inspection).size == expected.thumbnail


@pytest.mark.parametrize(
    ("name", "where", "color"),
    [
        # The yellow quadrant is top-left as stored; turned a quarter clockwise it is top-right.
        ("photo.jpg", (0.25, 0.25), YELLOW),
        ("rotated.jpg", (0.75, 0.25), YELLOW),
        ("rotated.jpg", (0.25, 0.25), BLUE),
        ("portrait.mp4", (0.75, 0.25), YELLOW),
        ("portrait.mp4", (0.25, 0.25), BLUE),
        # Videos: frames are red before 1 s and blue from 1 s; a 0.5 s clip shows its first frame.
        ("clip.mp4", (0.75, 0.75), BLUE),
        ("clip.mov", (0.75, 0.75), BLUE),
        ("short.mp4", (0.75, 0.75), RED),
        # Animations show their first (red) frame.
        ("animated.gif", (0.5, 0.5), RED),
        ("animated.webp", (0.5, 0.5), RED),
        # Transparency is shown on a mid-grey checkerboard; CMYK comes out in the right colours.
        ("alpha.png", (0.25, 0.75), (118, 118, 118)),
        ("alpha.png", (0.75, 0.75), BLUE),
        ("cmyk.jpg", (0.75, 0.75), BLUE),
        # The first PDF page's dark blue rectangle, 72–172 pt from the left, 72–472 pt from the bottom.
        ("doc.pdf", (0.2, 0.6), (0, 0, 153)),
        ("doc.pdf", (0.8, 0.2), (255, 255, 255)),
    ],
)
def test_thumbnail_shows_the_right_picture_the_right_way_up(
    name: str,
    where: tuple[float, float],
    color: tuple[int, int, int],
    sample: Callable[[str], bytes],
    declared: Callable[[str], tuple[AssetType, str]],
) -> None:
    # given
    data = sample(name)

    # when
    _, inspection = examine(data, *declared(name))

    # then
    image = thumbnail_of(inspection)
    pixel = image.getpixel((int(where[0] * image.width), int(where[1] * image.height)))
    assert close_to(pixel, color), f"{pixel} is not {color}"


def test_large_jpeg_is_decoded_at_reduced_size(
    sample: Callable[[str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a 4000×3000 JPEG, and a record of the size each JPEG is decoded at
    decoded: list[tuple[int, int]] = []
    original_load = JpegImageFile.load

    def recording_load(image: JpegImageFile) -> object:
        decoded.append(image.size)
        return original_load(image)

    monkeypatch.setattr(JpegImageFile, "load", recording_load)

    # when
    examine(sample("large.jpeg"), AssetType.IMAGE, "jpeg")

    # then: draft mode made the decoder scale by 1/8, so the 12 megapixels were never decoded
    assert decoded[0] == (500, 375)
