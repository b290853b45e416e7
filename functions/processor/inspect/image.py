"""Images (jpg, png, gif, webp): size as displayed (EXIF orientation applied) and a thumbnail."""

from __future__ import annotations

import math
from typing import BinaryIO

from PIL import ExifTags, Image, UnidentifiedImageError

from functions.core.media import MediaFormat
from functions.processor.inspect.model import Broken, Inspection, Rejected, TooCostly
from functions.processor.inspect.thumbnail import MAX_PIXELS, THUMBNAIL_SIDE, check_pixels, jpeg_thumbnail

# Pillow parses only the format libmagic saw: no other decoder ever meets these bytes.
_PILLOW_FORMATS = {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}

# WebP decodes through libwebp's animation decoder (Pillow's only WebP reader), which keeps two
# full-size canvases and hands Pillow a copy of one before Pillow makes its own picture: 16 bytes a
# pixel in all, measured (25 MP took 387 MB), against 4 for the other formats. 24 MP (a 6000×4000
# photo) is the most that stays inside the 512 MB function.
_MAX_PIXELS = {"webp": 24_000_000}

T = Image.Transpose
# EXIF orientation → the turn that shows the picture upright (the table behind ImageOps.exif_transpose).
_ORIENTATION = {
    2: T.FLIP_LEFT_RIGHT,
    3: T.ROTATE_180,
    4: T.FLIP_TOP_BOTTOM,
    5: T.TRANSPOSE,
    6: T.ROTATE_270,
    7: T.TRANSVERSE,
    8: T.ROTATE_90,
}
_QUARTER_TURNS = {T.TRANSPOSE, T.ROTATE_270, T.TRANSVERSE, T.ROTATE_90}

# A progressive JPEG is decoded scan by scan, each a pass over the whole picture: repeating a scan
# costs its bytes once and its decoding every time (400 copies of a 10000×10000 refinement scan take
# 30 s of CPU). Encoders write about ten scans; libjpeg-turbo's tools offer to stop at 100.
MAX_JPEG_SCANS = 100
# And the passes are over coefficients held for the whole picture, 64 of 2 bytes per 8×8 block: at
# most 400 MB (100 MP in 4:2:0 needs 300, in 4:4:4 600), and at most 21 passes over 100 MP (89 over
# 24 MP), about a second of CPU.
_COEFFICIENT_BYTES_PER_BLOCK = 128
MAX_JPEG_COEFFICIENT_BYTES = 400 * 1024 * 1024
MAX_JPEG_SCAN_BLOCKS = 50_000_000
_START_OF_SCAN = b"\xff\xda"
_CHUNK = 1024 * 1024


def inspect(stream: BinaryIO, media: MediaFormat) -> Inspection:
    if media.format == "webp":
        # Pillow's WebP reader allocates its canvases when it opens the file: check the size first.
        check_pixels(*_webp_canvas(stream), _MAX_PIXELS["webp"])
    try:
        image = Image.open(stream, formats=[_PILLOW_FORMATS[media.format]])
    except Image.DecompressionBombError as exc:  # Pillow's own guard, far above MAX_PIXELS
        raise Rejected(f"Too many pixels to process: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise Broken(f"Not a readable {media.format} image") from exc
    with image:
        width, height = image.size
        check_pixels(width, height, _MAX_PIXELS.get(media.format, MAX_PIXELS))  # before anything is decoded
        if media.format == "jpg":
            _check_jpeg_cost(image, stream)
        transpose = _ORIENTATION.get(image.getexif().get(ExifTags.Base.Orientation))
        if transpose in _QUARTER_TURNS:
            width, height = height, width
        # JPEG only (a no-op elsewhere): the decoder scales by 1/2, 1/4 or 1/8 while decoding, so a
        # large photo is never decoded at full size. Animated GIF/WebP open on their first frame.
        image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        return Inspection(width=width, height=height, thumbnail=jpeg_thumbnail(image, transpose))


def _check_jpeg_cost(image: Image.Image, stream: BinaryIO) -> None:
    """Refuse a progressive JPEG whose decoding would cost more than any photo's, before decoding any
    of it. A sequential JPEG is decoded in one pass whatever follows its scans: nothing to count."""
    if not image.info.get("progressive"):
        return
    scans = _count_scans(stream)
    if scans > MAX_JPEG_SCANS:
        raise TooCostly(f"the JPEG has more than {MAX_JPEG_SCANS} scans (encoders write about ten)")
    blocks = _blocks(image)
    if blocks * _COEFFICIENT_BYTES_PER_BLOCK > MAX_JPEG_COEFFICIENT_BYTES:
        megabytes = blocks * _COEFFICIENT_BYTES_PER_BLOCK // (1024 * 1024)
        raise TooCostly(f"this progressive JPEG needs {megabytes} MB to decode (at most {MAX_JPEG_COEFFICIENT_BYTES // (1024 * 1024)})")
    if scans * blocks > MAX_JPEG_SCAN_BLOCKS:
        raise TooCostly(f"{scans} progressive scans over {image.width}×{image.height} pixels")


def _count_scans(stream: BinaryIO) -> int:
    """The start-of-scan markers in the file, counted up to one past the limit. Inside a scan's coded
    data every 0xFF byte is followed by 0x00 or a restart marker, so each one found is a real one."""
    position = stream.tell()
    stream.seek(0)
    scans, tail = 0, b""
    while scans <= MAX_JPEG_SCANS and (chunk := stream.read(_CHUNK)):
        scans += (tail + chunk).count(_START_OF_SCAN)
        tail = chunk[-1:]
    stream.seek(position)
    return scans


def _blocks(image: Image.Image) -> int:
    """8×8 blocks over every component, by their sampling factors (Pillow's `layer`: id, h, v, table)."""
    most_h = max(h for _, h, _, _ in image.layer)
    most_v = max(v for _, _, v, _ in image.layer)
    return sum(
        math.ceil(image.width * h / most_h / 8) * math.ceil(image.height * v / most_v / 8) for _, h, v, _ in image.layer
    )


def _webp_canvas(stream: BinaryIO) -> tuple[int, int]:
    """Width and height from a WebP's first chunk header (RFC 9649), (0, 0) when it names none: then
    Pillow reports what is wrong."""
    stream.seek(0)
    head = stream.read(30)
    stream.seek(0)
    chunk = head[12:16]
    if chunk == b"VP8X" and len(head) >= 30:  # extended: the canvas, 24 bits each, minus one
        return 1 + int.from_bytes(head[24:27], "little"), 1 + int.from_bytes(head[27:30], "little")
    if chunk == b"VP8L" and len(head) >= 25:  # lossless: 14 bits each, minus one
        bits = int.from_bytes(head[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + (bits >> 14 & 0x3FFF)
    if chunk == b"VP8 " and len(head) >= 30:  # lossy: 14 bits each after the frame tag and start code
        return int.from_bytes(head[26:28], "little") & 0x3FFF, int.from_bytes(head[28:30], "little") & 0x3FFF
    return 0, 0
