"""Documents (pdf): page count and a thumbnail of the first page, both from PDFium.

PDFium takes the file object itself (pypdfium2 reads it with `readinto` at the offsets PDFium asks
for) and touches only the trailer, the cross-reference table, the page tree and the first page's
objects: 79 KB of an 11 MB, 200-page PDF. pypdf was measured on the same file and not used: with
strict=False it seeks to every object listed in the cross-reference table to check its header,
which reads the whole file before the first page is counted. A broken cross-reference table is
rebuilt by PDFium by scanning the file, which the 50 MB cap allows.

Encryption: a PDF with only an owner password (copy/print restrictions) opens in every viewer
without a password, and in PDFium too, so it is read like any other; one that needs a password to
open is Broken("PDF is encrypted").
"""

from __future__ import annotations

from typing import BinaryIO

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from functions.core.media import MediaFormat
from functions.processor.inspect.model import Broken, Inspection
from functions.processor.inspect.thumbnail import THUMBNAIL_SIDE, jpeg_thumbnail


def inspect(stream: BinaryIO, media: MediaFormat) -> Inspection:
    try:
        pdf = pdfium.PdfDocument(stream)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise Broken("PDF is encrypted") from exc
        raise
    with pdf:
        page_count = len(pdf)
        if page_count == 0:
            raise Broken("PDF has no pages")
        page = pdf[0]
        # Vector pages render straight at thumbnail size, however large the page is.
        bitmap = page.render(scale=THUMBNAIL_SIDE / max(page.get_size()))
        try:
            thumbnail = jpeg_thumbnail(bitmap.to_pil())  # the PIL image shares the bitmap's memory
        finally:
            bitmap.close()
            page.close()
    return Inspection(page_count=page_count, thumbnail=thumbnail)
