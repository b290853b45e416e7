"""Ground truth for the real-world corpus from tools independent of Trove's code, run on the file
at test time: exiftool for images, ffprobe for video, ffmpeg decoding for audio, pdfinfo for PDFs.

Each file also gets a reference picture of what a viewer shows, rendered by other programs than
Trove's: libvips for images (embedded ICC profile converted to sRGB, untagged CMYK by formula as
browsers show it, EXIF orientation applied, alpha kept), ffmpeg for videos (the frame at 1 s,
sample aspect ratio and display-matrix rotation applied, as players show it) and pdftoppm for PDFs
(first page, /Rotate applied).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageChops, ImageOps

from functions.core.media import AssetType, by_extension

RENDER_SIDE = 128  # the reference picture's longest side: detail enough for an 8×8 comparison
THUMBNAIL_AT = 1.0  # seconds: the moment a video's thumbnail shows (clips shorter show their start)


@dataclass(frozen=True)
class Truth:
    """What the file holds as a viewer shows it, by the independent tools."""

    width: int | None = None
    height: int | None = None
    duration: float | None = None
    page_count: int | None = None
    picture: Image.Image | None = None  # RGBA, at most RENDER_SIDE on its longest side


def truth(path: Path) -> Truth:
    asset_type = by_extension(path.suffix).asset_type  # type: ignore[union-attr]
    return {
        AssetType.IMAGE: _image,
        AssetType.VIDEO: _video,
        AssetType.AUDIO: _audio,
        AssetType.DOCUMENT: _document,
    }[asset_type](path)


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _image(path: Path) -> Truth:
    (facts,) = json.loads(
        _run(
            "exiftool",
            "-json",
            "-n",
            "-ImageWidth",
            "-ImageHeight",
            "-IFD0:Orientation",
            "-ColorComponents",
            "-ICC_Profile:ProfileDescription",
            str(path),
        )
    )
    width, height = facts["ImageWidth"], facts["ImageHeight"]
    # Browsers turn a picture by its EXIF orientation only (5–8 are quarter turns); XMP's is ignored.
    if facts.get("Orientation") in (5, 6, 7, 8):
        width, height = height, width
    if "ProfileDescription" not in facts and facts.get("ColorComponents") == 4:
        return Truth(width=width, height=height, picture=_untagged_cmyk(path))
    with tempfile.TemporaryDirectory() as folder:
        source = path
        if "ProfileDescription" in facts:
            # To sRGB from the embedded profile with the perceptual intent: the A2B0 table that
            # colour-managed browsers use for press profiles; the same as colorimetric for matrix ones.
            source = Path(folder) / "srgb.v"  # libvips's own format keeps the EXIF orientation
            subprocess.run(
                [
                    "vips",
                    "icc_transform",
                    str(path),
                    str(source),
                    "srgb",
                    "--embedded",
                    "--intent",
                    "perceptual",
                    "--depth",
                    "8",
                ],
                check=True,
                capture_output=True,
            )
        out = Path(folder) / "reference.png"
        # vipsthumbnail shrinks and turns the picture by its EXIF orientation; an untagged one is sRGB.
        subprocess.run(
            ["vipsthumbnail", str(source), "--size", f"{RENDER_SIDE}x{RENDER_SIDE}", "-o", str(out)],
            check=True,
            capture_output=True,
        )
        picture = Image.open(out).convert("RGBA")
    return Truth(width=width, height=height, picture=picture)


def _untagged_cmyk(path: Path) -> Image.Image:
    """CMYK without a profile as browsers show it, having none to apply: by formula, each of R, G, B
    the share of light its ink and the black ink let through. libvips decodes it (undoing Adobe's
    inverted CMYK) and turns it upright by its EXIF orientation."""
    with tempfile.TemporaryDirectory() as folder:
        upright = Path(folder) / "cmyk.tif"
        subprocess.run(["vips", "autorot", str(path), str(upright)], check=True, capture_output=True)
        cyan, magenta, yellow, black = (ImageOps.invert(ink) for ink in Image.open(upright).split())
    picture = Image.merge("RGB", [ImageChops.multiply(ink, black) for ink in (cyan, magenta, yellow)])
    picture.thumbnail((RENDER_SIDE, RENDER_SIDE))
    return picture.convert("RGBA")


def _video(path: Path) -> Truth:
    probe = json.loads(
        _run(
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
            str(path),
        )
    )
    (stream,) = probe["streams"]
    numerator, denominator = (int(part) for part in stream.get("sample_aspect_ratio", "1:1").split(":"))
    aspect = Fraction(numerator, denominator) if numerator and denominator else Fraction(1)  # 0:1 is unset
    width, height = int(stream["width"] * aspect + Fraction(1, 2)), stream["height"]
    rotation = next(
        (int(side["rotation"]) for side in stream.get("side_data_list", []) if "rotation" in side), 0
    )
    if rotation % 180:
        width, height = height, width
    duration = float(probe["format"].get("duration") or stream["duration"])
    at = THUMBNAIL_AT if duration >= THUMBNAIL_AT else 0.0
    # ffmpeg applies the display matrix itself (-autorotate is on by default); the filter applies
    # the sample aspect ratio to the width, as players do.
    # A clip that ends at 1 s has no frame there: its last frame is shown instead.
    picture = _frame(path, ["-ss", f"{at}"]) or _frame(path, ["-sseof", "-1"], last=True)
    return Truth(width=width, height=height, duration=duration, picture=picture)


def _frame(path: Path, seek: list[str], last: bool = False) -> Image.Image | None:
    """The first frame from `seek` on (or the last one), scaled by its sample aspect ratio and turned
    by its display matrix (ffmpeg's -autorotate, on by default), as players show it."""
    shown = f"scale='trunc(iw*sar/2)*2':ih,setsar=1,scale={RENDER_SIDE}:{RENDER_SIDE}:force_original_aspect_ratio=decrease"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "frame.png"
        frames = ["-update", "1"] if last else ["-frames:v", "1"]
        subprocess.run(
            ["ffmpeg", "-v", "error", *seek, "-i", str(path), *frames, "-vf", shown, str(out)],
            check=True,
            capture_output=True,
        )
        return Image.open(out).convert("RGBA") if out.is_file() else None


def _audio(path: Path) -> Truth:
    """How long the decoded audio plays, whatever the headers say: ffmpeg decodes the whole stream
    (encoder delay and padding trimmed, as players do) and reports where its output ends."""
    progress = _run(
        "ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-f", "null", "-progress", "pipe:1", "-"
    )
    ends = [int(line.split("=", 1)[1]) for line in progress.splitlines() if line.startswith("out_time_us=")]
    return Truth(duration=round(ends[-1] / 1_000_000, 3))


def _document(path: Path) -> Truth:
    info = _run("pdfinfo", "-f", "1", "-l", "1", str(path))
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "page"
        subprocess.run(
            [
                "pdftoppm",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                "-scale-to",
                str(RENDER_SIDE),
                "-png",
                str(path),
                str(root),
            ],
            check=True,
            capture_output=True,
        )
        picture = Image.open(root.with_suffix(".png")).convert("RGBA")
    return Truth(page_count=int(fields["Pages"]), width=picture.width, height=picture.height, picture=picture)
