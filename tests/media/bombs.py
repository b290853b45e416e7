"""Decode-cost bombs: small files of allowed formats that cost the processor seconds of CPU or
gigabytes of memory to inspect, made in memory (nothing is committed as a binary).

    BOMBS[name]() -> bytes          # one bomb
    BOMBS[name].asset_type / .format / .what

Every builder is documented with what the file is and where its cost goes. They are written as an
attacker who has read functions/processor/inspect/ would write them: each passes the checks that
run before decoding (libmagic's sniff, the declared type, the polyglot checks, the 100 MP limit on
the dimensions a header states) and then makes a decoder do work out of proportion to its size.
Most are built by hand (struct/zlib), so making one costs milliseconds and no large picture is ever
held in the test process; the few made with an encoder say so.

Measured against `functions.processor.inspect.examine` (bench/worst_case.py; figures in the docstrings
are from the machine of issue 13 or this module's first measurement, one fresh process each).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from tests.media.generate import pdf_objects

MB = 1024 * 1024


# ---------------------------------------------------------------------------------------------------
# Helpers


class _Bits:
    """An MSB-first bit writer for entropy-coded data (JPEG stuffs a 0x00 after every 0xFF byte)."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.count = 0

    def write(self, value: int, bits: int) -> None:
        self.acc = (self.acc << bits) | (value & ((1 << bits) - 1))
        self.count += bits
        while self.count >= 8:
            self.count -= 8
            self.out.append((self.acc >> self.count) & 0xFF)
        self.acc &= (1 << self.count) - 1

    def jpeg_bytes(self) -> bytes:
        """The bits padded with 1s to a byte, 0xFF stuffed."""
        if self.count:
            self.write((1 << (8 - self.count)) - 1, 8 - self.count)
        return bytes(self.out).replace(b"\xff", b"\xff\x00")


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


# ---------------------------------------------------------------------------------------------------
# JPEG
#
# libjpeg (Pillow's decoder) decodes a progressive JPEG by keeping every DCT coefficient of the whole
# picture in memory (2 bytes × 64 per 8×8 block per component: 200 MB for a 100 MP greyscale
# picture, whatever `draft` scales the output to) and by visiting every block of the picture once
# per scan. Nothing limits the number of scans: a scan that codes "every block is empty" is one
# end-of-band run per 32,767 blocks, a few dozen bytes for 100 MP. So the cost is blocks × scans,
# and the file's size is scans × a few dozen bytes. libjpeg only warns ("inconsistent progression
# sequence") when a scan repeats or comes out of order, and Pillow ignores warnings.

# One quantisation table of 1s; Huffman tables with as few codes as the scans below use.
_DQT = _segment(0xDB, b"\x00" + bytes([1]) * 64)
# DC table 0: only category 0 (difference 0), code "0".
_DHT_DC = _segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")
# AC table 0 for progressive scans: EOB0..EOB14 (end-of-band runs of 1..32,767 blocks), 4-bit codes.
_EOB_SYMBOLS = bytes(n << 4 for n in range(15))
_DHT_AC_PROGRESSIVE = _segment(0xC4, b"\x10" + bytes([0, 0, 0, 15] + [0] * 12) + _EOB_SYMBOLS)
# AC table 0 for baseline scans: only EOB (the block's other 63 coefficients are 0), code "0".
_DHT_AC_BASELINE = _segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")


