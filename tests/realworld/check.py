"""Run Trove's inspection on a real-world file and hold it against the independent tools' truth.

    outcome = check(entry)     # outcome.mismatches: [] when Trove agrees with the tools

Compared: the status (ready, failed, rejected) with the manifest's expectation; then, for a ready
file, width and height as displayed (±1 pixel: players round a scaled width either way), duration
(within 2 % or 0.05 s), page count, and the thumbnail against the reference picture: its aspect
ratio within 2 % (a pixel of rounding allowed), and both pictures shrunk to 8×8 differ by at most
PICTURE_TOLERANCE on average per channel — a thumbnail turned a quarter, mirrored, stretched, off
in colour or blank fails. Where the reference is transparent only its opaque cells are compared
(the backdrop is Trove's choice), and a thumbnail must not be flat where the picture is not.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image, ImageChops, ImageStat

from functions.core.media import by_extension
from functions.processor.inspect import Broken, Rejected, examine_within_budget
from functions.processor.inspect.model import Inspection
from tests.realworld.corpus import Entry
from tests.realworld.reference import Truth, truth

GRID = 8
PICTURE_TOLERANCE = 12.0  # mean absolute difference per channel, 0–255, over the 8×8 grid
OPAQUE = 250  # a grid cell whose reference alpha is at least this is compared
DURATION_SECONDS, DURATION_SHARE = 0.05, 0.02
ASPECT_SHARE = 0.02


@dataclass
class Outcome:
    entry: Entry
    status: str
    reason: str = ""
    inspection: Inspection | None = None
    truth: Truth | None = None
    mismatches: list[str] = field(default_factory=list)


def check(entry: Entry) -> Outcome:
    media = by_extension(entry.extension)
    assert media is not None, entry.name
    try:
        _, inspection = examine_within_budget(entry.local.read_bytes(), media.asset_type, entry.extension)
    except Rejected as exc:
        outcome = Outcome(entry, "rejected", exc.reason)
    except Broken as exc:
        outcome = Outcome(entry, "failed", exc.reason)
    else:
        outcome = Outcome(entry, "ready", inspection=inspection)
    if outcome.status != entry.expect:
        outcome.mismatches.append(
            f"status {outcome.status} ({outcome.reason or 'no reason'}), expected {entry.expect}"
        )
    if outcome.inspection is not None:
        outcome.truth = truth(entry.local)
        outcome.mismatches += compare(outcome.inspection, outcome.truth, thumbnail_expected=media.thumbnail)
    return outcome


def compare(found: Inspection, expected: Truth, thumbnail_expected: bool) -> list[str]:
    mismatches = []
    if expected.page_count is not None and found.page_count != expected.page_count:
        mismatches.append(f"pages {found.page_count}, expected {expected.page_count}")
    if expected.page_count is None and expected.width is not None and not _same_size(found, expected):
        mismatches.append(f"size {found.width}×{found.height}, expected {expected.width}×{expected.height}")
    if expected.duration is not None:
        allowed = max(DURATION_SECONDS, DURATION_SHARE * expected.duration)
        if found.duration is None or abs(found.duration - expected.duration) > allowed:
            mismatches.append(f"duration {found.duration} s, expected {expected.duration} s (±{allowed:.3f})")
    if thumbnail_expected:
        if found.thumbnail is None:
            mismatches.append("no thumbnail")
        elif expected.picture is not None and expected.width and expected.height:
            thumbnail = Image.open(io.BytesIO(found.thumbnail)).convert("RGB")
            mismatches += compare_pictures(thumbnail, expected.picture, expected.width / expected.height)
    return mismatches


def _same_size(found: Inspection, expected: Truth) -> bool:
    """Equal within a pixel: players round a width scaled by the sample aspect ratio either way."""
    if found.width is None or found.height is None or expected.width is None or expected.height is None:
        return False
    return abs(found.width - expected.width) <= 1 and abs(found.height - expected.height) <= 1


def compare_pictures(thumbnail: Image.Image, reference: Image.Image, aspect: float) -> list[str]:
    """Mismatches between a thumbnail (RGB) and the reference picture (RGBA) of a `aspect` wide picture."""
    mismatches = []
    found_aspect = thumbnail.width / thumbnail.height
    rounding = 1 / min(thumbnail.size)  # one pixel more or less on the short side
    if abs(found_aspect / aspect - 1) > ASPECT_SHARE + rounding:
        mismatches.append(
            f"thumbnail aspect {thumbnail.width}×{thumbnail.height} ({found_aspect:.3f}), expected {aspect:.3f}"
        )
        return mismatches  # a stretched or turned picture: the colours cannot be compared cell by cell
    grid = thumbnail.resize((GRID, GRID), Image.Resampling.BOX)
    reference_grid = reference.resize((GRID, GRID), Image.Resampling.BOX)
    alpha = reference_grid.getchannel("A")
    opaque = alpha.point(lambda value: 255 if value >= OPAQUE else 0)
    cells = sum(1 for value in opaque.getdata() if value)
    if cells:
        difference = ImageChops.difference(grid, reference_grid.convert("RGB"))
        mean = sum(ImageStat.Stat(difference, mask=opaque).mean) / 3
        if mean > PICTURE_TOLERANCE:
            mismatches.append(
                f"thumbnail differs from the reference render by {mean:.1f} per channel (at most {PICTURE_TOLERANCE})"
            )
    if alpha.getextrema()[0] < OPAQUE and _spread(reference_grid) >= 32 and _spread(grid) < 16:
        mismatches.append("thumbnail is flat where the transparent picture shows shapes")
    return mismatches


def _spread(picture: Image.Image) -> int:
    """How far apart the lightest and darkest visible cells are (alpha-weighted for RGBA)."""
    if picture.mode == "RGBA":
        luminance = Image.composite(
            picture.convert("L"), Image.new("L", picture.size, 128), picture.getchannel("A")
        )
    else:
        luminance = picture.convert("L")
    low, high = luminance.getextrema()
    return high - low
