"""The hostile corpus: what an upload service on the internet is sent, made by this script.

    python -m tests.reliability.hostile DIR     # writes every file case and a manifest.json to DIR

Two kinds of case:

- FileCase: bytes plus what the client declares for them (name, type, format, Content-Type, size).
  They go the whole way: POST /api/v2/uploads, the bytes into S3, the S3 event into the processor.
  `expect` is the set of outcomes the documented rules allow: "4xx" (the API refused the
  declaration) or a terminal status ("rejected", "failed", and "ready" only for bytes that are a
  genuine allowed file whatever was claimed about them).
- RequestCase: an API request with a hostile part (a name, a URL, a JSON body, an id). `expect` is
  the set of HTTP statuses allowed; a 2xx is allowed only where the input is harmless by design
  (a name with `../` is text, never a path), and then `check` names what the test verifies.

Everything is built in memory from standard formats by hand or with the encoders the media corpus
uses (tests/media/generate.py); the over-limit object is a sparse file (`size_only`), never 50 MB of
bytes in memory. The decode-cost cases (category "decode-cost", ids `decode_cost-…`, selected with
`pytest -k decode_cost`) are the bombs of tests/media/bombs.py: small files that cost a decoder
tens of seconds or gigabytes, each to be refused within its type's inspection budget
(functions/core/topology.py INSPECTION_BUDGETS) or by a decoder-level limit.
"""

from __future__ import annotations

import io
import json
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from tests.media import bombs
from tests.media import generate as media

MB = 1024 * 1024
LIMIT = 50 * MB

# Outcomes
REJECTED, FAILED, READY, HTTP_4XX = "rejected", "failed", "ready", "4xx"


@dataclass(frozen=True)
class FileCase:
    id: str
    category: str
    what: str
    make: Callable[[], bytes] | None  # None: a sparse object of `size_only` bytes
    type: str
    format: str
    name: str = ""
    content_type: str | None = None
    declared_size: int | None = None  # what the client claims; the real size when None
    size_only: int | None = None
    expect: frozenset[str] = frozenset({REJECTED})
    reason: str = ""  # words the statusReason (or the 4xx detail) must contain, case-insensitive
    stored_format: str | None = None  # for `ready`: the format the bytes really are
    slow: bool = False  # refused only when its budget runs out (seconds): run on demand, `-k decode_cost`

    def data(self) -> bytes:
        return self.make() if self.make else b""

    @property
    def declared_name(self) -> str:
        return self.name or f"{self.id}.{self.format}"


@dataclass(frozen=True)
class RequestCase:
    id: str
    category: str
    what: str
    method: str
    path: str  # "{asset}": the caller's own ready image, "{link}": the caller's own link asset
    body: object = None  # JSON-able, or a str sent as is (malformed JSON)
    expect: frozenset[int] = frozenset({400})
    check: str = ""  # for an allowed 2xx: what else is verified (see test_hostile.py)
    headers: dict[str, str] = field(default_factory=dict)
    base64_body: bytes | None = None  # sent base64-encoded (API Gateway's binary bodies)


# ---------------------------------------------------------------------------------------------------
# Builders


def png(width: int = 64, height: int = 48) -> bytes:
    return media.encode(media.picture(width, height), "PNG")


def gif(width: int = 64, height: int = 48) -> bytes:
    return media.encode(media.picture(width, height).convert("P"), "GIF")


def webp(width: int = 64, height: int = 48) -> bytes:
    return media.encode(media.picture(width, height), "WEBP")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width×height (1-bit grey) with one row of pixel data."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = zlib.compress(bytes(1 + (width + 7) // 8))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", row) + _chunk(b"IEND", b"")


def png_text_bomb() -> bytes:
    """A small PNG with a compressed text chunk that inflates to 64 MB (Pillow stops at 1 MB)."""
    compressor = zlib.compressobj(9)
    block = bytes(MB)
    payload = b"".join(compressor.compress(block) for _ in range(64)) + compressor.flush()
    image = png()
    end = image.rindex(b"IEND") - 4
    return image[:end] + _chunk(b"zTXt", b"Comment\x00\x00" + payload) + image[end:]


def gif_with_frame(screen: tuple[int, int], frame: tuple[int, int], frames: int = 1) -> bytes:
    """A GIF whose logical screen and frames have the given sizes, each frame a few bytes of LZW
    (a clear code and an end code): a decoder that allocates the frame before decoding pays for it."""
    header = b"GIF89a" + struct.pack("<HH", *screen) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"
    one = (
        b"!\xf9\x04\x00\x01\x00\x00\x00"  # graphic control: 1/100 s
        + b"," + struct.pack("<HHHH", 0, 0, *frame) + b"\x00"
        + b"\x02\x01\x2c\x00"  # LZW min code size 2; one sub-block: clear (4), end (5)
    )
    return header + one * frames + b";"


