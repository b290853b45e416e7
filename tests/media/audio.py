"""Audio as encoders other than ours write it: WAV in every codec the format allows, and MP3 with a
Xing table that lies, all made by FFmpeg through PyAV.

    wav_of(codec, seconds)        -> bytes   # codec: pcm_s16le, pcm_f32le, adpcm_ms, pcm_mulaw, mp3, …
    mp3_of(seconds)               -> bytes   # LAME, with its Xing/Info frame
    with_xing_frames(mp3, frames) -> bytes   # the same MP3 with the Xing table's frame count replaced
    duration_by_demuxer(data)     -> float   # what FFmpeg's own demuxer says, as ffprobe would
"""

from __future__ import annotations

import array
import io
import math
import struct

import av

# The sample format each encoder takes, and the array type and full scale of one sample in it.
_SAMPLE_FORMAT = {
    "pcm_u8": "u8",
    "pcm_s16le": "s16",
    "pcm_s24le": "s32",
    "pcm_s32le": "s32",
    "pcm_f32le": "flt",
    "pcm_f64le": "dbl",
    "pcm_mulaw": "s16",
    "pcm_alaw": "s16",
    "adpcm_ms": "s16",
    "adpcm_ima_wav": "s16p",
    "libmp3lame": "s16p",
}
_SAMPLES = {"u8": ("B", 127), "s16": ("h", 2**15 - 1), "s16p": ("h", 2**15 - 1), "s32": ("i", 2**31 - 1),
            "flt": ("f", 1.0), "dbl": ("d", 1.0)}


def _frame(first: int, count: int, rate: int, sample_format: str, layout: str, channels: int) -> av.AudioFrame:
    """`count` samples of a 440 Hz sine at a quarter of full scale, from sample `first` on."""
    typecode, full_scale = _SAMPLES[sample_format]
    offset = 128 if sample_format == "u8" else 0
    kind = int if typecode in "Bhi" else float
    sine = [kind(offset + 0.25 * full_scale * math.sin(2 * math.pi * 440 * (first + i) / rate))
            for i in range(count)]
    planar = sample_format.endswith("p")
    planes = [sine] * channels if planar else [[value for value in sine for _ in range(channels)]]
    frame = av.AudioFrame(format=sample_format, layout=layout, samples=count)
    for plane, values in zip(frame.planes, planes, strict=True):
        data = array.array(typecode, values).tobytes()
        plane.update(data + bytes(plane.buffer_size - len(data)))
    frame.sample_rate, frame.pts = rate, first
    return frame


def _encode(container: str, codec: str, seconds: float, rate: int, channels: int) -> bytes:
    out = io.BytesIO()
    layout = {1: "mono", 2: "stereo", 6: "5.1"}[channels]
    with av.open(out, "w", format=container) as output:
        stream = output.add_stream(codec, rate=rate, layout=layout)
        total = round(seconds * rate)
        step = stream.codec_context.frame_size or 1024  # ADPCM and MP3 take whole frames
        for first in range(0, total, step):
            frame = _frame(first, min(step, total - first), rate, _SAMPLE_FORMAT[codec], layout, channels)
            output.mux(stream.encode(frame))
        output.mux(stream.encode())
    return out.getvalue()


def wav_of(codec: str, seconds: float, rate: int = 22_050, channels: int = 1) -> bytes:
    """A WAV of a sine written by FFmpeg's muxer: a `fact` chunk for every codec but PCM, and
    WAVE_FORMAT_EXTENSIBLE for samples over 16 bits or more than two channels. `mp3` is MP3 in WAV
    (format tag 0x55)."""
    return _encode("wav", "libmp3lame" if codec == "mp3" else codec, seconds, rate, channels)


def mp3_of(seconds: float, rate: int = 44_100) -> bytes:
    """An MP3 by LAME through FFmpeg's muxer: an ID3v2 tag, then an Info (Xing) frame with the count."""
    return _encode("mp3", "libmp3lame", seconds, rate, 1)


def with_xing_frames(mp3: bytes, frames: int) -> bytes:
    """The MP3 with its Xing/Info table's frame count replaced (the table must hold one)."""
    tag = next(offset for offset in (mp3.find(b"Xing"), mp3.find(b"Info")) if offset >= 0)
    (flags,) = struct.unpack_from(">I", mp3, tag + 4)
    assert flags & 0x1, "the Xing table holds no frame count"
    return mp3[: tag + 8] + struct.pack(">I", frames) + mp3[tag + 12 :]


def duration_by_demuxer(data: bytes) -> float:
    """The audio stream's duration as FFmpeg's demuxer reports it (what ffprobe prints)."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        if stream.duration is not None:
            return float(stream.duration * stream.time_base)
        return container.duration / av.time_base


def riff_chunks(wav: bytes) -> dict[bytes, tuple[int, int]]:
    """Each top-level chunk's id → (offset of its body, size its header states)."""
    found, position = {}, 12
    while position + 8 <= len(wav):
        chunk_id, size = struct.unpack_from("<4sI", wav, position)
        found[chunk_id] = (position + 8, size)
        position += 8 + size + (size & 1)
    return found


def without_chunk(wav: bytes, chunk_id: bytes) -> bytes:
    """The WAV without one chunk (its RIFF size left as it was: readers do not rely on it)."""
    body, size = riff_chunks(wav)[chunk_id]
    return wav[: body - 8] + wav[body + size + (size & 1) :]


def with_byte_rate(wav: bytes, bytes_per_second: int) -> bytes:
    """The WAV with its format chunk's average byte rate replaced (FFmpeg writes 0 for ADPCM and MP3)."""
    fmt, _ = riff_chunks(wav)[b"fmt "]
    return wav[: fmt + 8] + struct.pack("<I", bytes_per_second) + wav[fmt + 12 :]


def cut_samples(wav: bytes, keep: float, restate_size: bool) -> bytes:
    """The WAV with only `keep` of its samples; `restate_size` makes the data chunk claim only those
    (a file cut and repaired by a tool that knows nothing of the `fact` count)."""
    data, size = riff_chunks(wav)[b"data"]
    kept = int(size * keep)
    head = wav[: data - 4] + struct.pack("<I", kept) if restate_size else wav[:data]
    return head + wav[data : data + kept]
