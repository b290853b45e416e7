"""RangedObjectReader: a file over ranged GETs that reads like BytesIO and fetches only what is read."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

import pytest

from functions.core.media import AssetType, by_extension
from functions.processor.inspect import RangedObjectReader, examine

DATA = bytes(range(256)) * 4  # 1 KiB


def test_reads_and_seeks_like_bytesio(bytes_client: Any) -> None:
    # given: the same bytes behind a reader with small blocks and a small cache, and behind BytesIO
    reader = RangedObjectReader(bytes_client(DATA), "bucket", "key", len(DATA), block_size=7, cache_blocks=3)
    expected = io.BytesIO(DATA)
    steps = random.Random(7)

    for _ in range(500):
        # when: the same random seek (from start, current position or end) or read on both
        action = steps.choice(["seek", "read", "readinto"])
        if action == "seek":
            whence = steps.choice([io.SEEK_SET, io.SEEK_CUR, io.SEEK_END])
            origin = {io.SEEK_SET: 0, io.SEEK_CUR: expected.tell(), io.SEEK_END: len(DATA)}[whence]
            offset = steps.randrange(0, 1100) - origin
            got, want = reader.seek(offset, whence), expected.seek(offset, whence)
        elif action == "read":
            size = steps.randrange(-1, 40)
            got, want = reader.read(size), expected.read(size)
        else:
            size = steps.randrange(0, 40)
            mine, theirs = bytearray(size), bytearray(size)
            got, want = (reader.readinto(mine), mine), (expected.readinto(theirs), theirs)

        # then
        assert got == want
        assert reader.tell() == expected.tell()


def test_read_to_the_end_and_past_it(bytes_client: Any) -> None:
    # given
    reader = RangedObjectReader(bytes_client(DATA), "bucket", "key", len(DATA), block_size=100)

    # when
    reader.seek(1000)
    tail, past = reader.read(), reader.read(10)

    # then
    assert tail == DATA[1000:]
    assert past == b""


def test_negative_seek_is_refused(bytes_client: Any) -> None:
    # given
    reader = RangedObjectReader(bytes_client(DATA), "bucket", "key", len(DATA))

    # when / then
    with pytest.raises(ValueError):
        reader.seek(-1)


def test_missing_blocks_of_one_read_come_in_one_request_and_are_kept(bytes_client: Any) -> None:
    # given
    client = bytes_client(DATA)
    reader = RangedObjectReader(client, "bucket", "key", len(DATA), block_size=100)

    # when: blocks 0–4 in one read, then again, then blocks 3–6 (3–4 are cached)
    first = reader.read(500)
    reader.seek(0)
    again = reader.read(500)
    reader.seek(350)
    overlapping = reader.read(300)

    # then
    assert first == again == DATA[:500]
    assert overlapping == DATA[350:650]
    assert client.calls == 2
    assert reader.requests == 2
    assert reader.bytes_fetched == 700


def test_cache_holds_a_bounded_number_of_blocks(bytes_client: Any) -> None:
    # given: room for two 100-byte blocks
    client = bytes_client(DATA)
    reader = RangedObjectReader(client, "bucket", "key", len(DATA), block_size=100, cache_blocks=2)

    # when: blocks 0–4 in one read, then block 4 and block 0 again
    reader.read(500)
    reader.seek(400)
    reader.read(100)
    reader.seek(0)
    reader.read(100)

    # then: block 4 was still cached, block 0 had been dropped
    assert client.calls == 2


def test_reads_the_object_by_ranges_from_s3(s3_reader: Callable[..., RangedObjectReader]) -> None:
    # given
    reader = s3_reader(DATA, block_size=256)

    # when
    reader.seek(300)
    middle = reader.read(100)

    # then
    assert middle == DATA[300:400]
    assert reader.bytes_fetched == 256


@pytest.mark.parametrize(
    "name",
    [
        "large.jpeg",
        "alpha.png",
        "animated.gif",
        "animated.webp",
        "clip.mov",
        "tone.mp3",
        "tone.wav",
        "doc.pdf",
    ],
)
def test_every_library_reads_through_the_s3_reader(
    name: str, sample: Callable[[str], bytes], s3_reader: Callable[..., RangedObjectReader]
) -> None:
    # given: the object in (mocked) S3, read in small blocks so that every library seeks across blocks
    data = sample(name)
    media = by_extension(name.rsplit(".", 1)[1])
    assert media is not None
    reader = s3_reader(data, block_size=1024)

    # when
    from_s3 = examine(reader, media.asset_type, media.format)

    # then: the same result as from the bytes in memory
    assert from_s3 == examine(data, media.asset_type, media.format)


def test_video_of_40_mb_is_inspected_from_a_small_part_of_it(
    sample: Callable[[str], bytes], s3_reader: Callable[..., RangedObjectReader]
) -> None:
    # given: ~40 MB of H.264 with its index at the end and a keyframe every 10 s, in (mocked) S3
    data = sample("big.mp4")
    reader = s3_reader(data)

    # when
    media, inspection = examine(reader, AssetType.VIDEO, "mp4")

    # then
    share = reader.bytes_fetched / len(data)
    print(f"40 MB video: {reader.bytes_fetched} of {len(data)} bytes ({share:.1%}) in {reader.requests} GETs")
    assert (media.format, inspection.width, inspection.height) == ("mp4", 320, 240)
    assert inspection.duration is not None and inspection.duration > 10
    assert inspection.thumbnail
    assert share < 0.25, f"fetched {reader.bytes_fetched} of {len(data)} bytes ({share:.1%})"