def gif_many_frames(frames: int) -> bytes:
    """A real 64×64 animation of `frames` frames: Pillow's second frame, repeated."""
    first, second = (Image.new("RGB", (64, 64), color) for color in (media.RED, media.BLUE))
    data = media.encode(first, "GIF", save_all=True, append_images=[second], duration=20, loop=0)
    control = b"!\xf9\x04"
    start = data.index(control, data.index(control) + 1)
    return data[:-1] + data[start:-1] * (frames - 1) + b";"


def webp_canvas(width: int, height: int) -> bytes:
    """An extended WebP (VP8X) declaring a width×height canvas, then a tiny real image."""
    inner = webp(8, 8)
    vp8 = inner[12:]  # the chunks after "RIFF....WEBP"
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (
        height - 1
    ).to_bytes(3, "little")
    body = b"WEBP" + vp8x + vp8
    return b"RIFF" + struct.pack("<I", len(body)) + body


def jpeg_with_dimensions(width: int, height: int) -> bytes:
    """A small baseline JPEG whose frame header (SOF0) is patched to claim width×height."""
    data = bytearray(media.jpeg(16, 16))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def jpeg_with_segment(marker: bytes, payload: bytes) -> bytes:
    """A small JPEG with one more segment right after SOI (APP1 Exif, COM...)."""
    data = media.jpeg(64, 48)
    return data[:2] + marker + struct.pack(">H", len(payload) + 2) + payload + data[2:]


def exif(tiff: bytes) -> bytes:
    return jpeg_with_segment(b"\xff\xe1", b"Exif\x00\x00" + tiff)


def tiff_ifd(entries: list[tuple[int, int, int, int]], next_ifd: int = 0) -> bytes:
    """A little-endian TIFF header with IFD0 at offset 8: entries are (tag, type, count, value)."""
    body = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        body += struct.pack("<HHII", tag, kind, count, value)
    return b"II*\x00" + struct.pack("<I", 8) + body + struct.pack("<I", next_ifd)


ORIENTATION, SHORT, LONG, EXIF_IFD = 0x0112, 3, 4, 0x8769


