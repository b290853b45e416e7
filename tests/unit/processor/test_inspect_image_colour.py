"""Thumbnails show the colours colour-managed software shows: each picture's embedded ICC profile is
converted to sRGB. Colours are measured on the JPEG thumbnail, against values worked out without
littleCMS (the issue's measurement, or the colour spaces' published matrices and curves)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageStat

from functions.core.media import AssetType
from functions.processor.inspect import examine
from functions.processor.inspect.colour import SRGB_ICC
from tests.unit.processor.icc_profiles import display_p3, linear_grey

# Artifex's CMYK SWOP profile, from Debian's libgs-common (installed by `make`).
SWOP = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")

# Display P3 → sRGB on linear values: both D65, from the primaries (CSS Color 4's matrices multiplied).
P3_TO_SRGB = (
    (1.2249401, -0.2249404, 0.0),
    (-0.0420569, 1.0420571, 0.0),
    (-0.0196376, -0.0786361, 1.0982735),
)


def decode_srgb(value: int) -> float:
    v = value / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def encode_srgb(linear: float) -> int:
    linear = min(1.0, max(0.0, linear))
    v = linear * 12.92 if linear <= 0.0031308 else 1.055 * linear ** (1 / 2.4) - 0.055
    return round(v * 255)


def p3_in_srgb(color: tuple[int, int, int]) -> tuple[int, int, int]:
    linear = [decode_srgb(value) for value in color]  # Display P3 uses the sRGB curve
    red, green, blue = (
        encode_srgb(sum(m * v for m, v in zip(row, linear, strict=True))) for row in P3_TO_SRGB
    )
    return red, green, blue


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def thumbnail_colour(data: bytes, fmt: str) -> tuple[float, ...]:
    """The mean colour of the middle of the thumbnail, which must be an sRGB-tagged RGB JPEG."""
    _, inspection = examine(data, AssetType.IMAGE, fmt)
    assert inspection.thumbnail is not None
    thumbnail = Image.open(io.BytesIO(inspection.thumbnail))
    assert (thumbnail.format, thumbnail.mode) == ("JPEG", "RGB")
    assert thumbnail.info["icc_profile"] == SRGB_ICC
    width, height = thumbnail.size
    middle = thumbnail.crop((width // 4, height // 4, 3 * width // 4, 3 * height // 4))
    return tuple(ImageStat.Stat(middle).mean)


@pytest.mark.parametrize("size", [(400, 300), (4000, 3000)])  # the second decoded at 1/8 (draft)
def test_cmyk_jpeg_with_a_swop_profile_is_teal_not_mint(size: tuple[int, int]) -> None:
    # given: the CMYK colour, written as Photoshop writes CMYK (Adobe APP14 marker, inverted)
    data = encode(Image.new("CMYK", size, (102, 1, 45, 0)), "JPEG", quality=95, icc_profile=SWOP.read_bytes())
    assert Image.open(io.BytesIO(data)).info["adobe"]

    # when
    colour = thumbnail_colour(data, "jpg")

    # then: colour-managed software shows teal (149, 213, 213); converting by formula gives mint (153, 254, 210)
    assert colour == pytest.approx((149, 213, 213), abs=4)


@pytest.mark.parametrize(
    ("fmt", "extension", "size"),
    [
        ("JPEG", "jpg", (640, 480)),
        ("PNG", "png", (640, 480)),
        ("WEBP", "webp", (640, 480)),
        ("JPEG", "jpg", (4000, 3000)),
    ],
)
def test_display_p3_photo_is_converted_to_srgb(fmt: str, extension: str, size: tuple[int, int]) -> None:
    # given: a phone photo's orange, in Display P3
    p3 = (200, 120, 60)
    data = encode(Image.new("RGB", size, p3), fmt, quality=95, icc_profile=display_p3())

    # when
    colour = thumbnail_colour(data, extension)

    # then: the same colour in sRGB, not the same numbers
    expected = p3_in_srgb(p3)
    assert expected == pytest.approx((213, 115, 42), abs=1)
    assert colour == pytest.approx(expected, abs=4)


def test_large_display_p3_png_with_alpha_keeps_its_profile_while_shrunk_in_strips() -> None:
    # given: an opaque 3000×2000 RGBA PNG (large pictures in modes with alpha shrink strip by strip)
    p3 = (60, 140, 200)
    data = encode(Image.new("RGBA", (3000, 2000), (*p3, 255)), "PNG", icc_profile=display_p3())

    # when
    colour = thumbnail_colour(data, "png")

    # then
    assert colour == pytest.approx(p3_in_srgb(p3), abs=4)


def test_palette_png_with_a_display_p3_profile_is_converted() -> None:
    # given
    p3 = (200, 120, 60)
    image = Image.new("RGB", (300, 200), p3).convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    data = encode(image, "PNG", icc_profile=display_p3())

    # when
    colour = thumbnail_colour(data, "png")

    # then
    assert colour == pytest.approx(p3_in_srgb(p3), abs=4)


@pytest.mark.parametrize(("fmt", "extension"), [("JPEG", "jpg"), ("PNG", "png")])
def test_greyscale_picture_is_read_through_its_grey_profile(fmt: str, extension: str) -> None:
    # given: grey 128 in a linear-light profile (half the light of white)
    data = encode(Image.new("L", (300, 200), 128), fmt, quality=95, icc_profile=linear_grey())

    # when
    colour = thumbnail_colour(data, extension)

    # then: half the light is 188 in sRGB
    expected = encode_srgb(128 / 255)
    assert expected == 188
    assert colour == pytest.approx((expected,) * 3, abs=3)


def test_srgb_tagged_picture_keeps_its_colours() -> None:
    # given
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(Image.new("RGB", (300, 200), (200, 120, 60)), "JPEG", quality=95, icc_profile=srgb)

    # when
    colour = thumbnail_colour(data, "jpg")

    # then
    assert colour == pytest.approx((200, 120, 60), abs=3)


@pytest.mark.parametrize(
    ("mode", "color", "profile", "expected"),
    [
        ("RGB", (200, 120, 60), b"not an ICC profile" * 10, (200, 120, 60)),  # unreadable
        ("CMYK", (0, 255, 255, 0), display_p3(), (255, 0, 0)),  # an RGB profile in a CMYK JPEG
        ("L", 128, display_p3(), (128, 128, 128)),  # an RGB profile in a greyscale JPEG
    ],
)
def test_a_profile_that_cannot_apply_is_ignored_as_browsers_ignore_it(
    mode: str, color: object, profile: bytes, expected: tuple[int, int, int]
) -> None:
    # given
    data = encode(Image.new(mode, (300, 200), color), "JPEG", quality=95, icc_profile=profile)

    # when
    colour = thumbnail_colour(data, "jpg")

    # then: the picture is shown, its numbers taken as sRGB
    assert colour == pytest.approx(expected, abs=4)


def test_colours_are_converted_on_the_thumbnail_not_the_full_picture(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a 4000×3000 Display P3 PNG, and a record of the sizes littleCMS converts
    data = encode(Image.new("RGB", (4000, 3000), (200, 120, 60)), "PNG", icc_profile=display_p3())
    converted: list[tuple[int, int]] = []
    original = ImageCms.profileToProfile

    def recording(image: Image.Image, *args: object, **kwargs: object) -> Image.Image | None:
        converted.append(image.size)
        return original(image, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ImageCms, "profileToProfile", recording)

    # when
    examine(data, AssetType.IMAGE, "png")

    # then
    assert converted == [(320, 240)]
