"""The sample counts of an MP4's or a MOV's tracks, read from box headers before FFmpeg builds its index:
a table of millions is refused the same way whatever the worker's memory holds."""

from __future__ import annotations

import io
import struct

import pytest

from functions.core.media import by_format
from functions.processor.inspect import video
from functions.processor.inspect.isobmff import sample_counts
from functions.processor.inspect.model import TooCostly
from tests.media import bombs, generate

MP4 = by_format("mp4")


@pytest.mark.parametrize(("container", "faststart"), [("mp4", False), ("mp4", True), ("mov", False)])
def test_a_real_files_tables_count_its_frames(container: str, faststart: bool) -> None:
    # given: 2 s at 25 fps, the index at the end or (faststart) at the start
    data = generate.video(seconds=2.0, fps=25, container=container, faststart=faststart)

    # when
    counts = sample_counts(io.BytesIO(data), len(data))

    # then
    assert counts == [50]


def test_a_table_of_millions_is_refused_before_ffmpeg_opens_the_file() -> None:
    # given: a 5 MB file whose sample table lists 1,000,001 one-byte samples
    data = bombs.mp4_sample_table_millions(samples=video.MAX_INDEXED_FRAMES + 1)

    # when
    with pytest.raises(TooCostly) as refused:
        video.inspect(io.BytesIO(data), MP4)

    # then
    assert (
        refused.value.reason
        == "Too costly to process: the video's index lists 1,000,001 frames (at most 1,000,000)"
    )


def test_a_64_bit_box_size_is_followed() -> None:
    # given: a moov written with a 64-bit size, holding one track's sample table of 7 samples
    stsz = struct.pack(">I4s", 20, b"stsz") + struct.pack(">III", 0, 0, 7)
    nested = stsz
    for kind in (b"stbl", b"minf", b"mdia", b"trak"):
        nested = struct.pack(">I4s", 8 + len(nested), kind) + nested
    moov = struct.pack(">I4sQ", 1, b"moov", 16 + len(nested)) + nested
    data = struct.pack(">I4s4s", 12, b"ftyp", b"isom") + moov

    # when / then
    assert sample_counts(io.BytesIO(data), len(data)) == [7]


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x00\x00\x04moov", b"\x00\x00\x00\x10moov\x00\x00", bytes(range(256)) * 4],
    ids=["empty", "box shorter than its header", "cut short", "noise"],
)
def test_what_is_not_a_box_tree_counts_nothing_and_raises_nothing(data: bytes) -> None:
    assert sample_counts(io.BytesIO(data), len(data)) == []
