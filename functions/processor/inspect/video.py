"""Videos (mp4, mov) through FFmpeg (PyAV): size as displayed, duration, and a thumbnail of the
frame at 1 s as displayed.

As displayed: the picture's pixels may not be square (anamorphic DV and DVD, 720×480 with a sample
aspect ratio of 10:11 shows as 655×480), and phones store a portrait clip landscape with a turn in
its display matrix. The width is scaled by the sample aspect ratio and the height kept, as players
and FFmpeg's `scale=iw*sar:ih` do, to the nearest pixel (654.5… → 655, where that filter truncates
to 654): the width:height closest to ffprobe's display_aspect_ratio (15:11). Then the turn swaps
the sides. The thumbnail is scaled to that aspect as it is converted from the decoded frame, then
turned.

FFmpeg reads the container index (the `moov` box), seeks to the keyframe at or before 1 s, and
decodes from there up to the frame at 1 s: only that stretch of the file is read, however long the
video. Decoding uses slice threads only: frame threads hold back the first picture until several
packets are queued, which reads and decodes more than the one frame needed.
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import BinaryIO

import av
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream
from PIL import Image

from functions.core.media import MediaFormat
from functions.processor.inspect.isobmff import sample_counts
from functions.processor.inspect.model import Broken, Inspection, TooCostly
from functions.processor.inspect.thumbnail import THUMBNAIL_SIDE, check_pixels, jpeg_thumbnail

THUMBNAIL_AT = 1.0  # seconds; clips shorter than this show their first frame
# No real video holds a frame for longer on average (a slideshow still repeats frames); a longer
# step means a corrupt time base (e.g. an `mdhd` timescale of 1 or 0).
MAX_FRAME_SECONDS = 60.0
# Frames decoded from the keyframe before the thumbnail's moment: a keyframe every 10 s at 60 fps is
# 600; past this, the thumbnail is the frame reached (a hostile file can place its keyframe hours back).
MAX_SEEK_FRAMES = 600
# Nor more pixels than 240 frames of 4K: decoding costs by the pixel, and 8K or 100 MP frames reach
# this long before MAX_SEEK_FRAMES.
MAX_SEEK_PIXELS = 2_000_000_000
# Frames a video's index may list: a 50 MB file of two hours at 60 fps has 432,000; an index of
# millions (a sample table that is most of the file) costs seconds to walk and is refused first.
MAX_INDEXED_FRAMES = 1_000_000

# Quarter turns counterclockwise (FFmpeg's display-matrix convention) → the same turn in Pillow.
TURNS = {1: Image.Transpose.ROTATE_90, 2: Image.Transpose.ROTATE_180, 3: Image.Transpose.ROTATE_270}


def inspect(stream: BinaryIO, media: MediaFormat) -> Inspection:
    size = stream.seek(0, io.SEEK_END)
    _check_index_size(max(sample_counts(stream, size), default=0))
    stream.seek(0)
    with av.open(stream, mode="r") as container:
        if not container.streams.video:
            raise Broken(f"The {media.format} file has no video stream")
        video = container.streams.video[0]
        if video.codec_context is None:  # FFmpeg has no decoder for it, or does not know the codec
            raise Broken(f"The {media.format} file's video is in a codec this service cannot decode")
        video.thread_type = "SLICE"
        check_pixels(video.width, video.height)
        _check_index_size(len(video.index_entries))
        # A file cut short after its index (`moov` first) still opens and may even show a frame.
        if max((entry.pos + entry.size for entry in video.index_entries), default=0) > size:
            raise Broken(f"The {media.format} file is truncated: its index points past the end of the file")
        frame, duration = thumbnail_frame(container, video)
        if frame is None:
            codec = video.codec_context.name
            raise Broken(f"No {codec} video frame could be decoded from the {media.format} file")
        # ffprobe's choice: the container's aspect (`pasp`) first, else the codec's own (H.264's VUI).
        pixel_aspect = video.sample_aspect_ratio
        # The display matrix (phones record portrait video as turned landscape) comes with the frame.
        turns = quarter_turns(frame)
        width, height = displayed(video.width, video.height, pixel_aspect)
        if turns % 2:
            width, height = height, width
        # The frame decoded may differ in size from the headers': its own size is shown.
        shown_width, shown_height = displayed(frame.width, frame.height, pixel_aspect)
        scale = min(1.0, THUMBNAIL_SIDE / max(shown_width, shown_height))
        # swscale scales to the displayed aspect while converting to RGB, so no full-size RGB picture
        # is ever made.
        picture = frame.to_image(
            width=max(1, round(shown_width * scale)),
            height=max(1, round(shown_height * scale)),
            interpolation="AREA",
        )
        return Inspection(
            width=width,
            height=height,
            duration=duration,
            thumbnail=jpeg_thumbnail(picture, TURNS.get(turns)),
        )


def _check_index_size(frames: int) -> None:
    if frames > MAX_INDEXED_FRAMES:
        raise TooCostly(f"the video's index lists {frames:,} frames (at most {MAX_INDEXED_FRAMES:,})")


def thumbnail_frame(container: InputContainer, video: VideoStream) -> tuple[VideoFrame | None, float | None]:
    """The frame the thumbnail shows (at THUMBNAIL_AT, the first for a shorter clip or when that one
    cannot be decoded), None when none can; and the video's duration. Renditions show it too."""
    duration = _duration(container, video)
    at = THUMBNAIL_AT if duration is not None and duration >= THUMBNAIL_AT else 0.0
    return _frame_at(container, video, at) or _frame_at(container, video, 0.0), duration


