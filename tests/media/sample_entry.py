"""Videos as a codec FFmpeg does not know: the sample entry of a clip made by generate.video
renamed."""

from __future__ import annotations


def with_sample_entry(data: bytes, old: bytes, new: bytes) -> bytes:
    """The file with its video sample entry (the codec's four-character code inside `stsd`) renamed:
    a codec FFmpeg does not know."""
    at = data.index(old, data.index(b"stsd"))
    return data[:at] + new + data[at + len(new) :]
