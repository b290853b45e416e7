"""Videos as displayed, from files written the way cameras, phones and editors write them:
non-square pixels (a sample aspect ratio), a display-matrix turn (phones store portrait clips
landscape), HEVC (phones' default codec) and ProRes (editors'), variable frame timing.

The sizes expected are what ffprobe reports for the same files: 720×480 at a sample aspect ratio of
10:11 has a display_aspect_ratio of 15:11, shown 655×480 (720 × 10/11 = 654.5…, to the nearest
pixel); a rotation of -90 in its side data shows 320×240 as 240×320.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from fractions import Fraction
from typing import NamedTuple

import av
import pytest

from functions.core.media import AssetType
from functions.processor.inspect import Broken, examine
from tests.media import generate
from tests.media.generate import BLUE, YELLOW, boxes
from tests.media.sample_entry import with_sample_entry
from tests.unit.processor.thumbnails import close_to, thumbnail_of

ANAMORPHIC = Fraction(10, 11)  # NTSC DV and DVD at 4:3
WIDESCREEN = Fraction(32, 27)  # NTSC DVD at 16:9
NO_B_FRAMES = {"bf": "0"}  # phones' encoders: decode order is display order


class Case(NamedTuple):
    make: Callable[[], bytes]
    format: str
    size: tuple[int, int]  # width, height as displayed
    thumbnail: tuple[int, int]


def stream_of(data: bytes) -> tuple[str, str, Fraction | None]:
    """The codec, sample entry and sample aspect ratio FFmpeg reads from the file: the sample is what
    the test says it is."""
    with av.open(io.BytesIO(data)) as container:
        video = container.streams.video[0]
        return video.codec_context.name, video.codec_context.codec_tag, video.sample_aspect_ratio


SHAPES = {
    "anamorphic 4:3": Case(
        lambda: generate.video(width=720, height=480, sample_aspect_ratio=ANAMORPHIC), "mp4", (655, 480), (320, 235)
    ),
    "anamorphic 16:9": Case(
        lambda: generate.video(width=720, height=480, sample_aspect_ratio=WIDESCREEN), "mp4", (853, 480), (320, 180)
    ),
    # ProRes carries no aspect of its own: the container's `pasp` box alone says it.
    "anamorphic ProRes": Case(
        lambda: generate.video(
            codec="prores_ks", container="mov", width=720, height=480, pix_fmt="yuv422p10le", sample_aspect_ratio=ANAMORPHIC, seconds=1.2
        ),
        "mov",
        (655, 480),
        (320, 235),
    ),
    # The pixels' aspect belongs to the stored picture: applied before the turn.
    "anamorphic portrait": Case(
        lambda: generate.video(width=720, height=480, sample_aspect_ratio=ANAMORPHIC, rotation=-90),
        "mp4",
        (480, 655),
        (235, 320),
    ),
    "turned 90": Case(lambda: generate.video(rotation=90), "mp4", (240, 320), (240, 320)),
    "turned 180": Case(lambda: generate.video(rotation=180), "mp4", (320, 240), (320, 240)),
    "turned -90 (phone portrait)": Case(lambda: generate.video(rotation=-90), "mp4", (240, 320), (240, 320)),
    "turned 270": Case(lambda: generate.video(rotation=270), "mp4", (240, 320), (240, 320)),
}


@pytest.mark.parametrize("name", SHAPES)
def test_size_and_thumbnail_are_as_displayed(name: str) -> None:
    # given
    case = SHAPES[name]
    data = case.make()

    # when
    _, inspection = examine(data, AssetType.VIDEO, case.format)

    # then
    assert (inspection.width, inspection.height) == case.size
    assert thumbnail_of(inspection).size == case.thumbnail


def test_anamorphic_thumbnail_has_ffprobes_display_aspect_ratio() -> None:
    # given: 720×480 stored, 10:11 pixels, which ffprobe reports as a display_aspect_ratio of 15:11
    data = generate.video(width=720, height=480, sample_aspect_ratio=ANAMORPHIC)
    assert stream_of(data)[2] == ANAMORPHIC

    # when
    _, inspection = examine(data, AssetType.VIDEO, "mp4")

    # then: within the pixel of rounding, not the 3:2 of the stored picture (320×213)
    thumbnail = thumbnail_of(inspection)
    assert abs(thumbnail.width - thumbnail.height * Fraction(15, 11)) <= 1


@pytest.mark.parametrize(
    ("rotation", "yellow", "blue"),
    [
        # The yellow quadrant is top-left as stored; FFmpeg's rotation is counterclockwise.
        (90, (0.25, 0.75), (0.25, 0.25)),
        (180, (0.75, 0.75), (0.25, 0.25)),
        (-90, (0.75, 0.25), (0.25, 0.25)),
        (270, (0.75, 0.25), (0.25, 0.75)),
    ],
)
def test_thumbnail_is_turned_the_way_players_show_it(
    rotation: int, yellow: tuple[float, float], blue: tuple[float, float]
) -> None:
    # given
    data = generate.video(rotation=rotation)

    # when
    _, inspection = examine(data, AssetType.VIDEO, "mp4")

    # then
    image = thumbnail_of(inspection)
    for where, color in ((yellow, YELLOW), (blue, BLUE)):
        pixel = image.getpixel((int(where[0] * image.width), int(where[1] * image.height)))
        assert close_to(pixel, color), f"{pixel} at {where} is not {color}"


CODECS = {
    "HEVC in mp4 (hvc1)": (lambda: generate.video(codec="libx265", tag="hvc1"), "mp4", ("hevc", "hvc1")),
    "HEVC in mp4 (hev1)": (lambda: generate.video(codec="libx265", tag="hev1"), "mp4", ("hevc", "hev1")),
    "HEVC Main 10 (HDR phones)": (
        lambda: generate.video(codec="libx265", tag="hvc1", pix_fmt="yuv420p10le"),
        "mp4",
        ("hevc", "hvc1"),
    ),
    "ProRes 422 HQ in mov": (
        lambda: generate.video(codec="prores_ks", container="mov", pix_fmt="yuv422p10le"),
        "mov",
        ("prores", "apch"),
    ),
    "ProRes 4444 in mov": (
        lambda: generate.video(codec="prores_ks", container="mov", pix_fmt="yuv444p10le", options={"profile": "4444"}),
        "mov",
        ("prores", "ap4h"),
    ),
}


@pytest.mark.parametrize("name", CODECS)
def test_phone_and_editor_codecs_are_ready_with_a_thumbnail(name: str) -> None:
    # given
    make, fmt, codec = CODECS[name]
    data = make()
    assert stream_of(data)[:2] == codec

    # when
    media, inspection = examine(data, AssetType.VIDEO, fmt)

    # then: the frame at 1 s (blue), the stored picture's yellow quadrant top-left
    assert media.format == fmt
    assert (inspection.width, inspection.height) == (320, 240)
    assert inspection.duration == pytest.approx(2.0, abs=0.1)
    image = thumbnail_of(inspection)
    assert image.size == (320, 240)
    assert close_to(image.getpixel((80, 60)), YELLOW)
    assert close_to(image.getpixel((240, 180)), BLUE)


def test_iphone_style_portrait_hevc_mov_with_variable_frame_timing() -> None:
    # given: HEVC in a QuickTime file on a 1/600 s clock, stored landscape and turned -90, 30 fps with
    # the frames of 0.83–1.17 s dropped: the first frame from 1 s (blue) is at 1.2 s
    times = [index / 30 for index in range(60) if not 25 <= index <= 35]
    data = generate.video(codec="libx265", container="mov", tag="hvc1", rotation=-90, frame_times=times, options=NO_B_FRAMES)

    # when
    _, inspection = examine(data, AssetType.VIDEO, "mov")

    # then
    assert (inspection.width, inspection.height) == (240, 320)
    assert inspection.duration == pytest.approx(2.0, abs=0.05)
    image = thumbnail_of(inspection)
    assert image.size == (240, 320)
    assert close_to(image.getpixel((180, 80)), YELLOW)
    assert close_to(image.getpixel((60, 80)), BLUE)


def test_codec_ffmpeg_cannot_decode_fails_with_a_reason() -> None:
    # given: an H.264 clip whose sample entry names a codec FFmpeg does not know
    data = with_sample_entry(generate.video(), b"avc1", b"zzzz")

    # when / then
    with pytest.raises(Broken, match=r"^The mp4 file's video is in a codec this service cannot decode$"):
        examine(data, AssetType.VIDEO, "mp4")


@pytest.mark.parametrize(
    ("make", "fmt", "codec"),
    [
        (lambda: generate.video(codec="libx265", tag="hvc1"), "mp4", "hevc"),
        (lambda: generate.video(codec="prores_ks", container="mov", pix_fmt="yuv422p10le"), "mov", "prores"),
    ],
)
def test_frames_that_do_not_decode_fail_naming_the_codec(make: Callable[[], bytes], fmt: str, codec: str) -> None:
    # given: the index intact, the coded pictures zeroed
    data = make()
    ((_, start, end),) = [box for box in boxes(data) if box[0] == b"mdat"]
    zeroed = data[: start + 8] + bytes(end - start - 8) + data[end:]

    # when / then
    with pytest.raises(Broken, match=rf"^No {codec} video frame could be decoded from the {fmt} file$"):
        examine(zeroed, AssetType.VIDEO, fmt)
