"""Videos as cameras, phones and editing tools write them, made with PyAV's own encoders: HEVC
(x265, what current phones record) in mp4 or mov under either sample entry (`hvc1`, `hev1`), ProRes
in mov, anamorphic pixels (a sample aspect ratio), a display-matrix rotation (phones store portrait
clips landscape), variable frame timing on a 1/600 s clock (iPhone's).

The pictures follow tests.media.generate: a yellow top-left quadrant as stored, red frames before
1 s and blue from 1 s.
"""

from __future__ import annotations

import io
from fractions import Fraction

import av

from tests.media.generate import BLUE, RED, picture

# x265 prints its settings at every open; errors are still shown.
_QUIET_X265 = {"x265-params": "log-level=error"}


def encoded_video(
    codec: str = "libx264",
    container: str = "mp4",
    width: int = 320,
    height: int = 240,
    seconds: float = 2.0,
    fps: int = 25,
    pix_fmt: str = "yuv420p",
    tag: str | None = None,
    sample_aspect_ratio: Fraction | None = None,
    rotation: int | None = None,
    frame_times: list[float] | None = None,
    options: dict[str, str] | None = None,
) -> bytes:
    """A clip in `codec`, its `tag` the container's sample entry (`hvc1`/`hev1` for HEVC). `rotation`
    is the display matrix's counterclockwise turn (a phone's portrait clip is -90). `frame_times`
    (seconds) replace the constant frame rate: variable timing on a 1/600 s clock. `options` go to
    the encoder."""
    out = io.BytesIO()
    with av.open(out, "w", format=container) as output:
        quiet = _QUIET_X265 if codec == "libx265" else {}
        stream = output.add_stream(codec, rate=fps, options={**quiet, **(options or {})})
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if tag is not None:
            stream.codec_tag = tag
        if sample_aspect_ratio is not None:
            stream.codec_context.sample_aspect_ratio = sample_aspect_ratio
        if rotation is not None:
            stream.set_display_rotation(rotation)
        if frame_times is not None:
            stream.codec_context.time_base = Fraction(1, 600)
        times = frame_times or [index / fps for index in range(round(seconds * fps))]
        for at in times:
            frame = av.VideoFrame.from_image(picture(width, height, RED if at < 1.0 else BLUE))
            if frame_times is not None:
                frame.pts, frame.time_base = round(at * 600), Fraction(1, 600)
            output.mux(stream.encode(frame))
        output.mux(stream.encode())
    return out.getvalue()


def with_sample_entry(data: bytes, old: bytes, new: bytes) -> bytes:
    """The file with its video sample entry (the codec's four-character code inside `stsd`) renamed:
    a codec FFmpeg does not know."""
    at = data.index(old, data.index(b"stsd"))
    return data[:at] + new + data[at + len(new) :]
