"""The corpus comparison itself: what it must catch in a thumbnail."""

from __future__ import annotations

from PIL import Image, ImageDraw

from tests.realworld.check import compare_pictures


def picture(mode: str = "RGBA") -> Image.Image:
    """A 128×64 picture whose left half is red and right half blue."""
    image = Image.new(mode, (128, 64), (200, 30, 30, 255) if mode == "RGBA" else (200, 30, 30))
    ImageDraw.Draw(image).rectangle((64, 0, 127, 63), fill=(30, 30, 200))
    return image


def test_a_faithful_thumbnail_matches() -> None:
    # given a thumbnail of the reference picture, slightly resized
    thumbnail = picture("RGB").resize((120, 60))
    # when compared, then it matches
    assert compare_pictures(thumbnail, picture(), aspect=2.0) == []


def test_a_turned_thumbnail_fails_on_its_aspect() -> None:
    # given a thumbnail turned a quarter
    thumbnail = picture("RGB").transpose(Image.Transpose.ROTATE_90)
    # when compared
    mismatches = compare_pictures(thumbnail, picture(), aspect=2.0)
    # then its aspect is reported
    assert [m for m in mismatches if m.startswith("thumbnail aspect")]


def test_a_mirrored_thumbnail_fails_on_its_picture() -> None:
    # given a thumbnail mirrored left to right (same aspect)
    thumbnail = picture("RGB").transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    # when compared
    mismatches = compare_pictures(thumbnail, picture(), aspect=2.0)
    # then the pictures differ
    assert [m for m in mismatches if "differs from the reference" in m]


def test_a_blank_thumbnail_of_a_transparent_logo_fails() -> None:
    # given a white shape on a transparent background, and a thumbnail flattened onto white
    reference = Image.new("RGBA", (128, 64), (0, 0, 0, 0))
    ImageDraw.Draw(reference).ellipse((40, 8, 88, 56), fill=(255, 255, 255, 255))
    thumbnail = Image.new("RGB", (128, 64), (255, 255, 255))
    # when compared
    mismatches = compare_pictures(thumbnail, reference, aspect=2.0)
    # then the flat thumbnail is reported
    assert "thumbnail is flat where the transparent picture shows shapes" in mismatches
