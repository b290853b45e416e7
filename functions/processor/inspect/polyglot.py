"""Polyglots: an allowed file that is also something else, read another way.

The original bytes are stored and served as they came, so a file that a browser, a Java runtime
or a PDF reader would take for another format is not accepted, however well it reads as the
format it claims. Three readings are checked, on bytes the processor has or reads cheaply:

- HTML markup (a tag a browser acts on) in the first bytes, the sniff window: an image or PDF
  that is also a web page (PDF+HTML, an HTML comment in a JPEG);
- a PDF header (`%PDF-`) within the first 1,024 bytes of anything that is not a PDF: PDF readers
  look for it there;
- a ZIP archive, whose directory is read from the end of the file: GIFAR (GIF + Java archive), or
  any archive appended to a picture. One ranged GET of the tail; a match needs the end-of-directory
  record to end exactly at the end of the file and to point at a central directory entry, so random
  bytes do not match.
"""

from __future__ import annotations

import io
import re
import struct
from typing import BinaryIO

from functions.core.media import MediaFormat
from functions.processor.inspect.model import Rejected

# A tag name and the character after it, as an HTML tokenizer would see a start tag.
_HTML_TAG = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta|base)[\s/>]", re.IGNORECASE
)
_PDF_HEADER = b"%PDF-"
_PDF_HEADER_WINDOW = 1024
_ZIP_END = b"PK\x05\x06"
_ZIP_END_SIZE = 22
_ZIP_MAX_COMMENT = 0xFFFF
_ZIP_DIRECTORY_ENTRY = b"PK\x01\x02"


def check_single_format(stream: BinaryIO, size: int, head: bytes, media: MediaFormat) -> None:
    """Rejected if `stream` (of `size` bytes, starting with `head`) is also HTML, a PDF or a ZIP archive."""
    if _HTML_TAG.search(head):
        raise Rejected(f"File contains HTML markup as well as {media.format} data (a polyglot)")
    if media.format != "pdf" and _PDF_HEADER in head[:_PDF_HEADER_WINDOW]:
        raise Rejected(f"File is also a PDF as well as {media.format} data (a polyglot)")
    if _is_zip(stream, size):
        raise Rejected(f"File is also a ZIP archive as well as {media.format} data (a polyglot)")


def _is_zip(stream: BinaryIO, size: int) -> bool:
    """Whether the file ends with a ZIP end-of-central-directory record that a ZIP reader would use."""
    window = min(size, _ZIP_END_SIZE + _ZIP_MAX_COMMENT)
    if window < _ZIP_END_SIZE:
        return False
    stream.seek(size - window)
    tail = stream.read(window)
    found = tail.rfind(_ZIP_END)
    while found != -1:
        start = size - window + found
        record = tail[found : found + _ZIP_END_SIZE]
        if len(record) == _ZIP_END_SIZE:
            directory_size, directory_offset, comment = struct.unpack("<IIH", record[12:22])
            directory = start - directory_size
            if start + _ZIP_END_SIZE + comment == size and 0 <= directory < start and directory_offset <= directory:
                stream.seek(directory)
                if stream.read(len(_ZIP_DIRECTORY_ENTRY)) == _ZIP_DIRECTORY_ENTRY:
                    return True
        found = tail.rfind(_ZIP_END, 0, found)
    stream.seek(0, io.SEEK_SET)
    return False
