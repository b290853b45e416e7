"""Durations from the stream, not from assumptions: WAV in every codec the format allows, MP3 whose
Xing table counts no frames, and the truncation guard held against the real length (issue 15)."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable

import av
import pytest

from functions.core.media import AssetType, by_extension
from functions.processor.inspect import Broken, RangedObjectReader, TooCostly, examine, inspect, mpeg
from functions.processor.inspect.riff import MAX_CHUNKS
from functions.processor.inspect.source import DEFAULT_READAHEAD_BLOCKS
from tests.media import bombs
from tests.media.audio import (
    cut_samples,
    duration_by_demuxer,
    mp3_of,
    riff_chunks,
    wav_of,
    with_byte_rate,
    with_xing_frames,
    without_chunk,
)

# Encoders pad their last block or frame (ADPCM blocks, LAME's delay and padding): a few tens of ms.
TOLERANCE = 0.05


def duration_of(data: bytes, fmt: str) -> float | None:
    return examine(data, AssetType.AUDIO, fmt)[1].duration


@pytest.mark.parametrize(
    ("codec", "channels"),
    [
        ("pcm_u8", 1),
        ("pcm_s16le", 2),
        ("pcm_s16le", 6),  # WAVE_FORMAT_EXTENSIBLE for more than two channels
        ("pcm_s24le", 1),  # WAVE_FORMAT_EXTENSIBLE for samples over 16 bits
        ("pcm_s32le", 2),
        ("pcm_f32le", 1),  # IEEE float, with a fact chunk
        ("pcm_mulaw", 1),
        ("pcm_alaw", 1),
        ("adpcm_ms", 1),
        ("adpcm_ms", 2),
        ("adpcm_ima_wav", 1),
        ("adpcm_ima_wav", 2),
        ("mp3", 1),  # MP3 in WAV, format tag 0x55
    ],
)
def test_a_wav_of_any_codec_reports_the_duration_of_its_samples(codec: str, channels: int) -> None:
    # given: 1.5 s written by FFmpeg's WAV muxer
    wav = wav_of(codec, 1.5, rate=44_100, channels=channels)

    # when
    duration = duration_of(wav, "wav")

    # then: the known length, and what FFmpeg's own demuxer says
    assert duration == pytest.approx(1.5, abs=TOLERANCE)
    assert duration == pytest.approx(duration_by_demuxer(wav), abs=TOLERANCE)


@pytest.mark.parametrize(("codec", "seconds"), [("adpcm_ms", 1.0), ("mp3", 5.04)])
def test_the_wavs_from_the_issue_report_their_length_not_milliseconds(codec: str, seconds: float) -> None:
    # given: an MS-ADPCM WAV of 1.0 s (reported 0.002 s) and MP3 in WAV of 5.04 s (reported 0.001 s)
    wav = wav_of(codec, seconds, rate=44_100)

    # when
    duration = duration_of(wav, "wav")

    # then
    assert duration == pytest.approx(seconds, abs=TOLERANCE)


@pytest.mark.parametrize(
    ("codec", "rate", "byte_rate"),
    [
        ("adpcm_ms", 22_050, 0),  # FFmpeg's own output: the samples per block say the rate
        ("adpcm_ms", 22_050, 11_090),  # 22,050 Hz × 1,024-byte blocks ÷ 2,036 samples per block
        ("adpcm_ima_wav", 22_050, 0),
        ("mp3", 44_100, 0),  # the first MPEG frame's bitrate says the rate
        ("mp3", 44_100, 8_000),  # 64 kbit/s, as LAME encodes 44,100 Hz mono by default
    ],
)
def test_a_compressed_wav_without_a_fact_chunk_is_timed_by_its_byte_rate(
    codec: str, rate: int, byte_rate: int
) -> None:
    # given: the fact chunk removed, the byte rate as a writer may state it
    wav = with_byte_rate(without_chunk(wav_of(codec, 1.0, rate=rate), b"fact"), byte_rate)

    # when
    duration = duration_of(wav, "wav")

    # then
    assert duration == pytest.approx(1.0, abs=TOLERANCE)
    assert duration == pytest.approx(duration_by_demuxer(wav), abs=TOLERANCE)


def test_a_wav_whose_fact_chunk_follows_its_samples_is_timed_by_it() -> None:
    # given: fact moved after data, where some writers put it
    wav = wav_of("adpcm_ms", 1.0)
    body, size = riff_chunks(wav)[b"fact"]
    moved = without_chunk(wav, b"fact") + wav[body - 8 : body + size]

    # when
    duration = duration_of(moved, "wav")

    # then
    assert duration == duration_of(wav, "wav")


@pytest.mark.parametrize("restate_size", [False, True])
def test_a_cut_adpcm_wav_is_truncated(restate_size: bool) -> None:
    # given: half of its samples; with `restate_size` the data chunk claims only those, and only the
    # fact count still says 1 s
    cut = cut_samples(wav_of("adpcm_ms", 1.0), 0.5, restate_size)

    # when
    with pytest.raises(Broken) as broken:
        duration_of(cut, "wav")

    # then
    assert "truncated" in broken.value.reason


def test_a_wav_of_many_chunks_is_refused_after_reading_only_the_first() -> None:
    # given: empty chunks between the format and the samples, one more than the cap
    wav = bombs.wav_many_chunks(chunks=MAX_CHUNKS)

    # when
    with pytest.raises(TooCostly) as refused:
        duration_of(wav, "wav")

    # then
    assert "chunks" in refused.value.reason


def test_a_wav_is_timed_from_its_first_block_alone(s3_reader: Callable[..., RangedObjectReader]) -> None:
    # given: 3 MB of PCM with a tag chunk after the samples, in (mocked) S3
    wav = wav_of("pcm_s16le", 30.0, rate=48_000)
    tag = b"LIST" + (26).to_bytes(4, "little") + bytes(26)
    reader = s3_reader(wav + tag)
    media = by_extension("wav")
    assert media is not None

    # when
    inspection = inspect(media, reader)

    # then: one GET, of the first block
    assert inspection.duration == 30.0
    assert reader.requests == 1


def test_an_mp3_whose_xing_table_counts_no_frames_is_timed_by_its_bitrate() -> None:
    # given: 0.13 s of LAME audio whose Info table says 0 frames (reported "holds no audio")
    mp3 = with_xing_frames(mp3_of(0.13), 0)

    # when
    duration = duration_of(mp3, "mp3")

    # then
    assert duration == pytest.approx(0.13, abs=TOLERANCE)
    assert duration == pytest.approx(duration_by_demuxer(mp3), abs=TOLERANCE)


def test_an_mp3_that_is_only_an_empty_xing_frame_holds_no_audio() -> None:
    # given: the Info frame alone, counting 0 frames, with nothing after it
    whole = with_xing_frames(mp3_of(0.13), 0)
    tag = whole.find(b"Info")
    frame_start = whole.rfind(b"\xff", 0, tag)  # the first byte of the frame's sync
    frame_bytes = 144 * 56_000 // 44_100  # FFmpeg's Info frame: the smallest bitrate that fits, 56 kbit/s
    alone = whole[: frame_start + frame_bytes]

    # when
    with pytest.raises(Broken) as broken:
        duration_of(alone, "mp3")

    # then
    assert broken.value.reason == "The mp3 file holds no audio"


_MPEG1_LAYER3_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)


def silent_frame(kbps: int) -> bytes:
    """One valid MPEG-1 layer III frame, 44.1 kHz mono, of silence (zero side info and data)."""
    header = bytes([0xFF, 0xFB, _MPEG1_LAYER3_KBPS.index(kbps) << 4, 0xC4])
    return header + bytes(144 * kbps * 1000 // 44_100 - 4)


def decoded_seconds(data: bytes) -> float:
    """What FFmpeg's decoder plays: every sample it outputs."""
    with av.open(io.BytesIO(data)) as container:
        frames = list(container.decode(audio=0))
    return sum(frame.samples for frame in frames) / frames[0].sample_rate


