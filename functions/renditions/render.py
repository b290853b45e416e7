"""Rendering, run in the processor's inspection worker under the asset type's budget (store.py calls
`run_within_budget(reader, "functions.renditions.render:render", ...)`): the picture an asset shows,
at the size a spec plans, as the format it names.

The processor's own image code does the work, imported, not copied: the same checks before anything
is decoded (pixel limits, JPEG scan cost), EXIF orientation as browsers read it, colours converted to
sRGB through the embedded ICC profile, transparency on the thumbnails' checkerboard where JPEG has
none. A large JPEG is decoded reduced (`draft`: libjpeg scales by 1/2, 1/4 or 1/8 while decoding),
then shrunk by whole factors (`reduce`) before the final resampling. A video's picture is its
thumbnail's frame (at 1 s) at full resolution, scaled by swscale while it is converted; a PDF page is
drawn by PDFium at the size wanted. Nothing is enlarged, and nothing of the source's metadata (EXIF,
XMP, comments) is written: the output carries only the sRGB profile.
"""

from __future__ import annotations

import io
from typing import BinaryIO

from PIL import Image

from functions.processor.inspect.colour import SRGB_ICC, to_srgb
from functions.processor.inspect.image import (
    MAX_PIXELS_BY_FORMAT,
    ORIENTATION,
    PILLOW_FORMATS,
    QUARTER_TURNS,
    TRUNCATED,
    check_jpeg_cost,
    exif_orientation,
    load_what_arrived,
    webp_canvas,
)
from functions.processor.inspect.model import Broken, MediaError
from functions.processor.inspect.thumbnail import (
    JPEG_QUALITY,
    MAX_PIXELS,
    check_pixels,
    on_checkerboard,
    opaque,
    resamplable,
    shrunk_in_strips,
)
from functions.renditions.spec import VECTOR_SIDE, Plan, RenditionSpec, plan

RESAMPLING = Image.Resampling.LANCZOS
# Shrink by whole factors first while the picture stays at least this many times the target: the
# exact resampling then runs on a picture a few times the output's size, whatever the source's.
REDUCING_GAP = 3.0
# Pillow's encoder and its options per output format. AVIF at speed 8 (of 0-10) encodes a 640-px
# picture in tens of milliseconds, at quality 60 about the file size of WebP at 80 and JPEG at 85.
ENCODERS: dict[str, tuple[str, dict]] = {
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "avif": ("AVIF", {"quality": 60, "speed": 8}),
    "jpeg": ("JPEG", {"quality": JPEG_QUALITY, "optimize": True, "progressive": True}),
    "png": ("PNG", {"compress_level": 6}),
}
# contain's padding: transparent where the format has an alpha channel, white in JPEG.
JPEG_PADDING = (255, 255, 255)

Picture = tuple[
    Image.Image, bytes | None, Plan
]  # the scaled picture as displayed, its ICC profile, the sizes


def render(
    stream: BinaryIO, asset_type: str, source_format: str, spec: RenditionSpec
) -> tuple[bytes, int, int]:
    """(encoded bytes, width, height) of `spec`'s rendition of the file `stream` holds."""
    try:
        picture, icc_profile, sizes = _PICTURES[asset_type](stream, source_format, spec)
    except (MediaError, MemoryError):  # over its memory budget: the worker says so
        raise
    except Exception as exc:  # hostile bytes make decoders raise anything: the file cannot be rendered
        raise Broken(f"Cannot read this {source_format} file: {exc or type(exc).__name__}") from exc
    finished = finish(picture, icc_profile, sizes, spec)
    return encode(finished, spec.format), finished.width, finished.height


def _image(stream: BinaryIO, source_format: str, spec: RenditionSpec, *, truncated: bool = False) -> Picture:
    if source_format == "webp":
        check_pixels(
            *webp_canvas(stream), MAX_PIXELS_BY_FORMAT["webp"]
        )  # before Pillow allocates its canvases
    stream.seek(0)
    with Image.open(stream, formats=[PILLOW_FORMATS[source_format]]) as image:
        check_pixels(image.width, image.height, MAX_PIXELS_BY_FORMAT.get(source_format, MAX_PIXELS))
        if source_format == "jpg":
            check_jpeg_cost(image, stream)
        transpose = ORIENTATION.get(exif_orientation(image))
        turned = transpose in QUARTER_TURNS
        sizes = plan(*(image.size[::-1] if turned else image.size), spec)
        target = sizes.scaled[::-1] if turned else sizes.scaled  # as stored, before the turn
        icc_profile = image.info.get("icc_profile")
        image.draft("RGB", target)  # JPEG only: decoded at the smallest scale still at least `target`
        try:
            if truncated:
                load_what_arrived(image)
            else:
                image.load()
        except OSError as exc:
            if truncated or source_format != "jpg" or not str(exc).startswith(TRUNCATED):
                raise
            return _image(stream, source_format, spec, truncated=True)  # as the processor showed it
        # A large picture that must be converted to resize (alpha, a palette) shrinks strip by strip, as
        # its thumbnail did: converted whole it would be a second full-size copy (400 MB at 100 MP).
        # It is at least halved whenever it is twice the size wanted, so that holds down to the largest
        # allowed sizes, at a smaller gap (Image.thumbnail's is 2).
        ratio = min(source / wanted for source, wanted in zip(image.size, target, strict=True))
        gap = min(REDUCING_GAP, max(1.0, ratio / 2))
        picture = shrunk_in_strips(image, target, gap, RESAMPLING) or resamplable(image).resize(
            target, RESAMPLING, reducing_gap=REDUCING_GAP
        )
    return (picture.transpose(transpose) if transpose is not None else picture), icc_profile, sizes


