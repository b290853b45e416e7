"""ICC profiles written byte by byte (ICC.1:2010, version 4), for the colour-management tests: the
profiles a phone or a scanner embeds, without committing binary files or trusting the library under
test to make them. Matrix/TRC profiles only: a curve per channel and the primaries' XYZ."""

from __future__ import annotations

import struct

D50 = (0.9642, 1.0, 0.8249)  # the profile connection space's white

# Display P3's primaries adapted to D50 (Bradford), as in the profile Apple's devices embed.
DISPLAY_P3_COLORANTS = (
    (0.515102, 0.241182, -0.001050),
    (0.291965, 0.692236, 0.041885),
    (0.157153, 0.066574, 0.784378),
)
# The sRGB curve (IEC 61966-2-1) as ICC parametric curve 3: g, a, b, c, d.
SRGB_CURVE = (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)


def display_p3() -> bytes:
    curve = _parametric(SRGB_CURVE)
    red, green, blue = (_xyz(colorant) for colorant in DISPLAY_P3_COLORANTS)
    tags = {b"desc": _text("Display P3 (test)"), b"wtpt": _xyz(D50)}
    tags |= {b"rXYZ": red, b"gXYZ": green, b"bXYZ": blue, b"rTRC": curve, b"gTRC": curve, b"bTRC": curve}
    return _profile(b"RGB ", tags)


def linear_grey() -> bytes:
    """A greyscale profile whose values are proportional to light (gamma 1.0), as some scanners write."""
    return _profile(
        b"GRAY", {b"desc": _text("Linear grey (test)"), b"wtpt": _xyz(D50), b"kTRC": _parametric((1.0,))}
    )


def _profile(colour_space: bytes, tags: dict[bytes, bytes]) -> bytes:
    table_size = 4 + 12 * len(tags)
    entries, data, offset = [], b"", 128 + table_size
    for signature, payload in tags.items():
        payload += bytes(-len(payload) % 4)  # tag data start on 4-byte boundaries
        entries.append(struct.pack(">4sII", signature, offset + len(data), len(payload)))
        data += payload
    size = 128 + table_size + len(data)
    header = struct.pack(">I4sI4s4s4s", size, b"", 0x04300000, b"mntr", colour_space, b"XYZ ")
    header += bytes(12) + b"acsp" + bytes(24) + struct.pack(">I", 0) + _s15(D50) + bytes(48)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + b"".join(entries) + data


def _s15(values: tuple[float, ...]) -> bytes:
    return b"".join(struct.pack(">i", round(value * 65536)) for value in values)


def _xyz(values: tuple[float, float, float]) -> bytes:
    return b"XYZ " + bytes(4) + _s15(values)


def _parametric(parameters: tuple[float, ...]) -> bytes:
    function = {1: 0, 5: 3}[len(parameters)]  # 0: y = x^g; 3: the sRGB shape
    return b"para" + bytes(4) + struct.pack(">HH", function, 0) + _s15(parameters)


def _text(text: str) -> bytes:
    encoded = text.encode("utf-16-be")
    return b"mluc" + bytes(4) + struct.pack(">II2s2sII", 1, 12, b"en", b"US", len(encoded), 28) + encoded