def _blocks(width: int, height: int) -> int:
    return -(-width // 8) * -(-height // 8)


def _eob_runs(blocks: int) -> bytes:
    """Entropy-coded data of one progressive AC scan (first or refinement) in which every one of
    `blocks` blocks is empty: end-of-band runs of at most 32,767 blocks."""
    bits = _Bits()
    while blocks:
        run = min(blocks, 32_767)
        n = run.bit_length() - 1
        bits.write(n, 4)  # symbol n<<4 (EOBn) is the n-th code of the table
        bits.write(run - (1 << n), n)
        blocks -= run
    return bits.jpeg_bytes()


def _dc_zeros(blocks: int) -> bytes:
    """Entropy-coded data of a DC scan (first or baseline-without-AC) of `blocks` blocks of difference 0."""
    return bytes(-(-blocks // 8)).replace(b"\xff", b"\xff\x00")  # one "0" bit a block


def _sos(components: list[int], ss: int, se: int, ah: int, al: int) -> bytes:
    payload = bytes([len(components)])
    for component in components:
        payload += bytes([component, 0x00])  # DC table 0, AC table 0
    return _segment(0xDA, payload + bytes([ss, se, ah << 4 | al]))


def _sof(marker: int, width: int, height: int, components: int) -> bytes:
    payload = struct.pack(">BHHB", 8, height, width, components)
    for component in range(1, components + 1):
        payload += bytes([component, 0x11, 0])  # 1×1 sampling (4:4:4), quantisation table 0
    return _segment(marker, payload)


def _progressive_jpeg(width: int, height: int, components: int, scans: list[bytes]) -> bytes:
    return b"\xff\xd8" + _DQT + _sof(0xC2, width, height, components) + _DHT_DC + _DHT_AC_PROGRESSIVE + b"".join(
        scans
    ) + b"\xff\xd9"


def jpeg_refinement_scans(side: int = 10_000, repeats: int = 400) -> bytes:
    """Issue 13's JPEG: a progressive side×side greyscale JPEG (DC scan, AC scan at half precision,
    then the AC refinement scan) whose last refinement scan is repeated `repeats` times. 100 MP is
    exactly the processor's limit, so it passes `check_pixels`. Each scan visits all 1.56 M blocks
    (~0.08 s): about 30 s of CPU, and 200 MB of coefficients. ~240 KB (the DC scan is 1 bit a block)."""
    blocks = _blocks(side, side)
    refinement = _sos([1], 1, 63, 1, 0) + _eob_runs(blocks)
    scans = [
        _sos([1], 0, 0, 0, 0) + _dc_zeros(blocks),
        _sos([1], 1, 63, 0, 1) + _eob_runs(blocks),
        *[refinement] * repeats,
    ]
    return _progressive_jpeg(side, side, 1, scans)


def jpeg_ac_scans_without_dc(side: int = 10_000, scans: int = 4_000) -> bytes:
    """A progressive 100 MP greyscale JPEG of `scans` AC scans of one coefficient each (cycling
    through 1..63) and no DC scan at all: libjpeg warns and decodes on. Without the DC scan's 1 bit
    a block, every byte of the file is scan overhead: 4,000 scans in ~300 KB, 10× issue 13's JPEG."""
    blocks = _blocks(side, side)
    body = _eob_runs(blocks)
    return _progressive_jpeg(
        side, side, 1, [_sos([1], 1 + index % 63, 1 + index % 63, 0, 0) + body for index in range(scans)]
    )


def jpeg_scans_under_cap(side: int = 10_000, scans: int = 99) -> bytes:
    """jpeg_refinement_scans with 99 scans in all (97 refinements): under a cap of 100 scans, still
    ~100 full passes over 1.56 M blocks, an AC refinement pass being the dearest (~60 ms here, against
    ~8 ms for a first AC pass): seconds of CPU and 200 MB for a 200 KB file. A legitimate progressive
    JPEG has about ten scans (libjpeg's default script: 10 in colour, 6 in grey), so a cap on
    scans × blocks (or a much lower scan cap for large pictures) refuses it where a flat 100 cannot."""
    return jpeg_refinement_scans(side, scans - 2)


def jpeg_color_coefficients(side: int = 10_000, scans: int = 30) -> bytes:
    """A progressive 100 MP JPEG with three full-resolution (4:4:4) components and `scans` empty AC
    scans per component: memory, not time. libjpeg keeps 3 × 200 MB of coefficients for the whole
    picture before the first output row, whatever `draft` asks for. A legitimate 100 MP progressive
    4:4:4 photo costs the same, so only a memory budget can refuse it. ~60 KB."""
    blocks = _blocks(side, side)
    body = _eob_runs(blocks)
    per_component = [_sos([component], 1, 63, 0, 0) + body for component in (1, 2, 3)]
    return _progressive_jpeg(side, side, 3, per_component * (scans // 3 or 1))


def jpeg_tiny_many_scans(side: int = 64, scans: int = 500_000) -> bytes:
    """A 64×64 progressive JPEG of 500,000 scans (~6 MB): the per-scan cost alone (libjpeg reads the
    SOS header and restarts its entropy decoder each time), with no large picture to flag it. A
    limit on dimensions never catches it; a limit on the number of scans does."""
    blocks = _blocks(side, side)
    body = _sos([1], 1, 63, 0, 0) + _eob_runs(blocks)
    return _progressive_jpeg(side, side, 1, [body] * scans)


def jpeg_baseline(width: int, height: int) -> bytes:
    """A valid baseline greyscale JPEG of width×height, every block flat grey: 2 bits a block."""
    blocks = _blocks(width, height)
    bits = bytes(-(-2 * blocks // 8))  # "0" (DC difference 0) "0" (EOB) per block
    return (
        b"\xff\xd8" + _DQT + _sof(0xC0, width, height, 1) + _DHT_DC + _DHT_AC_BASELINE
        + _sos([1], 0, 63, 0, 0) + bits + b"\xff\xd9"
    )


# ---------------------------------------------------------------------------------------------------
# Deflate (PNG's IDAT) by hand: a stream of zeros of any length, made in microseconds


class _LsbBits:
    """Deflate's bit order: values LSB-first; Huffman codes are written from their first (top) bit."""

    def __init__(self) -> None:
        self.acc = 0
        self.count = 0

    def value(self, value: int, bits: int) -> None:
        self.acc |= value << self.count
        self.count += bits

    def code(self, code: int, bits: int) -> None:
        self.value(int(format(code, f"0{bits}b")[::-1], 2), bits)

    def bytes(self) -> bytes:
        return self.acc.to_bytes((self.count + 7) // 8, "little")


def _deflate_zeros_stream(matches: int, literals: int) -> bytes:
    """One final fixed-Huffman block: a literal 0, `matches` × (length 258, distance 1), `literals` × 0."""
    bits = _LsbBits()
    bits.value(1, 1)  # BFINAL
    bits.value(1, 2)  # BTYPE 01: fixed Huffman codes
    bits.code(0x30, 8)  # literal 0
    for _ in range(matches):
        bits.code(0b11000101, 8)  # length code 285: 258
        bits.code(0, 5)  # distance code 0: 1
    for _ in range(literals):
        bits.code(0x30, 8)
    bits.code(0, 7)  # end of block (256)
    return bits.bytes()


def zlib_zeros(size: int) -> bytes:
    """A zlib stream that inflates to `size` zero bytes, made without compressing anything: one
    fixed-Huffman block of 258-byte matches (13 bits each, so ~1:160; deflate's best, ~1:1,032, needs
    dynamic codes). After its first bits the block is periodic, 8 matches being 13 bytes, so the
    middle is one 13-byte unit repeated: 800 MB of zeros cost microseconds, not zlib's seconds."""
    matches, literals = divmod(size - 1, 258)
    small = 16 + matches % 8  # enough matches that bytes 2..14 lie inside the periodic part
    repeats = (matches - small) // 8
    if repeats <= 0:
        body = _deflate_zeros_stream(matches, literals)
    else:
        short = _deflate_zeros_stream(small, literals)
        body = short[:2] + short[2:15] * repeats + short[2:]
    adler = (size % 65521) << 16 | 1  # Adler-32 of zeros: a = 1, b = size
    return b"\x78\x01" + body + struct.pack(">I", adler)


# ---------------------------------------------------------------------------------------------------
# PNG
#
# Pillow inflates IDAT in C at ~1 GB/s and holds the picture at 4 bytes a pixel (RGBA), so the
# 100 MP limit bounds a PNG to ~400 MB and a few seconds; the other costs are in Pillow's Python
# chunk loop, which handles every chunk before the first IDAT (and between IDATs) one by one.


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_tiny_idat() -> bytes:
    return _png_chunk(b"IDAT", zlib.compress(b"\x00\x00"))  # one row: filter 0, one grey pixel 0


def _png_1x1_header() -> bytes:
    return _PNG_SIGNATURE + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))


def png_rgba16_zeros(side: int = 10_000) -> bytes:
    """A side×side RGBA PNG at 16 bits a sample (100 MP, exactly the limit) whose 800 MB of rows are
    zeros, deflated into 5 MB (zlib_zeros). Pillow inflates all 800 MB and holds a 400 MB RGBA
    picture, then the thumbnail converts it strip by strip: seconds of CPU and ~450 MB. A legitimate
    100 MP RGBA PNG costs as much: only a memory budget refuses it."""
    header = struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 0)
    raw = side * (1 + side * 8)
    return _PNG_SIGNATURE + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib_zeros(raw)) + _png_chunk(
        b"IEND", b""
    )


def png_many_chunks(chunks: int = 4_000_000) -> bytes:
    """A 1×1 PNG with 4,000,000 empty private ancillary chunks (`prVt`, 12 bytes each, 48 MB) before
    its IDAT. Pillow reads, CRC-checks and skips each one in its Python chunk loop before it knows
    the picture is 1×1. No limit on the number of chunks exists in Pillow."""
    filler = _png_chunk(b"prVt", b"") * chunks
    return _png_1x1_header() + filler + _png_tiny_idat() + _png_chunk(b"IEND", b"")


def png_many_idat(chunks: int = 3_000_000) -> bytes:
    """A 1×1 PNG whose pixel data is split across 3,000,000 IDAT chunks, all empty but the last
    (36 MB): legal PNG (IDAT may be split anywhere), and each chunk is a trip round Pillow's Python
    `load_read` loop and its CRC check."""
    return _png_1x1_header() + _png_chunk(b"IDAT", b"") * chunks + _png_tiny_idat() + _png_chunk(b"IEND", b"")


def png_ztxt_chunks(chunks: int = 60, inflated: int = 1_000_000) -> bytes:
    """A 64×48 PNG with 60 zTXt chunks, each inflating to just under Pillow's 1 MB per-chunk limit
    (MAX_TEXT_CHUNK) and all together just under its 64 MB total (MAX_TEXT_MEMORY): ~60 MB of text
    inflated and kept in `image.info` for a 60 KB file."""
    text = _png_chunk(b"zTXt", b"Comment\x00\x00" + zlib_zeros(inflated))
    return _png_1x1_header() + text * chunks + _png_tiny_idat() + _png_chunk(b"IEND", b"")


def png_iccp_bomb(inflated: int = 1_000_000_000) -> bytes:
    """A 1×1 PNG whose iCCP (ICC profile) chunk is ~1 MB of deflate that inflates to 1 GB. Pillow
    inflates profiles with a 1 MB cap (and then refuses the file), so this costs little: it stays in
    the corpus to keep that cap honest."""
    profile = _png_chunk(b"iCCP", b"icc\x00\x00" + zlib_zeros(inflated))
    return _png_1x1_header() + profile + _png_tiny_idat() + _png_chunk(b"IEND", b"")


# ---------------------------------------------------------------------------------------------------
# GIF
#
# Pillow's GIF reader walks the blocks before the first image in Python, one block at a time, and
# composites frames onto a picture the size of the logical screen.


def _gif_header(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"


def _gif_image(width: int, height: int, lzw: bytes, left: int = 0, top: int = 0) -> bytes:
    blocks = b"".join(bytes([len(lzw[i : i + 255])]) + lzw[i : i + 255] for i in range(0, len(lzw), 255))
    return b"," + struct.pack("<HHHH", left, top, width, height) + b"\x00" + b"\x02" + blocks + b"\x00"


_GIF_1PX = bytes([0x44, 0x01])  # LZW, 3-bit codes: clear (4), 0, end (5)


def gif_huge_screen(side: int = 10_000) -> bytes:
    """A GIF whose logical screen is side×side (100 MP, the limit) holding one 1×1 frame. Pillow
    makes the picture the size of the screen and composites the frame onto it: 100 MB for a 40-byte
    file, then the thumbnail shrinks 100 MP."""
    return _gif_header(side, side) + _gif_image(1, 1, _GIF_1PX) + b";"


def gif_many_extensions(blocks: int = 8_000_000) -> bytes:
    """A 1×1 GIF preceded by 8,000,000 one-byte comment extensions (5 bytes each, 40 MB): Pillow's
    `_seek` reads every extension block in Python before it finds the first image."""
    return _gif_header(1, 1) + b"!\xfe\x01x\x00" * blocks + _gif_image(1, 1, _GIF_1PX) + b";"


def gif_many_frames_big_screen(side: int = 10_000, frames: int = 100_000) -> bytes:
    """A 100 MP logical screen and 100,000 1×1 frames (3 MB): the cost of the screen, and a frame
    count that a reader asked for `n_frames` (or an animation thumbnail) would walk in Python."""
    frame = b"!\xf9\x04\x00\x01\x00\x00\x00" + _gif_image(1, 1, _GIF_1PX)
    return _gif_header(side, side) + frame * frames + b";"


# ---------------------------------------------------------------------------------------------------
# WebP
#
# Pillow reads every WebP through libwebp's animation decoder, which keeps two canvases of 4 bytes a
# pixel and hands Pillow a copy (16 bytes a pixel in all: the reason for the 24 MP WebP limit).


def _riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")


def _webp_1x1_vp8l() -> bytes:
    """The VP8L chunk of a 1×1 lossless WebP, from Pillow's encoder."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (1, 1), (0, 0, 0, 0)).save(out, "WEBP", lossless=True)
    data = out.getvalue()
    return data[data.index(b"VP8L") :]


def _webp_animation(width: int, height: int, frame: bytes, frames: int) -> bytes:
    flags = 0x02 | 0x10  # animation, alpha
    vp8x = _riff_chunk(b"VP8X", bytes([flags, 0, 0, 0]) + (width - 1).to_bytes(3, "little")
                       + (height - 1).to_bytes(3, "little"))
    anim = _riff_chunk(b"ANIM", b"\x00\x00\x00\x00" + struct.pack("<H", 0))  # background, loop forever
    # ANMF: x/2, y/2, width-1, height-1 (3 bytes each), duration 100 ms (3 bytes), flags (no blend)
    anmf = _riff_chunk(b"ANMF", b"\x00" * 6 + b"\x00" * 6 + (100).to_bytes(3, "little") + b"\x02" + frame)
    body = b"WEBP" + vp8x + anim + anmf * frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_huge_canvas(side: int = 4_898) -> bytes:
    """An animated WebP whose canvas is 4898×4898 (23.99 MP, just under the WebP limit) and whose
    one frame is 1×1: libwebp's animation decoder allocates its canvases (~16 bytes a pixel with
    Pillow's copy, ~380 MB) for a 100-byte file."""
    return _webp_animation(side, side, _webp_1x1_vp8l(), 1)


def webp_many_frames(side: int = 4_000, frames: int = 1_000_000) -> bytes:
    """An animated 4000×4000 WebP of 1,000,000 1×1 frames (~40 MB): libwebp's demuxer parses and
    keeps a record of every frame when the file is opened, before the first is decoded, on top of
    the 16 MP canvases."""
    return _webp_animation(side, side, _webp_1x1_vp8l(), frames)


# ---------------------------------------------------------------------------------------------------
# PDF (pypdfium2 only reads, so these are written by hand)
#
# The processor counts pages and renders the first page at thumbnail size with PDFium. Rendering is
# the cost: PDFium interprets every operator of the page's content and of every Form XObject it
# draws, however small the result, and builds each path in memory before it fills or strokes it.




def zlib_repeated(chunk: bytes, times: int) -> bytes:
    """A zlib stream of `chunk` × `times`, compressing `chunk` once: after a full flush the compressor
    starts afresh, so every further copy compresses to the same bytes."""
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)  # with the zlib header
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(times):
        adler = zlib.adler32(chunk, adler)
    return first + again * (times - 1) + b"\x03\x00" + struct.pack(">I", adler)  # then an empty final block


def pdf_stream(dictionary: bytes, data: bytes = b"", deflated: bytes | None = None) -> bytes:
    if deflated is not None:
        data = deflated
        dictionary += b" /Filter /FlateDecode"
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def pdf_nested_forms(levels: int = 6, fanout: int = 10) -> bytes:
    """Issue 13's PDF: the page draws Form XObject 1 `fanout` times, form k draws form k+1 `fanout`
    times, and the last form strokes a line: fanout^levels lines (10^6 at six levels) from ~2 KB.
    PDFium expands each drawing of a form into page objects of its own, so time and memory grow with
    the number of leaves: 17.6 s and 1.8 GB at six levels on issue 13's machine; at twelve, PDFium
    aborts the process (SIGABRT), which no `except` catches."""
    first_form = 4
    objects = [_CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    draw = b"/X Do " * fanout
    content_number = first_form + levels
    objects.append(
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /X %d 0 R >> >>"
        b" /Contents %d 0 R >>" % (first_form, content_number)
    )
    for level in range(levels):
        number = first_form + level
        if level < levels - 1:
            resources, content = b"/Resources << /XObject << /X %d 0 R >> >>" % (number + 1), draw
        else:
            resources, content = b"", b"0 0 m 612 792 l S"
        objects.append(pdf_stream(b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] " + resources, content))
    objects.append(pdf_stream(b"", draw))
    return pdf_objects(objects)


def pdf_nested_forms_abort() -> bytes:
    """pdf_nested_forms at twelve levels: 10^12 lines; PDFium aborts the process (SIGABRT)."""
    return pdf_nested_forms(levels=12)


def pdf_path_content(megabytes: int = 100) -> bytes:
    """One page whose Flate content stream (~100 KB) inflates to 100 MB of `l` (line-to) operators,
    17 million of them in a single path: PDFium parses every operator and holds every point of the
    path before it strokes it (issue 13: an 82 KB stream took 6 s and 823 MB)."""
    chunk = b"1 1 l 0 0 l " * (MB // 12)
    content = zlib_repeated(chunk, megabytes)
    # The `m` and the closing `S` sit in streams of their own: a page's /Contents array is one content.
    return pdf_objects([
        _CATALOG,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [5 0 R 4 0 R 6 0 R] >>",
        pdf_stream(b"", deflated=content),
        pdf_stream(b"", b"0 0 m"),
        pdf_stream(b"", b"S"),
    ])


def pdf_many_pages(pages: int = 300_000) -> bytes:
    """300,000 pages (~20 MB) listed flat in one /Pages node with no /Count: PDFium counts the pages
    by loading every page object (PDF limits nothing; PDFium stops at 1,048,575 pages)."""
    first_page = 3
    kids = b" ".join(b"%d 0 R" % number for number in range(first_page, first_page + pages))
    objects = [_CATALOG, b"<< /Type /Pages /Kids [" + kids + b"] >>"]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * pages
    return pdf_objects(objects)


def pdf_deep_page_tree(depth: int = 200_000) -> bytes:
    """A page tree 200,000 /Pages nodes deep (~13 MB), each the only kid of the one above, the page
    at the bottom, no /Count anywhere: a reader that walks the tree recursively to count or find the
    first page recurses 200,000 times (PDFium gives up past 1,024 levels)."""
    objects = [_CATALOG]
    for level in range(depth):
        number = 2 + level
        parent = b" /Parent %d 0 R" % (number - 1) if level else b""
        objects.append(b"<< /Type /Pages /Kids [%d 0 R]%s >>" % (number + 1, parent))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] >>" % (depth + 1))
    return pdf_objects(objects)


def pdf_with_image(image: bytes, width: int, height: int, components: int = 1) -> bytes:
    """A one-page PDF that draws `image` (JPEG bytes, DCTDecode) over the whole page."""
    colour = b"/DeviceGray" if components == 1 else b"/DeviceRGB"
    return pdf_objects([
        _CATALOG,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /I 5 0 R >> >>"
        b" /Contents 4 0 R >>"),
        pdf_stream(b"", b"q 612 0 0 792 0 0 cm /I Do Q"),
        pdf_stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8"
                   b" /Filter /DCTDecode" % (width, height, colour), image),
    ])


def pdf_jpeg_scans() -> bytes:
    """A PDF whose only page draws jpeg_refinement_scans as an image (DCTDecode): PDFium decodes it
    with its own libjpeg, 400 passes over 100 MP, where a JPEG scan count on uploaded JPEG files never
    looks: ~28 s of CPU today. Every JPEG check belongs wherever JPEG is decoded; here the budget is
    the only guard. (A 30000×30000 JPEG drawn the same way costs PDFium 0.3 s: it scales while it
    decodes, so the pixel count of an image inside a PDF is not the cost.)"""
    return pdf_with_image(jpeg_refinement_scans(), 10_000, 10_000)


def pdf_huge_mediabox(side: int = 14_400, cell: float = 0.01) -> bytes:
    """A page of 14,400 × 14,400 points (200 inches a side, the largest PDF allows; PDFium treats a
    larger MediaBox as US Letter) filled with a tiling pattern whose cell is 0.01 point: 2×10^12
    cells if a renderer drew them one by one. PDFium renders it in milliseconds (it draws the pattern
    at device resolution), so this one is expected `ready`: it keeps a budget from refusing a large
    page for its size alone."""
    pattern = pdf_stream(
        b"/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 %g %g] /XStep %g /YStep %g"
        b" /Resources << >>" % (cell, cell, cell, cell),
        b"0 0 %g %g re f" % (cell / 2, cell / 2),
    )
    content = b"/Pattern cs /P scn 0 0 %d %d re f" % (side, side)
    return pdf_objects([
        _CATALOG,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Pattern << /P 5 0 R >> >>"
        b" /Contents 4 0 R >>" % (side, side),
        pdf_stream(b"", content),
        pattern,
    ])


# ---------------------------------------------------------------------------------------------------
# MP4 and MOV, box by box
#
# FFmpeg (PyAV) reads the whole sample table into its index when the file is opened, and the
# processor then walks that index in Python (`video.index_entries`, twice). The frames are Motion
# JPEG ('jpeg' sample entries, which FFmpeg's MP4/MOV demuxer reads whatever the brand): every frame
# is a JPEG, so a frame of any size is a few hundred KB made by hand, and many samples can point at
# the same bytes.


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, payload: bytes, version: int = 0, flags: int = 0) -> bytes:
    return _box(kind, struct.pack(">I", version << 24 | flags) + payload)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def mp4_file(
    samples: list[bytes] | None = None,
    *,
    width: int,
    height: int,
    timescale: int = 1000,
    stts: list[tuple[int, int]] | bytes,
    stsz: bytes,
    stsc: list[tuple[int, int, int]],
    chunk_offsets: list[int] | None = None,
    stss: list[int] | None = None,
    mdat: bytes = b"",
    brand: bytes = b"isom",
) -> bytes:
    """An MP4 (brand `isom`) or MOV (brand `qt  `) with one Motion-JPEG video track, the sample
    table given box by box. `chunk_offsets` are offsets into `mdat`'s payload; `stsz` is the
    box's payload after version/flags (sample size, count, sizes); `stts` may be its entries ready packed."""
    if isinstance(stts, bytes):
        entries = [struct.unpack_from(">II", stts, offset) for offset in range(0, len(stts), len(stts) // 8 or 8)]
        duration = sum(count * delta for count, delta in entries) * (len(stts) // 8) // max(1, len(entries))
        stts_box = _full_box(b"stts", struct.pack(">I", len(stts) // 8) + stts)
    else:
        duration = sum(count * delta for count, delta in stts)
        stts_box = _full_box(b"stts", struct.pack(">I", len(stts)) + b"".join(struct.pack(">II", *p) for p in stts))
    compatible = b"isomiso2mp41" if brand == b"isom" else b"qt  "
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 0x200 if brand == b"isom" else 0) + compatible)
    mdat_box = struct.pack(">I", 8 + len(mdat)) + b"mdat"
    payload_start = len(ftyp) + len(mdat_box)
    offsets = [payload_start + offset for offset in (chunk_offsets or [0])]
    entry = (
        bytes(6) + struct.pack(">H", 1)  # reserved, data reference index
        + bytes(16) + struct.pack(">HH", width & 0xFFFF, height & 0xFFFF)
        + struct.pack(">II", 0x480000, 0x480000) + bytes(4) + struct.pack(">H", 1)
        + bytes(32) + struct.pack(">Hh", 24, -1)
    )
    stbl = b"".join([
        _full_box(b"stsd", struct.pack(">I", 1) + _box(b"jpeg", entry)),
        stts_box,
        _full_box(b"stss", struct.pack(">I", len(stss)) + struct.pack(f">{len(stss)}I", *stss)) if stss else b"",
        _full_box(b"stsc", struct.pack(">I", len(stsc)) + b"".join(struct.pack(">III", *row) for row in stsc)),
        _full_box(b"stsz", stsz),
        _full_box(b"stco", struct.pack(">I", len(offsets)) + struct.pack(f">{len(offsets)}I", *offsets)),
    ])
    minf = _box(b"minf", b"".join([
        _full_box(b"vmhd", bytes(8), flags=1),
        _box(b"dinf", _full_box(b"dref", struct.pack(">I", 1) + _full_box(b"url ", b"", flags=1))),
        _box(b"stbl", stbl),
    ]))
    mdia = _box(b"mdia", b"".join([
        _full_box(b"mdhd", struct.pack(">IIIIHH", 0, 0, timescale, duration, 0x55C4, 0)),
        _full_box(b"hdlr", bytes(4) + b"vide" + bytes(12) + b"VideoHandler\x00"),
        minf,
    ]))
    tkhd = _full_box(
        b"tkhd",
        struct.pack(">IIIII", 0, 0, 1, 0, duration) + bytes(8) + struct.pack(">hhhH", 0, 0, 0, 0) + _MATRIX
        + struct.pack(">II", (width & 0xFFFF) << 16, (height & 0xFFFF) << 16),
        flags=3,
    )
    mvhd = _full_box(
        b"mvhd",
        struct.pack(">IIII", 0, 0, timescale, duration) + struct.pack(">IH", 0x10000, 0x100) + bytes(10) + _MATRIX
        + bytes(24) + struct.pack(">I", 2),
    )
    moov = _box(b"moov", mvhd + _box(b"trak", tkhd + mdia))
    return ftyp + mdat_box + mdat + moov


def _jpeg_small(width: int = 16, height: int = 16) -> bytes:
    return jpeg_baseline(width, height)


def mp4_huge_later_frames(
    side: int = 12_000, seconds: float = 2.0, fps: int = 25, brand: bytes = b"isom", keyframes: bool = True
) -> bytes:
    """Issue 13's MP4: a Motion-JPEG track whose sample entry and first frame are 16×16 and whose
    every later frame is a 12000×12000 (144 MP) JPEG (all the later samples point at the same
    562 KB of JPEG). The processor checks the size the stream states (16×16), then decodes the frame
    at 1 s: a 144 MP picture, 1.4× the limit, decoded in full (~200 MB) and ends `ready`."""
    small, big = _jpeg_small(), jpeg_baseline(side, side)
    frames = round(seconds * fps)
    delta = 1000 // fps
    sizes = [len(small)] + [len(big)] * (frames - 1)
    return mp4_file(
        width=16, height=16, stts=[(frames, delta)],
        stsz=struct.pack(">II", 0, frames) + struct.pack(f">{frames}I", *sizes),
        stsc=[(1, 1, 1)], chunk_offsets=[0] + [len(small)] * (frames - 1),
        stss=None if keyframes else [1], mdat=small + big, brand=brand,
    )


def mov_huge_later_frames() -> bytes:
    """mp4_huge_later_frames as a QuickTime MOV (brand `qt  `)."""
    return mp4_huge_later_frames(brand=b"qt  ")


def mp4_huge_frames_one_keyframe(side: int = 10_000, fps: int = 300) -> bytes:
    """Like mp4_huge_later_frames, but the sync-sample table (`stss`) names only the first, 16×16
    sample a keyframe and the later frames are 10000×10000 (100 MP, at the limit), 300 a second:
    to show the frame at 1 s, the processor seeks to the keyframe before it (the first) and decodes
    forward, 300 frames of 100 MP each (~0.07 s each), tens of seconds for a 400 KB file. Checking the size
    of the frame that comes out is too late: a cap on the frames decoded while seeking, and FFmpeg's
    `max_pixels` on the decoder, refuse it before the work."""
    return mp4_huge_later_frames(side=side, seconds=2.0, fps=fps, keyframes=False)


def mp4_claimed_huge(side: int = 65_535) -> bytes:
    """A 2-frame MP4 whose sample entry and track header claim 65535×65535 while its frames are
    16×16: a reader that trusts the header would allocate 17 GB; the processor's 100 MP check
    refuses it, unless FFmpeg replaces the claim with the decoded size first."""
    small = _jpeg_small()
    return mp4_file(
        width=side, height=side, stts=[(2, 500)], stsz=struct.pack(">III", len(small), 2, 0)[:8],
        stsc=[(1, 1, 1)], chunk_offsets=[0, 0], mdat=small,
    )


def mp4_sample_table_millions(samples: int = 8_000_000) -> bytes:
    """A 2-second MP4 whose `stsz` lists 8,000,000 samples (32 MB of sample sizes, each sample one
    byte of a single chunk, so the index stays inside the file): FFmpeg builds an index entry per
    sample (~200 MB), and the processor walks all of them in Python, twice (the truncation check
    and the duration), sorting 8 million timestamps."""
    small = _jpeg_small()
    mdat = small + bytes(samples)
    sizes = struct.pack(">I", len(small)) + struct.pack(">I", 1) * (samples - 1)
    return mp4_file(
        width=16, height=16, timescale=samples // 2, stts=[(samples, 1)],
        stsz=struct.pack(">II", 0, samples) + sizes, stsc=[(1, samples, 1)], chunk_offsets=[0], mdat=mdat,
    )


def mp4_constant_size_samples(samples: int = 200_000_000) -> bytes:
    """An MP4 of ~1 KB whose `stsz` states a constant sample size (no table) and a count of
    200,000,000, `stts` one entry of as many 1-tick samples, all in one chunk: every table is one
    line, but FFmpeg's index would need 200 M entries (~5 GB) and the processor's Python walk of it
    hours. The samples run past the end of the file; only a check that holds the counts against the
    file's size before building the index stops it early."""
    small = _jpeg_small()
    return mp4_file(
        width=16, height=16, timescale=1000, stts=[(samples, 1)],
        stsz=struct.pack(">II", 1, samples), stsc=[(1, samples, 1)], chunk_offsets=[0], mdat=small,
    )


def mp4_stts_millions(entries: int = 5_000_000) -> bytes:
    """An MP4 whose `stts` (time-to-sample) has 5,000,000 entries (40 MB) for a 2-sample track:
    FFmpeg reads and allocates every entry at open, though they describe no samples."""
    small = _jpeg_small()
    stts = struct.pack(">II", 1, 500) * entries
    return mp4_file(
        width=16, height=16, stts=stts, stsz=struct.pack(">III", 0, 2, len(small)) + struct.pack(">I", len(small)),
        stsc=[(1, 1, 1)], chunk_offsets=[0, 0], mdat=small,
    )


# ---------------------------------------------------------------------------------------------------
# MP3 and WAV
#
# mutagen reads headers only, in Python: the ID3v2 tag frame by frame (inflating compressed frames
# with zlib, without a limit), the MPEG frames' Xing/VBRI table, the RIFF chunks one by one. The
# processor holds the duration a header claims against the bytes there are.

_MP3_HEADER = b"\xff\xfb\x90\xc4"  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz, mono, no CRC
_MP3_FRAME_BYTES = 417  # 144 × 128,000 / 44,100
_MP3_SIDE_INFO = 17  # mono


def mp3_silent_frames(frames: int) -> bytes:
    """`frames` valid, silent MPEG audio frames (header, zero side info, zero data)."""
    return (_MP3_HEADER + bytes(_MP3_FRAME_BYTES - 4)) * frames


def mp3_xing(frames: int, audio_bytes: int) -> bytes:
    """The first MPEG frame carrying a Xing table that claims `frames` frames and `audio_bytes` bytes."""
    xing = b"Xing" + struct.pack(">III", 0x3, frames, audio_bytes)
    body = bytes(_MP3_SIDE_INFO) + xing
    return _MP3_HEADER + body + bytes(_MP3_FRAME_BYTES - 4 - len(body))


def mp3_xing_absurd_frames(real_frames: int = 40) -> bytes:
    """An MP3 of 40 silent frames (1 s, 17 KB) whose Xing table claims 4,294,967,295 frames (3.6 years)
    and, as its byte count, the file's real size: mutagen computes the duration from the frame count
    and the bitrate from the byte count, so the claimed bytes match the file and the processor's
    truncation check passes. Costs nothing to read; it is the claim that is absurd (a 3.6-year
    duration stored as metadata), so it is expected `failed`: the frame count must be held against
    the frames the bytes can hold (size ÷ the smallest frame), not against the bitrate derived from it."""
    audio = mp3_silent_frames(real_frames)
    size = len(audio) + _MP3_FRAME_BYTES
    return mp3_xing(0xFFFF_FFFF, size) + audio


def _synchsafe(value: int) -> bytes:
    return bytes([(value >> 21) & 0x7F, (value >> 14) & 0x7F, (value >> 7) & 0x7F, value & 0x7F])


def _id3v24(frames: bytes) -> bytes:
    return b"ID3\x04\x00\x00" + _synchsafe(len(frames)) + frames


def mp3_id3_compressed_frame(inflated: int = 400_000_000) -> bytes:
    """An MP3 whose ID3v2.4 tag holds one TXXX frame flagged "compressed" (zlib): 2.5 MB of deflate
    that inflates to 400 MB of zeros (10 times the file at most 160:1 made by zlib_zeros; deflate
    allows 1,032:1). mutagen inflates compressed frames with `zlib.decompress` and no limit, then
    decodes and splits the text: gigabytes of memory and a minute of CPU, before the audio is looked at."""
    payload = zlib_zeros(inflated)
    data = _synchsafe(inflated) + payload  # data length indicator, then the compressed frame
    frame = b"TXXX" + _synchsafe(len(data)) + struct.pack(">H", 0x0008 | 0x0001) + data
    return _id3v24(frame) + mp3_silent_frames(40)


def mp3_id3_many_frames(frames: int = 3_000_000) -> bytes:
    """An MP3 whose ID3v2.4 tag holds 3,000,000 tiny text frames (13 bytes each, 39 MB): mutagen
    parses each into a Python object in a loop, seconds of CPU and hundreds of MB for frames nobody
    shows."""
    frame = b"TIT2" + _synchsafe(3) + b"\x00\x00" + b"\x03ab"
    return _id3v24(frame * frames) + mp3_silent_frames(40)


def _wav_fmt(rate: int = 8_000) -> bytes:
    return _riff_chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16))


def wav_absurd_sizes() -> bytes:
    """A WAV whose RIFF size and data size are 0xFFFFFFFF (4 GB: 74 hours at 8 kHz) over one second of
    samples: the claim is checked against the bytes there are, so it is expected `failed` ("truncated"),
    cheaply; kept to hold that check."""
    samples = bytes(16_000)
    body = b"WAVE" + _wav_fmt() + b"data" + struct.pack("<I", 0xFFFF_FFFF) + samples
    return b"RIFF" + struct.pack("<I", 0xFFFF_FFFF) + body


def wav_many_chunks(chunks: int = 5_000_000) -> bytes:
    """A WAV with 5,000,000 empty `junk` chunks (8 bytes each, 40 MB) between its format and its one
    second of samples: mutagen's RIFF reader makes an object for every chunk at open, in Python."""
    samples = bytes(16_000)
    body = b"WAVE" + _wav_fmt() + b"junk\x00\x00\x00\x00" * chunks + _riff_chunk(b"data", samples)
    return b"RIFF" + struct.pack("<I", len(body)) + body


# ---------------------------------------------------------------------------------------------------
# The catalogue


@dataclass(frozen=True)
class Bomb:
    name: str
    asset_type: str
    format: str
    what: str
    build: Callable[[], bytes]

    def make(self) -> bytes:
        return self.build()

    def __call__(self) -> bytes:
        return self.build()


def _bomb(asset_type: str, fmt: str, build: Callable[[], bytes], what: str, name: str | None = None) -> Bomb:
    return Bomb(name or build.__name__, asset_type, fmt, what, build)


BOMBS: dict[str, Bomb] = {
    bomb.name: bomb
    for bomb in [
        _bomb("image", "jpg", jpeg_refinement_scans,
              "progressive 10000×10000 JPEG, its last refinement scan repeated 400 times"),
        _bomb("image", "jpg", jpeg_ac_scans_without_dc,
              "progressive 10000×10000 JPEG of 4,000 one-coefficient AC scans and no DC scan"),
        _bomb("image", "jpg", jpeg_scans_under_cap, "progressive 10000×10000 JPEG of 99 scans (97 refinements)"),
        _bomb("image", "jpg", jpeg_color_coefficients,
              "progressive 10000×10000 4:4:4 colour JPEG: 600 MB of coefficients"),
        _bomb("image", "jpg", jpeg_tiny_many_scans, "64×64 progressive JPEG of 500,000 scans"),
        _bomb("image", "png", png_rgba16_zeros, "10000×10000 16-bit RGBA PNG: 800 MB of zeros in 5 MB"),
        _bomb("image", "png", png_many_chunks, "1×1 PNG after 4,000,000 empty ancillary chunks"),
        _bomb("image", "png", png_many_idat, "1×1 PNG split across 3,000,000 IDAT chunks"),
        _bomb("image", "png", png_ztxt_chunks, "PNG with 60 zTXt chunks of ~1 MB inflated each"),
        _bomb("image", "png", png_iccp_bomb, "PNG whose iCCP profile inflates to 1 GB"),
        _bomb("image", "gif", gif_huge_screen, "GIF with a 10000×10000 logical screen and a 1×1 frame"),
        _bomb("image", "gif", gif_many_extensions, "1×1 GIF after 8,000,000 comment extension blocks"),
        _bomb("image", "gif", gif_many_frames_big_screen, "10000×10000 GIF screen with 100,000 1×1 frames"),
        _bomb("image", "webp", webp_huge_canvas, "animated WebP: a 4898×4898 canvas, one 1×1 frame"),
        _bomb("image", "webp", webp_many_frames, "animated 4000×4000 WebP of 1,000,000 1×1 frames"),
        _bomb("video", "mp4", mp4_huge_later_frames, "MP4: a 16×16 first frame, then 12000×12000 frames"),
        _bomb("video", "mov", mov_huge_later_frames, "MOV: a 16×16 first frame, then 12000×12000 frames"),
        _bomb("video", "mp4", mp4_huge_frames_one_keyframe,
              "MP4: one 16×16 keyframe, then 300 non-key 10000×10000 frames before 1 s"),
        _bomb("video", "mp4", mp4_claimed_huge, "MP4: headers claim 65535×65535, frames are 16×16"),
        _bomb("video", "mp4", mp4_sample_table_millions, "MP4: an stsz of 8,000,000 samples"),
        _bomb("video", "mp4", mp4_constant_size_samples, "MP4: stsz/stts claim 200,000,000 samples in 1 KB"),
        _bomb("video", "mp4", mp4_stts_millions, "MP4: an stts of 5,000,000 entries"),
        _bomb("audio", "mp3", mp3_xing_absurd_frames, "MP3: a Xing table claiming 4,294,967,295 frames"),
        _bomb("audio", "mp3", mp3_id3_compressed_frame, "MP3: an ID3 frame that inflates to 400 MB"),
        _bomb("audio", "mp3", mp3_id3_many_frames, "MP3: an ID3 tag of 3,000,000 frames"),
        _bomb("audio", "wav", wav_absurd_sizes, "WAV: RIFF and data sizes of 4 GB over one second"),
        _bomb("audio", "wav", wav_many_chunks, "WAV: 5,000,000 empty chunks before the samples"),
        _bomb("document", "pdf", pdf_nested_forms, "PDF: Form XObjects six deep, each drawing the next ten times"),
        _bomb("document", "pdf", pdf_nested_forms_abort, "PDF: Form XObjects twelve deep (PDFium aborts)"),
        _bomb("document", "pdf", pdf_path_content, "PDF: a 200 KB Flate stream of 17,000,000 line-to operators"),
        _bomb("document", "pdf", pdf_many_pages, "PDF: 300,000 pages in one flat /Kids, no /Count"),
        _bomb("document", "pdf", pdf_deep_page_tree, "PDF: a page tree 200,000 levels deep"),
        _bomb("document", "pdf", pdf_jpeg_scans, "PDF: a page drawing the 400-scan progressive JPEG"),
        _bomb("document", "pdf", pdf_huge_mediabox, "PDF: a 14,400-point page tiled with 0.01-point cells (harmless)"),
    ]
}
