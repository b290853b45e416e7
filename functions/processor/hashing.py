"""The SHA-256 of an uploaded object, read from S3's own checksum when it has one.

A client that sends the SHA-256 with its upload (the presigned POST's `x-amz-checksum-sha256`, or the
multipart route, which computes it as the bytes arrive) has S3 verify the bytes on arrival and keep the
checksum with the object: reading it back is one HEAD and no bytes. Without one, the object is read
whole, by ranged GETs pinned to the ETag the processor checked (other bytes posted meanwhile fail the
read with 412 instead of mixing two versions), a chunk at a time, so memory stays bounded whatever
the size.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from functions.core.storage import S3Client, hex_of_checksum
from functions.processor.inspect.model import Rejected

MiB = 1024 * 1024
# One GET per range: the largest upload (50 MB) costs 4, and a failed read retries little. Memory held
# is one body chunk, whatever the range.
RANGE_BYTES = 16 * MiB
_CHUNK_BYTES = 1 * MiB


@dataclass(frozen=True)
class HashResult:
    sha256: str  # lowercase hex
    bytes_read: int
    gets: int
    from_checksum: bool  # S3's stored checksum, no bytes read


def object_sha256(
    s3: S3Client, bucket: str, key: str, *, size: int, etag: str, declared: str | None
) -> HashResult:
    """The hex SHA-256 of the object at `key` as it is at `etag` (`size` bytes). `declared` is the hash
    the client announced: bytes whose hash differs are Rejected (S3 refuses them itself on arrival;
    this catches an upload path or a store that did not check)."""
    stored = stored_sha256(s3, bucket, key, etag)
    result = HashResult(stored, 0, 0, True) if stored else _streamed_sha256(s3, bucket, key, size, etag)
    if declared is not None and result.sha256 != declared:
        raise Rejected(f"The file's SHA-256 is {result.sha256}, but {declared} was declared")
    return result


def stored_sha256(s3: S3Client, bucket: str, key: str, etag: str) -> str | None:
    """The hex SHA-256 S3 keeps for the whole object at `etag`, or None without one. A multipart
    object (its ETag ends in "-<parts>") has a SHA-256 of its parts' checksums at most ("…-N", type
    COMPOSITE: S3 keeps whole-object checksums of multipart uploads for CRCs only), not the file's."""
    if etag.strip('"').rpartition("-")[1]:
        return None
    head = s3.head_object(Bucket=bucket, Key=key, IfMatch=etag, ChecksumMode="ENABLED")
    checksum = head.get("ChecksumSHA256")
    if not checksum or head.get("ChecksumType", "FULL_OBJECT") != "FULL_OBJECT":
        return None
    return hex_of_checksum(checksum)  # None for a composite "…-N", which is not base64


def _streamed_sha256(s3: S3Client, bucket: str, key: str, size: int, etag: str) -> HashResult:
    digest = hashlib.sha256()
    gets = bytes_read = 0
    for start in range(0, size, RANGE_BYTES):
        end = min(start + RANGE_BYTES, size) - 1
        body = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={start}-{end}", IfMatch=etag)["Body"]
        gets += 1
        for chunk in body.iter_chunks(_CHUNK_BYTES):
            digest.update(chunk)
            bytes_read += len(chunk)
    return HashResult(digest.hexdigest(), bytes_read, gets, False)