def quarter_turns(frame: VideoFrame) -> int:
    """How many quarter turns the frame's display matrix asks for (TURNS: the transpose for each)."""
    return round(frame.rotation / 90) % 4


def displayed(width: int, height: int, pixel_aspect: Fraction | None) -> tuple[int, int]:
    """The size a width×height picture of pixels `pixel_aspect` wide to 1 high shows at, unturned."""
    if pixel_aspect is None:  # unset (0:1): square pixels
        return width, height
    return max(1, int(width * pixel_aspect + Fraction(1, 2))), height


def _duration(container: InputContainer, video: VideoStream) -> float | None:
    """What the video's own frames span; the headers' figures (`mvhd`, `mdhd`) only where the index
    has too few frames to tell. Either is checked: a corrupt time base makes absurd durations."""
    stamps = sorted(entry.timestamp for entry in video.index_entries)
    if len(stamps) >= 2 and video.time_base:
        step = (stamps[-1] - stamps[0]) / (len(stamps) - 1)  # the last frame lasts as long as the average
        duration = round(float((stamps[-1] - stamps[0] + step) * video.time_base), 3)
        if duration <= 0 or duration / len(stamps) > MAX_FRAME_SECONDS:
            raise Broken(
                f"The video's timing is implausible: {len(stamps)} frames over {duration:g} s (a corrupt time base)"
            )
        return duration
    if container.duration is not None:
        return round(container.duration / av.time_base, 3)
    if video.duration is not None:
        return round(float(video.duration * video.time_base), 3)
    return None


def _frame_at(container: InputContainer, video: VideoStream, seconds: float) -> VideoFrame | None:
    """The first frame at or after `seconds`, decoded from the keyframe before it; the last frame if
    the video ends first; None if seeking or decoding yields nothing."""
    target = (video.start_time or 0) + int(seconds / video.time_base)
    try:
        container.seek(target, stream=video)  # backward: lands on the keyframe at or before target
        frame, pixels = None, 0
        for decoded, frame in enumerate(container.decode(video), start=1):
            # The headers' size is the first frame's: a stream may change size later (16×16, then
            # 12000×12000), so every decoded frame is held to the limit.
            check_pixels(frame.width, frame.height)
            pixels += frame.width * frame.height
            if frame.pts is None or frame.pts >= target or decoded >= MAX_SEEK_FRAMES or pixels >= MAX_SEEK_PIXELS:
                break
        return frame
    except av.FFmpegError:
        return None
