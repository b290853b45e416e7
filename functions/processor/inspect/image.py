"""Images (jpg, png, gif, webp): size as displayed (EXIF orientation applied) and a thumbnail.

What is shown follows what browsers show. Orientation comes from EXIF alone: an orientation recorded
only in XMP is not applied (Pillow's getexif() would take it from XMP). A JPEG cut short is shown
with what arrived, the rest flat grey, when the missing part is a sliver at the bottom (only its end
marker or its last kilobytes lost); a larger loss is `Broken`, saying how much is missing.
"""

from __future__ import annotations

import math
import struct
from typing import BinaryIO

from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

from functions.core.media import MediaFormat
from functions.processor.inspect.model import Broken, Inspection, Rejected, TooCostly
from functions.processor.inspect.thumbnail import MAX_PIXELS, THUMBNAIL_SIDE, check_pixels, jpeg_thumbnail

# Pillow parses only the format libmagic saw: no other decoder ever meets these bytes.
PILLOW_FORMATS = {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}

# WebP decodes through libwebp's animation decoder (Pillow's only WebP reader), which keeps two
# full-size canvases and hands Pillow a copy of one before Pillow makes its own picture: 16 bytes a
# pixel in all, measured (25 MP took 387 MB), against 4 for the other formats. 24 MP (a 6000×4000
# photo) is the most that stays inside the 512 MB function.
MAX_PIXELS_BY_FORMAT = {"webp": 24_000_000}

T = Image.Transpose
# EXIF orientation → the turn that shows the picture upright (the table behind ImageOps.exif_transpose).
ORIENTATION = {
    2: T.FLIP_LEFT_RIGHT,
    3: T.ROTATE_180,
    4: T.FLIP_TOP_BOTTOM,
    5: T.TRANSPOSE,
    6: T.ROTATE_270,
    7: T.TRANSVERSE,
    8: T.ROTATE_90,
}
QUARTER_TURNS = {T.TRANSPOSE, T.ROTATE_270, T.TRANSVERSE, T.ROTATE_90}

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

# A JPEG that ends early is shown when the part never received (libjpeg fills it with zero
# coefficients: flat mid grey, as browsers show it) is at most this share of its height.
MAX_MISSING_SHARE = 0.05
TRUNCATED = "image file is truncated"  # Pillow's OSError when the data end before the picture
_MISSING_GREY = (127, 128)  # zero coefficients: 128 in each component, 127 once Adobe CMYK is inverted


def inspect(stream: BinaryIO, media: MediaFormat) -> Inspection:
    try:
        return _inspect(stream, media, truncated=False)
    except OSError as exc:
        if media.format != "jpg" or not str(exc).startswith(TRUNCATED):
            raise
    return _inspect(stream, media, truncated=True)


def _inspect(stream: BinaryIO, media: MediaFormat, truncated: bool) -> Inspection:
    if media.format == "webp":
        # Pillow's WebP reader allocates its canvases when it opens the file: check the size first.
        check_pixels(*webp_canvas(stream), MAX_PIXELS_BY_FORMAT["webp"])
    try:
        image = Image.open(stream, formats=[PILLOW_FORMATS[media.format]])
    except Image.DecompressionBombError as exc:  # Pillow's own guard, far above MAX_PIXELS
        raise Rejected(f"Too many pixels to process: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise Broken(f"Not a readable {media.format} image") from exc
    with image:
        width, height = image.size
        check_pixels(width, height, MAX_PIXELS_BY_FORMAT.get(media.format, MAX_PIXELS))  # before anything is decoded
        if media.format == "jpg":
            check_jpeg_cost(image, stream)
        transpose = ORIENTATION.get(exif_orientation(image))
        if transpose in QUARTER_TURNS:
            width, height = height, width
        # JPEG only (a no-op elsewhere): the decoder scales by 1/2, 1/4 or 1/8 while decoding, so a
        # large photo is never decoded at full size. Animated GIF/WebP open on their first frame.
        image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        if truncated:
            load_what_arrived(image)
        return Inspection(width=width, height=height, thumbnail=jpeg_thumbnail(image, transpose))


def exif_orientation(image: Image.Image) -> int | None:
    """The orientation in the file's EXIF, as browsers read it: none from XMP, none from EXIF they
    cannot parse."""
    exif = Image.Exif()
    try:
        exif.load(image.info.get("exif"))
    except (SyntaxError, ValueError, struct.error):  # Pillow's errors for a malformed TIFF structure
        return None
    return exif.get(ExifTags.Base.Orientation)


def load_what_arrived(image: Image.Image) -> None:
    """Decode a JPEG whose data end early, as browsers do (Pillow then hands libjpeg an end marker),
    and refuse it when more than MAX_MISSING_SHARE of its rows never arrived."""
    tolerant = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # read at decoding time; the worker decodes one file at a time
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = tolerant
    missing = _missing_rows(image) / image.height
    if missing > MAX_MISSING_SHARE:
        raise Broken(f"Cannot read this jpg file: {TRUNCATED} (the bottom {missing:.0%} of the picture is missing)")


def _missing_rows(image: Image.Image) -> int:
    """How many rows at the bottom are the flat grey of data never received: found by halving, as
    they run from where the data stopped to the last row."""
    def missing_from(row: int) -> bool:
        extrema = image.crop((0, row, image.width, image.height)).getextrema()
        bands = extrema if isinstance(extrema[0], tuple) else (extrema,)
        return all(_MISSING_GREY[0] <= low and high <= _MISSING_GREY[1] for low, high in bands)

    first, last = 0, image.height  # rows from `last` on are missing; not all from `first` on are
    if missing_from(0):
        return image.height
    while last - first > 1:
        middle = (first + last) // 2
        first, last = (first, middle) if missing_from(middle) else (middle, last)
    return image.height - last


def check_jpeg_cost(image: Image.Image, stream: BinaryIO) -> None:
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


def webp_canvas(stream: BinaryIO) -> tuple[int, int]:
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