def zip_archive() -> bytes:
    """A Java archive: a manifest naming a main class, and the class file's magic."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: Evil\n")
        archive.writestr("Evil.class", b"\xca\xfe\xba\xbe" + bytes(64))
    return out.getvalue()


HTML = b"<html><body><script>fetch('/api/v2/assets').then(r=>r.text()).then(alert)</script></body></html>"




CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"


def pdf_self_referencing_pages() -> bytes:
    return media.pdf_objects([CATALOG, b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"])


def pdf_mutually_referencing_pages() -> bytes:
    return media.pdf_objects(
        [
            CATALOG,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 4 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] >>",
        ]
    )


def pdf_lying_count() -> bytes:
    return media.pdf_objects([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 2147483647 >>", PAGE])


def pdf_zero_mediabox() -> bytes:
    return media.pdf_objects(
        [CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 0 0] >>"]
    )


def pdf_with_html_comment() -> bytes:
    """%PDF- first (so every sniffer says PDF), then an HTML page in a comment line."""
    document = media.pdf(1)
    header_end = document.index(b"\n") + 1
    return document[:header_end] + b"%" + HTML + b"\n" + document[header_end:]


def html_then_pdf() -> bytes:
    """An HTML page first; a PDF reader finds `%PDF-` within its first 1,024 bytes anyway."""
    return HTML + b"\n" + media.pdf(1)


def mp4_patched(**fields: int) -> bytes:
    """The 2-second test clip with header fields overwritten: mvhd_timescale, mvhd_duration,
    tkhd_duration, mdhd_timescale, mdhd_duration (all version-0 boxes, 32-bit fields)."""
    data = bytearray(media.video(seconds=2.0))
    # Offsets from the box type: version/flags (4), creation (4), modification (4), then per box.
    layout = {
        "mvhd": {"timescale": 12, "duration": 16},
        "tkhd": {"duration": 20},  # ... track id (4), reserved (4), duration
        "mdhd": {"timescale": 12, "duration": 16},
    }
    for name, value in fields.items():
        box, part = name.split("_")
        start = data.index(box.encode()) + 4
        offset = start + layout[box][part]
        data[offset : offset + 4] = struct.pack(">I", value)
    return bytes(data)


def svg_with_script() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.domain)</script></svg>'


def windows_executable() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(50) + b"PE\x00\x00" + bytes(200)


def cut(make: Callable[[], bytes], keep: float) -> Callable[[], bytes]:
    def build() -> bytes:
        data = make()
        return data[: keep if isinstance(keep, int) else int(len(data) * keep)]

    return build


# ---------------------------------------------------------------------------------------------------
# The file cases

R, F, OK = frozenset({REJECTED}), frozenset({FAILED}), frozenset({READY})
API = frozenset({HTTP_4XX})

FILE_CASES: list[FileCase] = [
    # -- spoofed extensions and declared types
    FileCase("png-declared-jpg", "spoofed type", "a PNG declared as a JPEG: same family, the bytes win",
             png, "image", "jpg", expect=OK, stored_format="png"),
    FileCase("jpeg-named-php", "spoofed type", "a real JPEG named shell.php.jpg",
             lambda: media.jpeg(64, 48), "image", "jpg", name="shell.php.jpg", expect=OK, stored_format="jpg"),
    FileCase("exe-as-jpeg", "spoofed type", "a Windows executable declared image/jpeg",
             windows_executable, "image", "jpg", reason="Invalid file type: application/x-dosexec"),
    FileCase("svg-as-png", "spoofed type", "an SVG with a script declared image/png",
             svg_with_script, "image", "png", reason="Invalid file type: image/svg+xml"),
    FileCase("html-as-pdf", "spoofed type", "an HTML page declared application/pdf",
             lambda: HTML, "document", "pdf", reason="Invalid file type: text/html"),
    FileCase("zip-as-pdf", "spoofed type", "a ZIP archive declared application/pdf",
             zip_archive, "document", "pdf", reason="Invalid file type: application/zip"),
    FileCase("mp4-as-image", "spoofed type", "an MP4 declared as a PNG image",
             media.video, "image", "png", reason="not the declared image"),
    FileCase("pdf-as-video", "spoofed type", "a PDF declared as an MP4 video",
             media.pdf, "video", "mp4", reason="not the declared video"),
    FileCase("wav-as-video", "spoofed type", "a WAV declared as a MOV video",
             media.wav, "video", "mov", reason="not the declared video"),
    FileCase("declared-exe", "spoofed type", "format exe declared as an image (refused by the API)",
             png, "image", "exe", expect=API, reason="Invalid file type"),
    FileCase("declared-svg", "spoofed type", "format svg (not on the allow-list)",
             svg_with_script, "image", "svg", expect=API, reason="Invalid file type"),
    FileCase("declared-html-content-type", "spoofed type", "format png with Content-Type text/html",
             png, "image", "png", content_type="text/html", expect=API, reason="Invalid file type: text/html"),
    FileCase("declared-family-mismatch", "spoofed type", "type image with format mp4",
             png, "image", "mp4", expect=API, reason="is video, not image"),
    FileCase("content-type-header-injection", "spoofed type", "a Content-Type with a CRLF and a second header",
             png, "image", "png", content_type="image/png\r\nX-Injected: 1", expect=API),
    # -- polyglots
    FileCase("gifar", "polyglot", "GIFAR: a GIF with a Java archive appended",
             lambda: gif() + zip_archive(), "image", "gif", reason="ZIP archive"),
    FileCase("png-zip", "polyglot", "a PNG with a ZIP archive appended",
             lambda: png() + zip_archive(), "image", "png", reason="ZIP archive"),
    FileCase("pdf-html-comment", "polyglot", "a PDF carrying an HTML page in a comment after %PDF-",
             pdf_with_html_comment, "document", "pdf", reason="HTML"),
    FileCase("html-then-pdf", "polyglot", "an HTML page followed by a PDF (libmagic says PDF)",
             html_then_pdf, "document", "pdf", reason="HTML"),
    FileCase("jpeg-html-comment", "polyglot", "a JPEG with an HTML page in its COM segment",
             lambda: jpeg_with_segment(b"\xff\xfe", HTML), "image", "jpg", reason="HTML"),
    FileCase("html-as-png", "polyglot", "an HTML page uploaded as a PNG",
             lambda: media.POLYGLOT, "image", "png", reason="Invalid file type: text/html"),
    # -- truncated and zero-length media
    FileCase("truncated-png", "truncated", "a PNG cut in half", cut(lambda: png(640, 480), 0.5), "image", "png",
             expect=F),
    FileCase("truncated-gif", "truncated", "a GIF cut after its header", cut(lambda: gif(640, 480), 40), "image", "gif",
             expect=F),
    FileCase("truncated-webp", "truncated", "a WebP cut in half", cut(lambda: webp(640, 480), 0.5), "image", "webp",
             expect=F),
    FileCase("truncated-jpeg-header", "truncated", "the first 20 bytes of a JPEG", cut(media.jpeg, 20), "image", "jpg",
             expect=F),
    FileCase("truncated-mp4", "truncated", "an MP4 (index first) cut at 60%", cut(lambda: media.video(faststart=True), 0.6),
             "video", "mp4", expect=F),
    FileCase("mp4-without-index", "truncated", "an MP4 whose moov box is missing",
             lambda: media.without_box(media.video(), b"moov"), "video", "mp4", expect=F),
    FileCase("truncated-mp3", "truncated", "the first 300 bytes of an MP3", cut(media.mp3, 300), "audio", "mp3",
             expect=F, reason="truncated"),
    FileCase("wav-header-only", "truncated", "a WAV header with no samples", cut(media.wav, 44), "audio", "wav",
             expect=F, reason="truncated"),
    FileCase("truncated-pdf", "truncated", "a PDF cut at 60%", cut(media.pdf, 0.6), "document", "pdf",
             expect=F),
    # The policy pins the declared size: S3 refuses these posts in AWS; a store that does not enforce
    # policies (moto) keeps the bytes, and the processor rejects them for their size.
    FileCase("zero-bytes", "zero-length", "declared 1,000 bytes, sent none", lambda: b"", "image", "png",
             declared_size=1000, reason="File is empty"),
    FileCase("declared-zero", "zero-length", "declared size 0", lambda: b"", "image", "png", declared_size=0,
             expect=API, reason="empty"),
    # -- decompression bombs and huge dimensions in tiny files
    FileCase("png-bomb", "bomb", "a 20,000×20,000 PNG in a few KB", media.png_bomb, "image", "png", reason="pixels"),
    FileCase("png-text-bomb", "bomb", "a small PNG whose zTXt chunk inflates to 64 MB", png_text_bomb, "image", "png",
             expect=F),
    FileCase("gif-huge-frame", "bomb", "a GIF whose screen and frame are 65,535×65,535", 
             lambda: gif_with_frame((65535, 65535), (65535, 65535)), "image", "gif", reason="pixels"),
    FileCase("gif-small-screen-huge-frame", "bomb", "a 16×16 GIF screen holding a 65,535×65,535 frame",
             lambda: gif_with_frame((16, 16), (65535, 65535)), "image", "gif",
             reason="pixels"),
    FileCase("gif-many-frames", "bomb", "a 64×64 GIF animation of 20,000 frames (only the first is decoded)",
             lambda: gif_many_frames(20_000), "image", "gif", expect=OK, stored_format="gif"),
    FileCase("png-tall", "huge dimensions", "a PNG of 1×200,000,000 pixels", lambda: png_header_only(1, 200_000_000),
             "image", "png", reason="pixels"),
    FileCase("png-just-over", "huge dimensions", "a PNG of 12,000×9,000 (108 MP) pixels",
             lambda: png_header_only(12_000, 9_000), "image", "png", reason="pixels"),
    FileCase("png-wide-sliver", "huge dimensions", "a PNG of 100,000×1 pixels (within the limit)",
             lambda: png_header_only(100_000, 1), "image", "png", expect=OK,
             stored_format="png"),
    FileCase("jpeg-huge-sof", "huge dimensions", "a JPEG whose frame header claims 65,500×65,500",
             lambda: jpeg_with_dimensions(65_500, 65_500), "image", "jpg", reason="pixels"),
    FileCase("webp-huge-canvas", "huge dimensions", "a WebP whose VP8X canvas is 16,384×16,384",
             lambda: webp_canvas(16_384, 16_384), "image", "webp", reason="pixels"),
    # -- malformed EXIF
    FileCase("exif-orientation-9", "malformed EXIF", "EXIF orientation 9 (there are 8)",
             lambda: exif(tiff_ifd([(ORIENTATION, SHORT, 1, 9)])), "image", "jpg", expect=OK, stored_format="jpg"),
    FileCase("exif-garbage", "malformed EXIF", "an Exif segment of random-looking bytes",
             lambda: exif(b"II*\x00\xf0\xff\xff\x7f" + bytes(range(256)) * 4), "image", "jpg", expect=OK,
             stored_format="jpg"),
    FileCase("exif-ifd-loop", "malformed EXIF", "IFD0 whose next-IFD pointer is itself",
             lambda: exif(tiff_ifd([(ORIENTATION, SHORT, 1, 6)], next_ifd=8)), "image", "jpg", expect=OK,
             stored_format="jpg"),
    FileCase("exif-subifd-loop", "malformed EXIF", "an Exif sub-IFD pointing back at IFD0",
             lambda: exif(tiff_ifd([(EXIF_IFD, LONG, 1, 8)])), "image", "jpg", expect=OK, stored_format="jpg"),
    FileCase("exif-huge-count", "malformed EXIF", "an EXIF entry claiming 2^31 values past the end",
             lambda: exif(tiff_ifd([(0x010F, 2, 0x7FFFFFFF, 0x7FFFFFF0)])), "image", "jpg", expect=OK,
             stored_format="jpg"),
    # -- MP4 with absurd durations
    FileCase("mp4-duration-max", "absurd duration", "mvhd and tkhd durations of 2^32-1 (136 years at 1 Hz)",
             lambda: mp4_patched(mvhd_timescale=1, mvhd_duration=0xFFFFFFFF, tkhd_duration=0xFFFFFFFF), "video", "mp4",
             expect=OK, stored_format="mp4"),
    FileCase("mp4-duration-all-max", "absurd duration", "every duration field 2^32-1, media timescale 1",
             lambda: mp4_patched(mvhd_duration=0xFFFFFFFF, tkhd_duration=0xFFFFFFFF, mdhd_timescale=1,
                                 mdhd_duration=0xFFFFFFFF), "video", "mp4",
             expect=F, reason="implausible"),
    FileCase("mp4-timescale-zero", "absurd duration", "mvhd and mdhd timescales of 0",
             lambda: mp4_patched(mvhd_timescale=0, mdhd_timescale=0), "video", "mp4",
             expect=F, reason="implausible"),
    FileCase("mp4-duration-zero", "absurd duration", "every duration field 0",
             lambda: mp4_patched(mvhd_duration=0, tkhd_duration=0, mdhd_duration=0), "video", "mp4",
             expect=OK, stored_format="mp4"),
    # -- encrypted and looping PDFs
    FileCase("pdf-encrypted", "PDF", "a PDF that needs a password to open",
             lambda: media.pdf(user_password="secret", owner_password="owner"), "document", "pdf", expect=F,
             reason="encrypted"),
    FileCase("pdf-pages-self-loop", "PDF", "a /Pages node whose only kid is itself", pdf_self_referencing_pages,
             "document", "pdf", expect=F),
    FileCase("pdf-pages-cycle", "PDF", "two /Pages nodes that are each other's kids", pdf_mutually_referencing_pages,
             "document", "pdf", expect=F),
    FileCase("pdf-lying-count", "PDF", "/Count 2^31-1 over a single page", pdf_lying_count, "document", "pdf",
             expect=OK, stored_format="pdf"),
    FileCase("pdf-zero-mediabox", "PDF", "a page whose MediaBox is 0×0 (read as US Letter, as viewers do)", pdf_zero_mediabox, "document", "pdf",
             expect=OK, stored_format="pdf"),
    # -- over-limit sizes
    FileCase("declared-over-limit", "over limit", "declared 50 MB + 1 byte", png, "image", "png",
             declared_size=LIMIT + 1, expect=API, reason="File too large"),
    FileCase("sent-over-limit", "over limit", "declared 1 MB, sent 50 MB + 1 byte (a sparse object)", None,
             "video", "mp4", declared_size=MB, size_only=LIMIT + 1, reason="File too large"),
]

# -- decode-cost bombs (tests/media/bombs.py; their cost before the budgets: bench/worst_case.py)

DECODE_COST = "decode-cost"
# Refused by the inspection budget ("Too costly to process: …") or by a decoder-level limit whose
# message says what was too much ("Too many pixels to process: …"): both say "to process".
TOO_COSTLY, TO_PROCESS = "too costly", "to process"


def bomb_case(name: str, expect: frozenset[str] = R, reason: str = TOO_COSTLY, stored_format: str | None = None,
              slow: bool = False) -> FileCase:
    bomb = bombs.BOMBS[name]
    return FileCase(f"decode_cost-{name.replace('_', '-')}", DECODE_COST, bomb.what, bomb.make, bomb.asset_type,
                    bomb.format, expect=expect, reason=reason, stored_format=stored_format, slow=slow)


# Either outcome is right for these: their cost is real but within the budget and the goals (≤ 10 s
# of CPU, ≤ 512 MB), or no different from a legitimate file's at the limits (a 100 MP RGBA PNG, a
# 24 MP WebP). No reason is required, since `ready` has none.
WITHIN_BUDGET = frozenset({READY, REJECTED})
# `slow=True`: nothing refuses it before its CPU or wall-clock budget runs out (~10-15 s each), or it
# is 30-50 MB that the budget lets through anyway; it runs only when asked for (`pytest -k decode_cost`),
# until a decoder-level limit refuses it early.

DECODE_COST_CASES: list[FileCase] = [
    # JPEG: scans (SOS markers) are counted before decoding; coefficients are memory
    bomb_case("jpeg_refinement_scans"),
    bomb_case("jpeg_ac_scans_without_dc"),
    bomb_case("jpeg_tiny_many_scans"),
    bomb_case("jpeg_scans_under_cap"),  # 99 passes over 100 MP: refused by scans × blocks
    bomb_case("jpeg_color_coefficients"),
    # PNG
    bomb_case("png_rgba16_zeros", expect=WITHIN_BUDGET, reason=""),  # what any 100 MP RGBA PNG costs
    bomb_case("png_many_chunks", slow=True),
    bomb_case("png_many_idat", expect=WITHIN_BUDGET, reason="", slow=True),
    bomb_case("png_ztxt_chunks", expect=OK, reason="", stored_format="png"),
    bomb_case("png_iccp_bomb", expect=F, reason="Decompressed data too large"),  # Pillow's own 1 MB cap
    # GIF
    bomb_case("gif_huge_screen", expect=OK, reason="", stored_format="gif"),
    bomb_case("gif_many_extensions", slow=True),
    bomb_case("gif_many_frames_big_screen", expect=OK, reason="", stored_format="gif"),
    # WebP
    bomb_case("webp_huge_canvas", expect=WITHIN_BUDGET, reason=""),  # what any 24 MP WebP costs
    bomb_case("webp_many_frames", expect=WITHIN_BUDGET, reason="", slow=True),
    # PDF
    bomb_case("pdf_nested_forms"),
    bomb_case("pdf_nested_forms_abort"),  # PDFium aborts (SIGABRT) in the worker, not the processor
    bomb_case("pdf_path_content"),
    bomb_case("pdf_jpeg_scans", slow=True),  # the 400-scan JPEG as a PDF image: no scan count there
    bomb_case("pdf_many_pages", expect=WITHIN_BUDGET, reason="", slow=True),
    bomb_case("pdf_deep_page_tree"),  # PDFium overflows its stack (SIGSEGV) in the worker
    bomb_case("pdf_huge_mediabox", expect=OK, reason="", stored_format="pdf"),
    # MP4 and MOV: every decoded frame's size, frames decoded while seeking, the sample tables
    bomb_case("mp4_huge_later_frames", reason=TO_PROCESS),
    bomb_case("mov_huge_later_frames", reason=TO_PROCESS),
    bomb_case("mp4_huge_frames_one_keyframe", expect=WITHIN_BUDGET, reason=""),  # seeking stops at 2 GP decoded
    bomb_case("mp4_claimed_huge", expect=OK, reason="", stored_format="mp4"),  # FFmpeg believes the frames
    bomb_case("mp4_sample_table_millions", reason=TO_PROCESS),
    bomb_case("mp4_constant_size_samples", reason=TO_PROCESS),  # 200 M samples in a one-line table
    # MP3 and WAV
    bomb_case("mp3_xing_absurd_frames", expect=F, reason=""),  # a lie about its length, not a cost
    bomb_case("mp3_id3_compressed_frame"),
    bomb_case("mp3_id3_many_frames", slow=True),
    bomb_case("wav_absurd_sizes", expect=F, reason="truncated"),
    bomb_case("wav_many_chunks"),
]

FILE_CASES += DECODE_COST_CASES

# ---------------------------------------------------------------------------------------------------
# The request cases

UPLOAD = {"type": "image", "format": "png", "size": 1000}
UPLOADS, LINKS, V1 = "/api/v2/uploads", "/api/v2/assets", "/api/assets/"
B400 = frozenset({400})


def name_case(case_id: str, what: str, name: str, expect: frozenset[int] = B400, check: str = "") -> RequestCase:
    return RequestCase(case_id, "names", what, "POST", UPLOADS, {**UPLOAD, "name": name}, expect=expect, check=check)


def url_case(case_id: str, what: str, url: str) -> list[RequestCase]:
    """The same URL on every route that takes one: v2 create, v2 PATCH, v1 create, v1 PUT."""
    return [
        RequestCase(f"{case_id}", "URLs", f"{what} (POST /api/v2/assets)", "POST", LINKS, {"name": "x", "url": url}),
        RequestCase(f"{case_id}-patch", "URLs", f"{what} (PATCH /api/v2/assets/{{id}})", "PATCH", LINKS + "/{link}",
                    {"url": url}),
        RequestCase(f"{case_id}-v1", "URLs", f"{what} (POST /api/assets/)", "POST", V1,
                    {"name": "x", "reference_url": url}),
        RequestCase(f"{case_id}-v1-put", "URLs", f"{what} (PUT /api/assets/{{id}})", "PUT", V1 + "{link}",
                    {"name": "x", "reference_url": url}),
    ]


def id_cases(case_id: str, what: str, raw: str, expect: frozenset[int] = B400) -> list[RequestCase]:
    """The same id on every route that takes one."""
    routes = [
        ("GET", f"{LINKS}/{raw}"),
        ("GET", f"{LINKS}/{raw}/thumbnail"),
        ("PATCH", f"{LINKS}/{raw}"),
        ("DELETE", f"{LINKS}/{raw}"),
        ("GET", f"{LINKS}/{raw}/usages"),
        ("GET", f"{V1}{raw}"),
        ("PUT", f"{V1}{raw}"),
        ("DELETE", f"{V1}{raw}"),
    ]
    bodies = {"PATCH": {"name": "x"}, "PUT": {"name": "x", "reference_url": "https://example.com"}}
    return [
        RequestCase(f"{case_id}-{method.lower()}-{index}", "UUIDs", f"{what}: {method} {path}", method, path,
                    bodies.get(method), expect=expect)
        for index, (method, path) in enumerate(routes)
    ]


KEPT_AS_TEXT = "201, the name kept as text: key uploads/{id}, download filename escaped"

REQUEST_CASES: list[RequestCase] = [
    # -- odd Unicode and path tricks in names
    name_case("name-dot-dot", "../../etc/passwd.png", "../../etc/passwd.png", frozenset({201}), KEPT_AS_TEXT),
    name_case("name-windows-path", "a Windows path with ..\\", "C:\\..\\..\\boot.png", frozenset({201}), KEPT_AS_TEXT),
    name_case("name-encoded-dots", "%2e%2e%2f encoded traversal", "%2e%2e%2f%2e%2e%2fx.png", frozenset({201}),
              KEPT_AS_TEXT),
    name_case("name-quotes", "quotes and a semicolon (header breaking)", 'a"; filename="evil.html', frozenset({201}),
              KEPT_AS_TEXT),
    name_case("name-emoji", "emoji and non-Latin scripts", "фото 📷 写真.png", frozenset({201}), KEPT_AS_TEXT),
    name_case("name-nul", "a NUL byte", "photo.png\x00.exe"),
    name_case("name-rtl-override", "a right-to-left override (photo U+202E gnp.exe)", "photo\u202egnp.exe"),
    name_case("name-zero-width", "a zero-width space", "pho\u200bto.png"),
    name_case("name-crlf", "CR LF (header injection)", "a.png\r\nX-Injected: 1"),
    name_case("name-bell", "a C0 control (BEL)", "a\x07.png"),
    name_case("name-long", "256 characters", "a" * 252 + ".png"),
    name_case("name-blank", "only spaces", "    "),
    RequestCase("name-lone-surrogate", "names", "a lone UTF-16 surrogate (\\ud800) in JSON", "POST", UPLOADS,
                '{"name": "\\ud800.png", "type": "image", "format": "png", "size": 1000}'),
    RequestCase("link-name-rtl", "names", "an RTL override in a link asset's name", "POST", LINKS,
                {"name": "doc\u202efdp.exe", "url": "https://example.com"}),
    RequestCase("patch-name-nul", "names", "PATCH a name with a NUL", "PATCH", LINKS + "/{asset}", {"name": "a\x00b"}),
    RequestCase("tag-rtl", "names", "a tag with an RTL override", "PATCH", LINKS + "/{asset}", {"tags": ["x\u202e"]}),
    RequestCase("v1-name-nul", "names", "a NUL in a seed-000 name", "POST", V1,
                {"name": "a\x00b", "reference_url": "https://example.com"}),
    # -- javascript: and data: URLs (and other schemes that are not http(s))
    *url_case("url-javascript", "javascript:alert(1)", "javascript:alert(1)"),
    *url_case("url-javascript-case", "JaVaScRiPt: in mixed case", "JaVaScRiPt:alert(document.cookie)"),
    *url_case("url-javascript-space", "a leading space before javascript:", " javascript:alert(1)"),
    *url_case("url-javascript-tab", "javascript with a tab inside (java\\tscript:)", "java\tscript:alert(1)"),
    *url_case("url-data-html", "data:text/html,<script>", "data:text/html,<script>alert(1)</script>"),
    *url_case("url-data-base64", "data:text/html;base64", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    *url_case("url-vbscript", "vbscript:", "vbscript:msgbox(1)"),
    *url_case("url-file", "file:///etc/passwd", "file:///etc/passwd"),
    *url_case("url-no-host", "http:// with no host", "http://"),
    *url_case("url-backslashes", "http:\\\\evil.example (no host to urlsplit)", "http:\\\\evil.example"),
    *url_case("url-protocol-relative", "//evil.example (no scheme)", "//evil.example/x"),
    *url_case("url-space", "a space inside the host", "https://exa mple.com/"),
    *url_case("url-newline", "a newline inside", "https://example.com/\nSet-Cookie: x=1"),
    # -- malformed JSON
    RequestCase("json-truncated", "JSON", "a truncated object", "POST", UPLOADS, '{"name": "a.png", "type": '),
    RequestCase("json-array", "JSON", "an array, not an object", "POST", UPLOADS, "[]"),
    RequestCase("json-null", "JSON", "null", "POST", UPLOADS, "null"),
    RequestCase("json-string", "JSON", "a bare string", "POST", UPLOADS, '"hello"'),
    RequestCase("json-empty", "JSON", "an empty body", "POST", UPLOADS, ""),
    RequestCase("json-deep", "JSON", "arrays nested 100,000 deep", "POST", UPLOADS, "[" * 100_000 + "]" * 100_000),
    RequestCase("json-deep-object", "JSON", "objects nested 100,000 deep in a field", "POST", UPLOADS,
                '{"name": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}"),
    RequestCase("json-nan", "JSON", "size NaN", "POST", UPLOADS, '{"name": "a.png", "type": "image", "format": "png", "size": NaN}'),
    RequestCase("json-infinity", "JSON", "size 1e400 (infinity)", "POST", UPLOADS,
                '{"name": "a.png", "type": "image", "format": "png", "size": 1e400}'),
    RequestCase("json-huge-int", "JSON", "size with 5,000 digits", "POST", UPLOADS,
                '{"name": "a.png", "type": "image", "format": "png", "size": ' + "9" * 5000 + "}"),
    RequestCase("json-negative-size", "JSON", "size -1", "POST", UPLOADS, {**UPLOAD, "name": "a.png", "size": -1}),
    RequestCase("json-size-string", "JSON", "size as a word", "POST", UPLOADS, {**UPLOAD, "name": "a.png", "size": "big"}),
    RequestCase("json-owner-injection", "JSON", "an extra owner field (mass assignment)", "POST", UPLOADS,
                {**UPLOAD, "name": "a.png", "owner": "someone-else"}),
    RequestCase("json-status-injection", "JSON", "PATCH status to ready", "PATCH", LINKS + "/{asset}", {"status": "ready"}),
    RequestCase("json-id-injection", "JSON", "an id field on create", "POST", LINKS,
                {"id": "00000000-0000-4000-8000-000000000000", "name": "x", "url": "https://example.com"}),
    RequestCase("json-invalid-utf8", "JSON", "a body that is not UTF-8", "POST", UPLOADS,
                base64_body=b'{"name": "\xff\xfe.png", "type": "image", "format": "png", "size": 10}'),
    RequestCase("json-tags-object", "JSON", "tags as an object", "PATCH", LINKS + "/{asset}", {"tags": {"a": 1}}),
    RequestCase("json-too-many-tags", "JSON", "51 tags", "PATCH", LINKS + "/{asset}", {"tags": [str(i) for i in range(51)]}),
    RequestCase("json-link-id-injection", "JSON", "a clientId with a # (the index key separator)", "PATCH",
                LINKS + "/{asset}", {"clientId": "other-user#client"}),
    RequestCase("json-query-limit", "JSON", "limit=100000 on a list", "GET", LINKS + "?limit=100000"),
    RequestCase("json-query-offset", "JSON", "offset=-1 on a list", "GET", LINKS + "?offset=-1"),
    RequestCase("json-query-cursor", "JSON", "a cursor that is not base64", "GET", LINKS + "?cursor=%25%25%25"),
    RequestCase("json-query-cursor-forged", "JSON", "a base64 cursor that is not a list key", "GET",
                LINKS + "?cursor=Li4vLi4vZXRjL3Bhc3N3ZA"),
    # -- malformed UUIDs, on every route that takes an id
    *id_cases("uuid-word", "not a UUID", "not-a-uuid"),
    *id_cases("uuid-v1", "a version-1 UUID", "c232ab00-9414-11ec-b3c8-9f6bdeced846"),
    *id_cases("uuid-nil", "the nil UUID", "00000000-0000-0000-0000-000000000000"),
    *id_cases("uuid-braces", "a UUID in braces", "%7B2c9d0e4a-1b3f-4a5c-8d7e-9f0a1b2c3d4e%7D"),
    *id_cases("uuid-urn", "a urn:uuid: URN", "urn:uuid:2c9d0e4a-1b3f-4a5c-8d7e-9f0a1b2c3d4e"),
    *id_cases("uuid-sql", "a quote and SQL", "%27%20OR%201%3D1%20--"),
    *id_cases("uuid-traversal", "an encoded ../", "..%2F..%2Fetc%2Fpasswd", frozenset({400, 404})),
    *id_cases("uuid-arabic-digits", "Arabic-Indic digits", "\u0661\u0662\u0663"),
    *id_cases("uuid-long", "2,000 characters", "a" * 2000),
]


ALL_CASES: list[FileCase | RequestCase] = [*FILE_CASES, *REQUEST_CASES]


def write_corpus(directory: Path) -> dict[str, Path]:
    """Every file case's bytes, named by case id with the declared extension, and manifest.json
    (what is declared, what is expected); request cases go into requests.json."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    manifest = []
    for case in FILE_CASES:
        path = directory / f"{case.id}.{case.format}"
        if case.size_only is not None:
            with path.open("wb") as sparse:
                sparse.truncate(case.size_only)
        else:
            path.write_bytes(case.data())
        written[case.id] = path
        manifest.append(
            {
                "id": case.id,
                "category": case.category,
                "what": case.what,
                "file": path.name,
                "declared": {"name": case.declared_name, "type": case.type, "format": case.format,
                             "contentType": case.content_type, "size": case.declared_size},
                "expect": sorted(case.expect),
            }
        )
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    requests = [
        {"id": case.id, "category": case.category, "what": case.what, "method": case.method, "path": case.path,
         "body": case.body if not isinstance(case.body, str) or len(case.body) < 200 else case.body[:200] + "…",
         "expect": sorted(case.expect)}
        for case in REQUEST_CASES
    ]
    (directory / "requests.json").write_text(json.dumps(requests, indent=2, ensure_ascii=False))
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    files = write_corpus(target)
    for path in files.values():
        print(f"{path.stat().st_size:>12,}  {path.name}")
    print(f"{len(FILE_CASES)} file cases and {len(REQUEST_CASES)} request cases written to {target}")
