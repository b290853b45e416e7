"""The processor's SHA-256 of an upload (moto S3): S3's stored checksum read back without a byte, or the
object read whole by bounded ranged GETs pinned to its ETag; a declared hash the bytes do not have is
refused."""

from __future__ import annotations

import hashlib
import math
import os

import pytest
from botocore.exceptions import ClientError

from functions.core.storage import checksum_of_hex
from functions.processor import hashing
from functions.processor.inspect import Rejected
from tests.unit.processor.conftest import BUCKET

KEY = "uploads/5f0c1c1e-8a8e-4b8e-9a3e-2f7d2b0c9d11"
DATA = os.urandom(3 * 1024 * 1024 + 17)


def stored(s3, data: bytes = DATA, **checksum: str) -> dict:
    answer = s3.put_object(Bucket=BUCKET, Key=KEY, Body=data, **checksum)
    return {"size": len(data), "etag": answer["ETag"]}


def test_s3s_stored_checksum_is_read_back_without_reading_a_byte(s3) -> None:
    # given: bytes S3 verified against the client's SHA-256 and kept it
    sha256 = hashlib.sha256(DATA).hexdigest()
    upload = stored(s3, ChecksumAlgorithm="SHA256", ChecksumSHA256=checksum_of_hex(sha256))

    # when
    result = hashing.object_sha256(s3, BUCKET, KEY, **upload, declared=sha256)

    # then
    assert result == hashing.HashResult(sha256, bytes_read=0, gets=0, from_checksum=True)


def test_without_a_checksum_the_object_is_read_whole_by_bounded_gets_pinned_to_its_etag(
    s3, monkeypatch
) -> None:
    # given: ranges of 1 MiB, so this object takes four
    monkeypatch.setattr(hashing, "RANGE_BYTES", 1024 * 1024)
    upload = stored(s3)
    gets: list[dict] = []
    s3.meta.events.register(
        "provide-client-params.s3.GetObject", lambda params, **_: gets.append(dict(params))
    )

    # when
    result = hashing.object_sha256(s3, BUCKET, KEY, **upload, declared=None)

    # then
    assert result == hashing.HashResult(hashlib.sha256(DATA).hexdigest(), len(DATA), 4, from_checksum=False)
    assert len(gets) == math.ceil(len(DATA) / hashing.RANGE_BYTES)
    for get in gets:
        first, last = map(int, get["Range"].removeprefix("bytes=").split("-"))
        assert last - first + 1 <= hashing.RANGE_BYTES
        assert get["IfMatch"] == upload["etag"]


def test_bytes_replaced_while_they_are_hashed_fail_the_read(s3) -> None:
    # given: the ETag the processor checked, then other bytes at the key
    upload = stored(s3)
    stored(s3, data=b"other bytes")

    # when / then
    with pytest.raises(ClientError) as error:
        hashing.object_sha256(s3, BUCKET, KEY, **upload, declared=None)
    assert error.value.response["Error"]["Code"] in ("PreconditionFailed", "412")


def test_bytes_whose_hash_is_not_the_declared_one_are_rejected(s3) -> None:
    # given: a store that kept bytes without checking the client's hash
    upload = stored(s3)
    declared = hashlib.sha256(b"what the client announced").hexdigest()

    # when / then
    with pytest.raises(Rejected, match=f"but {declared} was declared"):
        hashing.object_sha256(s3, BUCKET, KEY, **upload, declared=declared)


def test_a_multipart_objects_checksum_of_parts_is_not_taken_for_the_files_hash(s3) -> None:
    # given: an object of two parts, each with its SHA-256 (S3 keeps a checksum of the checksums)
    part_size = 5 * 1024 * 1024
    data = os.urandom(part_size + 1000)
    started = s3.create_multipart_upload(Bucket=BUCKET, Key=KEY, ChecksumAlgorithm="SHA256")
    parts = []
    for number, start in enumerate(range(0, len(data), part_size), start=1):
        chunk = data[start : start + part_size]
        sent = s3.upload_part(
            Bucket=BUCKET, Key=KEY, UploadId=started["UploadId"], PartNumber=number, Body=chunk,
            ChecksumAlgorithm="SHA256",
        )  # fmt: skip
        parts.append({"PartNumber": number, "ETag": sent["ETag"], "ChecksumSHA256": sent["ChecksumSHA256"]})
    done = s3.complete_multipart_upload(
        Bucket=BUCKET, Key=KEY, UploadId=started["UploadId"], MultipartUpload={"Parts": parts}
    )

    # when
    result = hashing.object_sha256(s3, BUCKET, KEY, size=len(data), etag=done["ETag"], declared=None)

    # then
    assert (result.sha256, result.from_checksum) == (hashlib.sha256(data).hexdigest(), False)