def test_an_mp3_with_an_empty_xing_table_and_varying_bitrates_is_timed_by_its_frames() -> None:
    # given: like mutagen's bad-xing.mp3, a table counting 0 frames, then frames whose bitrates differ
    # (a 32 kbit/s frame first, which made size ÷ its bitrate claim 5.3 s) and a last frame cut short
    audio = silent_frame(32) + silent_frame(320) * 20
    mp3 = (bombs.mp3_xing(0, len(audio)) + audio)[:-300]

    # when
    duration = duration_of(mp3, "mp3")

    # then: the frames there are, as FFmpeg decodes them (21 × 1,152 samples)
    assert duration == pytest.approx(decoded_seconds(mp3), abs=0.001)
    assert duration == pytest.approx(21 * 1152 / 44_100, abs=0.001)


def test_an_mp3_with_an_empty_xing_table_drops_the_delay_and_padding_its_lame_tag_states() -> None:
    # given: 3 s by LAME through FFmpeg; its table's frame count zeroed, its LAME tag kept
    intact = mp3_of(3.0)
    emptied = with_xing_frames(intact, 0)

    # when
    duration = duration_of(emptied, "mp3")

    # then: what FFmpeg decodes from the intact file, to the millisecond (the frames alone are 3.03 s)
    assert duration == pytest.approx(decoded_seconds(intact), abs=0.001)
    assert duration == pytest.approx(3.0, abs=0.001)