def _poster(stream: BinaryIO, source_format: str, spec: RenditionSpec) -> Picture:
    import av

    from functions.processor.inspect.video import TURNS, displayed, quarter_turns, thumbnail_frame

    with av.open(stream, mode="r") as container:
        video = container.streams.video[0]
        video.thread_type = "SLICE"
        frame, _ = thumbnail_frame(container, video)
        if frame is None:
            raise Broken(f"No video frame could be decoded from the {source_format} file")
        turns = quarter_turns(frame)
        shown = displayed(frame.width, frame.height, video.sample_aspect_ratio)
        sizes = plan(*(shown[::-1] if turns % 2 else shown), spec)
        width, height = sizes.scaled[::-1] if turns % 2 else sizes.scaled
        # swscale scales to the displayed aspect while converting to RGB: no full-size RGB copy.
        picture = frame.to_image(width=width, height=height, interpolation="AREA")
    turn = TURNS.get(turns)
    return (picture.transpose(turn) if turn is not None else picture), None, sizes


def _page(stream: BinaryIO, source_format: str, spec: RenditionSpec) -> Picture:
    import pypdfium2 as pdfium

    with pdfium.PdfDocument(stream) as pdf:
        try:
            page = pdf[spec.page - 1]
        except pdfium.PdfiumError as exc:  # e.g. a page tree with fewer pages than its /Count says
            raise Broken(f"page {spec.page} of this PDF cannot be loaded ({exc})") from None
        try:
            page_width, page_height = page.get_size()  # points, the page's /Rotate applied
            vector = VECTOR_SIDE / max(page_width, page_height)
            sizes = plan(max(1, round(page_width * vector)), max(1, round(page_height * vector)), spec)
            bitmap = page.render(scale=sizes.scaled[0] / page_width)
            try:
                # A new picture of exactly the planned size (the bitmap may be a pixel off), not
                # sharing the bitmap's memory.
                picture = bitmap.to_pil().resize(sizes.scaled, RESAMPLING)
            finally:
                bitmap.close()
        finally:
            page.close()
    return picture, None, sizes


_PICTURES = {"image": _image, "video": _poster, "document": _page}


def finish(picture: Image.Image, icc_profile: bytes | None, sizes: Plan, spec: RenditionSpec) -> Image.Image:
    """The scaled picture cropped (cover) or padded (contain) to the output size, its colours in sRGB,
    its alpha kept where the format has one, and no metadata."""
    if picture.size != sizes.output and spec.fit == "cover":
        left, top = (
            (scaled - wanted) // 2 for scaled, wanted in zip(picture.size, sizes.output, strict=True)
        )
        picture = picture.crop((left, top, left + sizes.output[0], top + sizes.output[1]))
    alpha = picture.getchannel("A") if picture.mode in ("RGBA", "LA") else None
    result = to_srgb(opaque(picture), icc_profile)
    if alpha is not None:
        if spec.format == "jpeg":
            result = on_checkerboard(result, alpha)
        else:
            result.putalpha(alpha)
    if result.size != sizes.output:
        jpeg = spec.format == "jpeg"
        canvas = Image.new("RGB" if jpeg else "RGBA", sizes.output, JPEG_PADDING if jpeg else (0, 0, 0, 0))
        offset = tuple((wanted - shown) // 2 for wanted, shown in zip(sizes.output, result.size, strict=True))
        canvas.paste(result, offset)
        result = canvas
    result.info = {}  # resizing copies the source's info (EXIF, XMP, comments): none of it is written
    return result


def encode(picture: Image.Image, format: str) -> bytes:
    encoder, options = ENCODERS[format]
    out = io.BytesIO()
    picture.save(out, encoder, icc_profile=SRGB_ICC, **options)
    return out.getvalue()
