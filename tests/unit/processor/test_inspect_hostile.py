"""Bytes that are not what they claim, or cannot be read, end in Rejected or Broken with a reason;
AWS errors never do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from functions.core.media import ALLOWED_TYPES_TEXT, AssetType, by_format, too_large_message
from functions.core.topology import MAX_UPLOAD_BYTES
from functions.processor.inspect import (
    SNIFF_BYTES,
    Broken,
    MediaError,
    RangedObjectReader,
    Rejected,
    check_declared,
    examine,
    inspect,
    sniff,
)
from tests.media.generate import encode, picture, png_bomb


@pytest.mark.parametrize(
    ("name", "error", "reason"),
    [
        ("truncated.jpg", Broken, "Cannot read this jpg file: image file is truncated"),
        ("truncated.mp4", Broken, "The mp4 file is truncated"),
        ("no-moov.mp4", Broken, "Cannot read this mp4 file: Invalid data found when processing input"),
        ("truncated.pdf", Broken, "Cannot read this pdf file"),
        ("encrypted.pdf", Broken, "PDF is encrypted"),
        ("text.png", Rejected, "Invalid file type: text/plain. Allowed: "),
        ("polyglot.png", Rejected, "Invalid file type: text/html. Allowed: "),
        ("empty.jpg", Rejected, "Invalid file type: application/x-empty. Allowed: "),
        ("bomb.png", Rejected, "Too many pixels to process"),
    ],
)
def test_hostile_input_ends_in_a_media_error_with_a_reason(
    name: str,
    error: type[MediaError],
    reason: str,
    sample: Callable[[str], bytes],
    declared: Callable[[str], tuple[AssetType, str]],
) -> None:
    # given
    data = sample(name)

    # when
    with pytest.raises(MediaError) as raised:
        examine(data, *declared(name))

    # then
    assert type(raised.value) is error
    assert reason in raised.value.reason
    assert raised.value.reason == str(raised.value)


def test_not_allowed_type_is_rejected_with_the_seed_message() -> None:
    # given: a BMP
    head = encode(picture(8, 8), "BMP")

    # when
    with pytest.raises(Rejected) as raised:
        sniff(head)

    # then
    assert raised.value.reason == f"Invalid file type: image/bmp. Allowed: {ALLOWED_TYPES_TEXT}"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_image_over_the_pixel_limit_is_rejected_before_decoding() -> None:
    # given: 10500×10500 = 110 megapixels, under Pillow's own bomb error but over Trove's limit
    data = png_bomb(10_500)

    # when
    with pytest.raises(Rejected) as raised:
        examine(data, AssetType.IMAGE, "png")

    # then
    assert raised.value.reason == "Too many pixels to process: 10500×10500 is over the 100 megapixel limit"


@pytest.mark.parametrize(
    ("name", "declared_type", "declared_format", "reason"),
    [
        (
            "clip.mp4",
            AssetType.IMAGE,
            "jpg",
            "File content is video/mp4 (video), not the declared image (jpg)",
        ),
        ("photo.jpg", AssetType.DOCUMENT, "pdf", "is image/jpeg (image), not the declared document (pdf)"),
        ("tone.mp3", AssetType.VIDEO, "mp4", "is audio/mpeg (audio), not the declared video (mp4)"),
        ("doc.pdf", AssetType.LINK, "link", "is application/pdf (document), not the declared link"),
    ],
)
def test_content_of_another_type_family_is_rejected(
    name: str, declared_type: AssetType, declared_format: str, reason: str, sample: Callable[[str], bytes]
) -> None:
    # given
    data = sample(name)

    # when
    with pytest.raises(Rejected) as raised:
        examine(data, declared_type, declared_format)

    # then
    assert reason in raised.value.reason


@pytest.mark.parametrize(
    ("name", "declared_type", "declared_format", "stored"),
    [
        ("tone.wav", AssetType.AUDIO, "mp3", "wav"),  # an "MP3" that is really WAV
        ("photo.jpg", AssetType.IMAGE, "png", "jpg"),
        ("clip.mov", AssetType.VIDEO, "mp4", "mov"),
        ("clip.mp4", AssetType.VIDEO, "mov", "mp4"),
    ],
)
def test_within_the_declared_family_the_detected_format_is_stored(
    name: str, declared_type: AssetType, declared_format: str, stored: str, sample: Callable[[str], bytes]
) -> None:
    # given
    data = sample(name)

    # when
    media, inspection = examine(data, declared_type, declared_format)

    # then
    assert media.format == stored
    assert inspection.width or inspection.duration


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("clip.mov", "mov"),  # ftyp brand "qt  "
        ("clip.mp4", "mp4"),  # ftyp brand "isom"
        ("tone.mp3", "mp3"),  # ID3v2 tag first
        ("bare.mp3", "mp3"),  # MPEG frame sync first
        ("tone.wav", "wav"),  # libmagic says audio/x-wav
        ("animated.webp", "webp"),
        ("doc.pdf", "pdf"),
    ],
)
def test_sniff_needs_only_the_first_bytes(name: str, expected: str, sample: Callable[[str], bytes]) -> None:
    # given
    head = sample(name)[:SNIFF_BYTES]

    # when
    media = sniff(head)

    # then
    assert media.format == expected


def test_m4v_brand_is_an_mp4() -> None:
    # given: an ftyp box with Apple's M4V brand, which libmagic calls video/x-m4v
    head = b"\x00\x00\x00\x18ftypM4V \x00\x00\x02\x00M4V isom\x00\x00\x00\x08free"

    # when
    media = sniff(head)

    # then
    assert media.format == "mp4"


def test_check_declared_keeps_the_detected_format() -> None:
    # given
    detected = by_format("wav")
    assert detected is not None

    # when
    stored = check_declared(detected, AssetType.AUDIO, "mp3")

    # then
    assert stored is detected


def test_object_over_the_limit_is_rejected_before_any_read(bytes_client: Any) -> None:
    # given: an S3 object one byte over 50 MB
    client = bytes_client(b"")
    reader = RangedObjectReader(client, "bucket", "uploads/x", MAX_UPLOAD_BYTES + 1)

    # when
    with pytest.raises(Rejected) as raised:
        examine(reader, AssetType.VIDEO, "mp4")

    # then
    assert raised.value.reason == too_large_message() == "File too large. Maximum size is 50.0MB"
    assert client.calls == 0


ALLOWED_SAMPLES = [
    *("photo.jpg", "cmyk.jpg", "alpha.png", "animated.gif", "animated.webp"),
    *("clip.mp4", "portrait.mp4", "clip.mov", "tone.mp3", "bare.mp3", "tone.wav"),
    *("doc.pdf", "owner-only.pdf", "bad-xref.pdf"),
]
AWS_ERRORS = [
    ClientError({"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}}, "GetObject"),
    ReadTimeoutError(endpoint_url="https://s3.amazonaws.com/bucket/uploads/x"),
]


# PDFium reads through a ctypes callback, which prints the exception and reports a failed read.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("error", AWS_ERRORS, ids=lambda error: type(error).__name__)
@pytest.mark.parametrize("name", ALLOWED_SAMPLES)
def test_aws_error_in_the_middle_of_inspecting_propagates_as_itself(
    name: str, error: Exception, sample: Callable[[str], bytes], bytes_client: Any
) -> None:
    # given: how many GETs inspecting the object takes, in 256-byte blocks
    data = sample(name)
    media = sniff(data[:SNIFF_BYTES])
    counter = bytes_client(data)
    inspect(media, RangedObjectReader(counter, "bucket", "uploads/x", len(data), block_size=256))

    for failing_call in range(1, counter.calls + 1):
        # when: that one GET fails, while a library is parsing the object
        client = bytes_client(data, fail_on_call=failing_call, error=error)
        with pytest.raises(type(error)) as raised:
            inspect(media, RangedObjectReader(client, "bucket", "uploads/x", len(data), block_size=256))

        # then: the AWS error itself, never a MediaError, so the message is retried
        assert raised.value is error


def test_an_mp3_with_cover_art_past_the_first_sniffed_bytes_is_still_an_mp3():
    # given: an ID3v2.3 tag carrying 100 KB of "cover art" before the first audio frame
    from functions.core.media import AssetType
    from functions.processor.inspect import examine
    from tests.media.generate import mp3

    art = b"\x00image/jpeg\x00\x03\x00" + b"\xff\xd8" + bytes(100_000)
    frame = b"APIC" + len(art).to_bytes(4, "big") + b"\x00\x00" + art
    synchsafe = bytes((len(frame) >> shift) & 0x7F for shift in (21, 14, 7, 0))
    tagged = b"ID3\x03\x00\x00" + synchsafe + frame + mp3()

    # when
    media, inspection = examine(tagged, AssetType.AUDIO, "mp3")

    # then
    assert media.format == "mp3"
    assert inspection.duration == pytest.approx(3.0, abs=0.1)
