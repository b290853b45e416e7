"""Where the inspectors read bytes from: an S3 object read by ranges, or bytes already in memory.

Every media library used here (Pillow, PyAV, PDFium, mutagen) reads through a seekable
binary file object, so an S3 object is wrapped in one that turns reads into ranged GETs. They only
touch the parts they need (a video's index and the packets around 1 s, a PDF's trailer, xref and
first page), so most of a large object is never fetched.

PyAV is handed this reader rather than a presigned URL, measured on a 40 MB MP4 (index at the end,
thumbnail at 1 s): through this reader 2.6 MB in 10 GETs; through a URL FFmpeg asked for open-ended
ranges (`bytes=0-`, `bytes=<moov>-`, `bytes=48-`) and the server had streamed 7.8 MB into the socket
by the time FFmpeg dropped each connection, an amount that grows with bandwidth. Through boto3 every
read is a bounded range with the SDK's retries, counted in `bytes_fetched`, and a failed GET stays an
AWS error, where FFmpeg would report it as an I/O error indistinguishable from a broken file.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from typing import Any, BinaryIO

KiB = 1024
# One GET costs tens of milliseconds before its first byte, so blocks are sized to keep the count
# of requests low without fetching much that is not used.
DEFAULT_BLOCK_SIZE = 256 * KiB
DEFAULT_CACHE_BLOCKS = 64  # 16 MiB at most held in memory
# Reading ahead stops growing at 2 MiB: about what S3 transfers in the time one more GET takes to
# answer, so a longer stretch read straight on costs few requests, and stopping early wastes little.
DEFAULT_READAHEAD_BLOCKS = 8

Source = bytes | bytearray | memoryview | BinaryIO


class SeekableReader(io.RawIOBase):
    """A read-only, seekable binary file of `size` bytes whose subclass says how to read a range
    (`_read_at`); the libraries read through `read`/`readinto` at positions they `seek` to."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._read_at(self._pos, len(view))
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self._pos
        data = self._read_at(self._pos, size)
        self._pos += len(data)
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def _read_at(self, start: int, length: int) -> bytes:
        raise NotImplementedError


class RangedObjectReader(SeekableReader):
    """A read-only, seekable file over one S3 object, fetched block by block with ranged GETs.

    A read that needs several missing blocks fetches them in one request. Recently used blocks
    are kept (LRU), so libraries that seek back and forth do not fetch the same bytes twice.
    Reading straight on (a picture decoded from start to end, a video's packets) reads ahead: each
    fetch that starts where the previous one ended takes twice as many extra blocks as the one
    before (0, 1, 3, 7, then 8), so a 10 MB JPEG comes in 10 GETs instead of 39, while a library
    that jumps about (an MP4 index, a PDF's objects) still gets only the blocks it asks for.
    The first failed GET is remembered in `failure`: a library may swallow the exception (or
    wrap it as "corrupt input"), and the caller must still see it as the AWS error it is.
    """

    def __init__(
        self,
        client: Any,
        bucket: str,
        key: str,
        size: int,
        block_size: int = DEFAULT_BLOCK_SIZE,
        cache_blocks: int = DEFAULT_CACHE_BLOCKS,
        readahead_blocks: int = DEFAULT_READAHEAD_BLOCKS,
        etag: str | None = None,
    ) -> None:
        super().__init__(size)
        self.client = client
        self.bucket = bucket
        self.key = key
        self.block_size = block_size
        self.cache_blocks = cache_blocks
        self.readahead_blocks = min(readahead_blocks, cache_blocks // 4)
        # Every GET is conditioned on the object's ETag, when known: bytes replaced while they are read
        # fail the read (412) instead of mixing two versions.
        self.conditions = {"IfMatch": etag} if etag else {}
        self.bytes_fetched = 0
        self.requests = 0
        self.failure: Exception | None = None
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._next_block = -1  # the block after the last one fetched
        self._streak = 0  # fetches in a row that each started where the previous one ended

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

    def read_so_far(self) -> tuple[int, int]:
        """(bytes fetched, GETs sent) since the reader was made: the processing record's meter."""
        return self.bytes_fetched, self.requests

    def _read_at(self, start: int, length: int) -> bytes:
        end = min(start + length, self.size)
        if start >= end:
            return b""
        first, last = start // self.block_size, (end - 1) // self.block_size
        if first == last and first in self._blocks:  # most reads: a slice of one cached block
            self._blocks.move_to_end(first)
            offset = first * self.block_size
            return self._blocks[first][start - offset : end - offset]
        blocks: list[bytes] = []
        index = first
        while index <= last:
            if index in self._blocks:
                self._blocks.move_to_end(index)
                blocks.append(self._blocks[index])
                index += 1
                continue
            run_end = index  # fetch every consecutive missing block in one request
            while run_end < last and run_end + 1 not in self._blocks:
                run_end += 1
            blocks.extend(self._fetch(index, run_end))
            index = run_end + 1
        offset = first * self.block_size
        return b"".join(blocks)[start - offset : end - offset]

    def _fetch(self, first: int, wanted_last: int) -> list[bytes]:
        """Blocks first..wanted_last, plus the read-ahead; returns the wanted ones."""
        self._streak = min(self._streak + 1, 24) if first == self._next_block else 0
        extra = min((1 << self._streak >> 1) - 1, self.readahead_blocks) if self._streak else 0
        last, final = wanted_last, (self.size - 1) // self.block_size
        while extra and last < final and last + 1 not in self._blocks:
            last, extra = last + 1, extra - 1
        start = first * self.block_size
        end = min((last + 1) * self.block_size, self.size) - 1
        try:
            response = self.client.get_object(
                Bucket=self.bucket, Key=self.key, Range=f"bytes={start}-{end}", **self.conditions
            )
            data = response["Body"].read()
        except Exception as exc:
            self.failure = self.failure or exc
            raise
        self.requests += 1
        self.bytes_fetched += len(data)
        self._next_block = last + 1
        blocks = [data[offset : offset + self.block_size] for offset in range(0, len(data), self.block_size)]
        for index, block in enumerate(blocks, start=first):
            self._blocks[index] = block
        while len(self._blocks) > self.cache_blocks:
            self._blocks.popitem(last=False)
        return blocks[: wanted_last - first + 1]


def open_source(source: Source) -> BinaryIO:
    """A seekable binary file for what the caller has: a reader (used as is) or bytes."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source)
    return source