def test_a_long_mp3_with_an_empty_xing_table_is_walked_only_up_to_the_cap(
    s3_reader: Callable[..., RangedObjectReader],
) -> None:
    # given: 8 MB of 320 kbit/s frames (200 s) after a table counting none, in (mocked) S3
    frames = 8 * 1024 * 1024 // len(silent_frame(320))
    audio = silent_frame(320) * frames
    reader = s3_reader(bombs.mp3_xing(0, len(audio)) + audio)
    media = by_extension("mp3")
    assert media is not None

    # when
    inspection = inspect(media, reader)

    # then: the rest estimated from the walked frames; little more than the cap fetched
    assert inspection.duration == pytest.approx(frames * 1152 / 44_100, abs=TOLERANCE)
    assert reader.bytes_fetched <= mpeg.MAX_WALKED_BYTES + 2 * reader.block_size * DEFAULT_READAHEAD_BLOCKS


def with_fact_samples(wav: bytes, samples: int) -> bytes:
    """The WAV with its `fact` chunk's sample count replaced."""
    fact, _ = riff_chunks(wav)[b"fact"]
    return wav[:fact] + struct.pack("<I", samples) + wav[fact + 4 :]


@pytest.mark.parametrize(
    ("codec", "rate"),
    [
        ("mp3", 8_000),  # MPEG-2.5, as in Audio::Scan's 8kmp38.wav (fact 13.811 s, frames 13.536 s)
        ("mp3", 44_100),
        ("adpcm_ms", 22_050),
        ("adpcm_ima_wav", 22_050),
    ],
)
def test_a_fact_count_over_what_the_samples_hold_is_held_to_them(codec: str, rate: int) -> None:
    # given: a compressed WAV whose fact chunk counts 5 % more samples than its data chunk holds
    # (within the truncation tolerance, so it is not a cut file)
    wav = wav_of(codec, 4.0, rate=rate)
    held = decoded_seconds(wav)
    inflated = with_fact_samples(wav, round(held * 1.05 * rate))

    # when
    duration = duration_of(inflated, "wav")

    # then: what FFmpeg decodes from the data chunk, not the count
    assert duration == pytest.approx(held, abs=0.001)
    assert duration == pytest.approx(decoded_seconds(inflated), abs=0.001)
