"""ThumbHash placeholders, made from the thumbnail of images, video posters and PDF pages: decoded by an
independent ThumbHash implementation (thash), they have the thumbnail's aspect, to the format's precision,
and its colours; the encoder's bytes are the reference encoder's."""

from __future__ import annotations

import base64
import io
import random

import pytest
import thash
from PIL import Image

from functions.core.media import AssetType
from functions.processor.inspect import examine, examine_within_budget
from functions.processor.inspect.placeholder import thumb_hash

PICTURES = {
    "photo.jpg": (AssetType.IMAGE, "jpg"),
    "rotated.jpg": (AssetType.IMAGE, "jpg"),
    "alpha.png": (AssetType.IMAGE, "png"),
    "animated.gif": (AssetType.IMAGE, "gif"),
    "animated.webp": (AssetType.IMAGE, "webp"),
    "clip.mp4": (AssetType.VIDEO, "mp4"),
    "portrait.mp4": (AssetType.VIDEO, "mp4"),
    "clip.mov": (AssetType.VIDEO, "mov"),
    "doc.pdf": (AssetType.DOCUMENT, "pdf"),
}


def sevenths(width: int, height: int) -> float:
    """The shorter side in sevenths of the longer: how precisely a ThumbHash keeps an aspect (an opaque
    picture's lightness has 7 cells along its longer side, and a whole number along the other)."""
    return 7 * min(width, height) / max(width, height)


def decoded(placeholder: str) -> Image.Image:
    width, height, rgba = thash.thumb_hash_to_rgba(base64.b64decode(placeholder, validate=True), base_size=70)
    return Image.frombytes("RGBA", (width, height), rgba).convert("RGB")


def mean_colour(picture: Image.Image) -> tuple[int, ...]:
    return picture.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))


@pytest.mark.parametrize("name", PICTURES)
def test_the_placeholder_decodes_to_the_thumbnails_aspect_and_colours(corpus, name: str) -> None:
    # given
    asset_type, declared_format = PICTURES[name]

    # when
    _, inspection = examine(corpus[name].read_bytes(), asset_type, declared_format)

    # then
    thumbnail = Image.open(io.BytesIO(inspection.thumbnail)).convert("RGB")
    placeholder = decoded(inspection.placeholder)
    assert (placeholder.width > placeholder.height) == (thumbnail.width > thumbnail.height)
    assert abs(sevenths(*placeholder.size) - sevenths(*thumbnail.size)) <= 0.5
    for made, shown in zip(mean_colour(placeholder), mean_colour(thumbnail), strict=True):
        assert abs(made - shown) <= 16, (mean_colour(placeholder), mean_colour(thumbnail))


def test_the_placeholder_is_made_in_the_inspection_worker_and_reaches_its_parent(corpus) -> None:
    # when
    _, inspection = examine_within_budget(corpus["photo.jpg"].read_bytes(), AssetType.IMAGE, "jpg")

    # then
    assert inspection.placeholder is not None
    assert len(base64.b64decode(inspection.placeholder)) < 30


def test_audio_has_no_thumbnail_and_no_placeholder(corpus) -> None:
    # when
    _, inspection = examine(corpus["tone.mp3"].read_bytes(), AssetType.AUDIO, "mp3")

    # then
    assert (inspection.thumbnail, inspection.placeholder) == (None, None)


@pytest.mark.parametrize("size", [(32, 24), (24, 32), (32, 16), (32, 32), (5, 32), (1, 1)])
def test_the_encoder_gives_the_reference_encoders_bytes(size: tuple[int, int]) -> None:
    # given: a gradient with a pattern (thash rounds halves to even, the reference up: 7.5, the tie a
    # zero term makes, rounds to 8 either way)
    width, height = size
    picture = Image.new("RGB", size)
    picture.putdata(
        [
            (40 + 200 * x // width, (y * 9) % 256, 90 + (x * y) % 50)
            for y in range(height)
            for x in range(width)
        ]
    )
    rgba = [value for pixel in picture.get_flattened_data() for value in (*pixel, 255)]

    # when
    made = thumb_hash(picture)

    # then
    assert made == bytes(thash.rgba_to_thumb_hash_pure(width, height, rgba))


def test_a_picture_over_thumbhashs_limit_is_refused() -> None:
    # given
    picture = Image.new("RGB", (101, 10), (random.randrange(256),) * 3)

    # when / then
    with pytest.raises(ValueError, match="101×10"):
        thumb_hash(picture)
