"""Bytes to and from storage without holding a file in memory: a multipart form streamed from disk for
the presigned POST, and a download written to a temporary file renamed into place once complete."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from trove_client.errors import FileChanged

CHUNK_BYTES = 256 * 1024
Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


class StreamedForm:
    """A `multipart/form-data` body: every field first, then the file (S3 reads fields up to the file
    and ignores what follows). Its length is known up front, so it goes with a Content-Length: S3's
    POST takes no chunked bodies."""

    def __init__(self, fields: dict[str, str], file: Path, content_type: str) -> None:
        self.boundary = secrets.token_hex(16)
        self.file = file
        self.size = file.stat().st_size
        parts = [self._field(name, value) for name, value in fields.items()]
        filename = _quoted(file.name)
        parts.append(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        self.head = b"".join(parts)
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()

    def _field(self, name: str, value: str) -> bytes:
        return f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n{value}\r\n'.encode()

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary}",
            "Content-Length": str(len(self.head) + self.size + len(self.tail)),
        }

    def chunks(self, progress: Progress | None = None) -> Iterator[bytes]:
        """The body, read from disk a chunk at a time; `progress` hears of the file's bytes as they go."""
        yield self.head
        done = 0
        with self.file.open("rb") as source:
            # Never past the size announced in Content-Length: a file that grows would overrun it.
            while done < self.size and (chunk := source.read(min(CHUNK_BYTES, self.size - done))):
                yield chunk
                done += len(chunk)
                if progress:
                    progress(done, self.size)
            grew = bool(source.read(1))
        if done != self.size or grew:  # changed while being sent: storage must not take it as whole
            raise FileChanged(f"{self.file} changed size while it was uploaded (it had {self.size} bytes)")
        yield self.tail


def file_sha256(file: Path) -> str:
    """The file's SHA-256 (hex), read a chunk at a time: S3 checks the upload against it."""
    with file.open("rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()


def _quoted(text: str) -> str:
    """A name or file name inside a quoted header parameter, escaped as browsers do (WHATWG)."""
    return text.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


@contextmanager
def atomic_file(destination: Path) -> Iterator[BinaryIO]:
    """A temporary file beside `destination`, renamed onto it when the block ends without error and
    removed otherwise (an exception, Ctrl-C): a download is whole or absent, never half-written."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.parent / f".{destination.name}.{secrets.token_hex(4)}.part"
    # 0o666 less the umask, as the file would have been made directly (mkstemp would make it 0600).
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as output:
            yield output
        os.replace(temporary, destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
