"""The benchmark inputs, made once by real encoders and cached under bench/out/ (gitignored).

    ensure(names) -> {name: Input}      # generates what is missing, returns paths and metadata
    python -m bench.inputs              # make them all and print their sizes

MAIN are the inputs of the per-type table (the issue's list); LARGEST are the heaviest inputs an
owner may upload (50 MB, up to the 100-megapixel limit), used only for the peak-memory check; WARM
are small files of each type that every measured process runs once before timing, so one-time costs
(library first calls, libmagic's database, botocore's service models) stay out of the figures; they
belong to the cold start, measured on its own.

Pictures are "photographic": smooth colour fields, edges, blur and sensor grain, so JPEG sizes are
what a camera produces (a 24 MP photo is ~10 MB), not the few hundred KB of flat colour.
"""

from __future__ import annotations

import io
import math
import random
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
MB = 1_000_000


@dataclass(frozen=True)
class Input:
    name: str
    file: str  # under OUT; the version in the name changes when the recipe does
    asset_type: str
    format: str
    description: str
    make: Callable[[Path], None]

    @property
    def path(self) -> Path:
        return OUT / self.file

    @property
    def size(self) -> int:
        return self.path.stat().st_size


# Pictures


def photo(width: int, height: int, seed: int = 1, grain: float = 10):
    """A photograph-like RGB picture: large soft colour fields, mid-size texture, shapes with edges,
    a slight blur (lens) and Gaussian grain (sensor noise)."""
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    rnd = random.Random(seed)

    def field(cells_w: int, cells_h: int, sigma: float) -> Image.Image:
        bands = [Image.effect_noise((max(2, cells_w), max(2, cells_h)), sigma) for _ in range(3)]
        return Image.merge("RGB", bands).resize((width, height), Image.Resampling.BICUBIC)

    image = Image.blend(field(width // 400, height // 400, 60), field(width // 40, height // 40, 40), 0.35)
    draw = ImageDraw.Draw(image)
    colour = lambda: tuple(rnd.randrange(256) for _ in range(3))
    for _ in range(60):
        x, y, r = rnd.randrange(width), rnd.randrange(height), rnd.randrange(width // 60, width // 8)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=colour(), width=rnd.randrange(2, 20))
    for _ in range(200):
        points = [(rnd.randrange(width), rnd.randrange(height)) for _ in range(2)]
        draw.line(points, fill=colour(), width=rnd.randrange(1, 6))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    if grain:
        noise = Image.effect_noise((width, height), grain).convert("RGB")
        image = ImageChops.add(image, noise, offset=-128)
    return image


def _jpeg_24mp(path: Path) -> None:
    photo(6000, 4000).save(path, "JPEG", quality=90)


def _jpeg_24mp_light(path: Path) -> None:
    # The same scene with a quarter of the grain, q85: 4.4 MB, the size a phone's 24 MP JPEG has.
    photo(6000, 4000, grain=4).save(path, "JPEG", quality=85)


def _png_12mp(path: Path) -> None:
    photo(4000, 3000, seed=2, grain=4).save(path, "PNG")


def _jpeg_100mp(path: Path) -> None:
    # 12000×8333 is just under the 100-megapixel limit; upscaled from a 24 MP photo, plus grain.
    from PIL import Image, ImageChops

    image = photo(6000, 4000, seed=3, grain=0).resize((12000, 8333), Image.Resampling.BILINEAR)
    image = ImageChops.add(image, Image.effect_noise(image.size, 6).convert("RGB"), offset=-128)
    image.save(path, "JPEG", quality=85)


def _gradient_rgba(width: int, height: int):
    """A picture that compresses losslessly well (gradients, shapes, a soft alpha): a 100 MP PNG,
    GIF or WebP of it stays under 50 MB."""
    from PIL import Image, ImageDraw

    small = photo(width // 20, height // 20, seed=4, grain=0)
    image = small.resize((width, height), Image.Resampling.NEAREST)  # flat blocks: cheap to compress
    draw = ImageDraw.Draw(image)
    for index in range(0, width, width // 25):
        draw.line([(index, 0), (width - index, height)], fill=(250, 230, 20), width=9)
    alpha = Image.linear_gradient("L").resize((width, height))
    image.putalpha(alpha)
    return image


def _png_100mp(path: Path) -> None:
    _gradient_rgba(10000, 10000).save(path, "PNG", compress_level=1)


def _gif_100mp(path: Path) -> None:
    image = _gradient_rgba(10000, 10000).convert("RGB")
    image.quantize(colors=64, method=2).save(path, "GIF")


def _webp_24mp(path: Path) -> None:
    # WebP's limit is 24 MP (see functions/processor/inspect/image.py): its largest allowed picture.
    _gradient_rgba(6000, 4000).save(path, "WEBP", quality=50, alpha_quality=50, method=0)


def _webp_100mp(path: Path) -> None:
    # Lossy alpha too: a lossless alpha plane of this picture alone is over 50 MB.
    _gradient_rgba(10000, 10000).save(path, "WEBP", quality=50, alpha_quality=50, method=0)


# Video


def _panning_video(path: Path, width: int, height: int, fps: int, seconds: float, bit_rate: int) -> None:
    """A camera pan over a photo-like scene with fresh grain on every frame, H.264 (x264 ultrafast,
    its default 250-frame GOP), the `moov` index written at the end as a camera or FFmpeg does."""
    import av
    from PIL import Image, ImageChops

    margin_x, margin_y = width // 3, height // 3
    scene = photo(width + margin_x, height + margin_y, seed=5, grain=0)
    grains = [Image.effect_noise((width, height), 10).convert("RGB") for _ in range(4)]
    with av.open(str(path), "w", format="mp4") as output:
        stream = output.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = bit_rate
        for index in range(round(seconds * fps)):
            x = int(margin_x / 2 * (1 + math.sin(index / 90)))
            y = int(margin_y / 2 * (1 + math.cos(index / 70)))
            picture = ImageChops.add(
                scene.crop((x, y, x + width, y + height)), grains[index % 4], offset=-128
            )
            frame = av.VideoFrame.from_image(picture)
            frame.pts = index
            output.mux(stream.encode(frame))
        output.mux(stream.encode())


def _mp4_1080p(path: Path) -> None:
    # 40 MB over 30 s at 30 fps: 10.7 Mbit/s, a phone's 1080p bitrate.
    _panning_video(path, 1920, 1080, 30, 30, bit_rate=10_700_000)


def _mp4_8k(path: Path) -> None:
    # 8K (7680×4320, 33 MP a frame, the largest H.264 level 6.2 allows) for 1.5 s at 30 fps.
    _panning_video(path, 7680, 4320, 30, 1.5, bit_rate=100_000_000)


def _mp4_4k(path: Path) -> None:
    # 4K at 30 fps, 8 s at 48 Mbit/s: a 48 MB phone clip, the largest video allowed in practice.
    _panning_video(path, 3840, 2160, 30, 8, bit_rate=48_000_000)


def _faststart(source: Input) -> Callable[[Path], None]:
    def remux(path: Path) -> None:
        """The same packets, `moov` moved to the front (FFmpeg's -movflags faststart)."""
        import av

        source_path = ensure([source.name])[source.name].path
        with (
            av.open(str(source_path)) as inp,
            av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as out,
        ):
            in_stream = inp.streams.video[0]
            out_stream = out.add_stream_from_template(in_stream)
            for packet in inp.demux(in_stream):
                if packet.dts is None:
                    continue
                packet.stream = out_stream
                out.mux(packet)

    return remux


# Audio


def _mp3_5min(path: Path) -> None:
    """Five minutes of stereo 44.1 kHz at 192 kbit/s (LAME): a chord with a slow tremolo."""
    import av

    rate, seconds = 44_100, 300
    second = bytearray()
    for i in range(rate):
        t = i / rate
        level = 6000 * (0.6 + 0.4 * math.sin(2 * math.pi * 0.5 * t))
        left = level * (math.sin(2 * math.pi * 440 * t) + 0.5 * math.sin(2 * math.pi * 660 * t))
        right = level * (math.sin(2 * math.pi * 550 * t) + 0.5 * math.sin(2 * math.pi * 330 * t))
        second += struct.pack("<hh", int(left * 0.6), int(right * 0.6))
    with av.open(str(path), "w", format="mp3") as output:
        stream = output.add_stream("libmp3lame", rate=rate, layout="stereo")
        stream.bit_rate = 192_000
        step = 1152  # samples in an MPEG-1 layer III frame
        total = rate * seconds
        looped = bytes(second * 2)  # a frame may run past the end of the one-second pattern
        for first in range(0, total, step):
            count = min(step, total - first)
            offset = (first % rate) * 4
            chunk = looped[offset : offset + count * 4]
            frame = av.AudioFrame(format="s16", layout="stereo", samples=count)
            frame.planes[0].update(bytes(chunk))
            frame.sample_rate, frame.pts = rate, first
            output.mux(stream.encode(frame))
        output.mux(stream.encode())


def _wav_50mb(path: Path) -> None:
    """Just under 50 MB of 16-bit stereo 44.1 kHz PCM (4 min 43 s)."""
    import wave

    rate = 44_100
    second = b"".join(
        struct.pack("<hh", int(8000 * math.sin(2 * math.pi * 440 * i / rate)), 0) for i in range(rate)
    )
    with wave.open(str(path), "wb") as output:
        output.setnchannels(2)
        output.setsampwidth(2)
        output.setframerate(rate)
        for _ in range((50 * MB - 1000) // len(second)):
            output.writeframes(second)


# Documents


def _pdf(
    path: Path, pages: int, images: list[tuple[bytes, int, int]], first_page_image: bool = False
) -> None:
    """A report: every page has a heading, 40 lines of text (Helvetica, not embedded), a vector bar
    chart and one of `images` (JPEG, shared between pages as PDF producers do); content compressed."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        StreamObject,
    )

    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    image_refs = []
    for data, width, height in images:
        stream = StreamObject()
        stream._data = data
        stream.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(width),
                NameObject("/Height"): NumberObject(height),
                NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                NameObject("/BitsPerComponent"): NumberObject(8),
                NameObject("/Filter"): NameObject("/DCTDecode"),
            }
        )
        image_refs.append(writer._add_object(stream))
    rnd = random.Random(7)
    words = [
        "asset",
        "trove",
        "upload",
        "thumbnail",
        "campaign",
        "client",
        "budget",
        "quarter",
        "review",
        "media",
        "image",
        "video",
    ]
    for number in range(pages):
        page = writer.add_blank_page(612, 792)
        lines = [f"BT /F1 18 Tf 72 740 Td (Section {number + 1}: quarterly media review) Tj ET"]
        for row in range(40):
            text = " ".join(rnd.choice(words) for _ in range(12))
            lines.append(f"BT /F1 9 Tf 72 {712 - row * 11} Td ({text}) Tj ET")
        for bar in range(12):
            height = rnd.randrange(20, 120)
            lines.append(f"{0.2 + bar / 20:.2f} 0.3 0.6 rg {330 + bar * 20} 80 14 {height} re f")
        if first_page_image and number == 0:
            lines.append("q 540 0 0 540 36 126 cm /Im0 Do Q")  # the whole page, over the text
        else:
            lines.append("q 240 0 0 160 72 80 cm /Im0 Do Q")
        content = DecodedStreamObject()
        content.set_data("\n".join(lines).encode("latin-1"))
        page.replace_contents(content)
        image = image_refs[0] if first_page_image and number == 0 else image_refs[number % len(image_refs)]
        page[NameObject("/Resources")] = DictionaryObject(
            {
                NameObject("/Font"): DictionaryObject({NameObject("/F1"): font}),
                NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): image}),
                NameObject("/ProcSet"): ArrayObject(
                    [NameObject("/PDF"), NameObject("/Text"), NameObject("/ImageC")]
                ),
            }
        )
        page.compress_content_streams()
    with path.open("wb") as out:
        writer.write(out)


def _jpeg_bytes(width: int, height: int, seed: int) -> tuple[bytes, int, int]:
    out = io.BytesIO()
    photo(width, height, seed=seed).save(out, "JPEG", quality=80)
    return out.getvalue(), width, height


def _pdf_100_pages(path: Path) -> None:
    _pdf(path, 100, [_jpeg_bytes(1200, 800, seed) for seed in range(10, 30)])


def _pdf_scan(path: Path) -> None:
    """100 pages whose first page is a 100-megapixel scan: what PDFium must decode to draw page one."""
    big = ensure(["jpeg_100mp"])["jpeg_100mp"]
    from PIL import Image

    with Image.open(big.path) as image:
        width, height = image.size
    _pdf(path, 100, [(big.path.read_bytes(), width, height)], first_page_image=True)


# Small warm-up files (made by the test suite's generator)


def _from_test_corpus(sample: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        from tests.media.generate import SAMPLES

        path.write_bytes(SAMPLES[sample]())

    return write


_INPUTS = [
    # the per-type table
    Input("jpeg_24mp", "photo-24mp.v1.jpg", "image", "jpg", "JPEG 6000×4000, photo-like, q90", _jpeg_24mp),
    Input(
        "jpeg_24mp_light",
        "photo-24mp-light.v1.jpg",
        "image",
        "jpg",
        "JPEG 6000×4000, less grain, q85 (phone-sized)",
        _jpeg_24mp_light,
    ),
    Input("png_12mp", "photo-12mp.v1.png", "image", "png", "PNG 4000×3000 RGB, photo-like", _png_12mp),
    Input(
        "mp4_moov_end",
        "clip-1080p-30s.v1.mp4",
        "video",
        "mp4",
        "MP4 H.264 1920×1080 30 fps 30 s, moov at the end",
        _mp4_1080p,
    ),
    Input("mp3_5min", "song-5min.v1.mp3", "audio", "mp3", "MP3 5 min stereo 44.1 kHz 192 kbit/s", _mp3_5min),
    Input(
        "pdf_100p",
        "report-100p.v2.pdf",
        "document",
        "pdf",
        "PDF 100 pages: text, vector chart, a JPEG per page",
        _pdf_100_pages,
    ),
    # the largest allowed inputs, for peak memory
    Input(
        "jpeg_100mp",
        "photo-100mp.v1.jpg",
        "image",
        "jpg",
        "JPEG 12000×8333 (100 MP, the pixel limit)",
        _jpeg_100mp,
    ),
    Input("png_100mp", "graphic-100mp.v1.png", "image", "png", "PNG 10000×10000 RGBA (100 MP)", _png_100mp),
    Input(
        "gif_100mp",
        "graphic-100mp.v1.gif",
        "image",
        "gif",
        "GIF 10000×10000, 64 colours (100 MP)",
        _gif_100mp,
    ),
    Input(
        "webp_24mp",
        "graphic-24mp.v1.webp",
        "image",
        "webp",
        "WebP 6000×4000 RGBA (24 MP, WebP's limit)",
        _webp_24mp,
    ),
    Input(
        "webp_100mp",
        "graphic-100mp.v2.webp",
        "image",
        "webp",
        "WebP 10000×10000 RGBA (100 MP: over WebP's limit)",
        _webp_100mp,
    ),
    Input(
        "mp4_4k",
        "clip-4k-8s.v1.mp4",
        "video",
        "mp4",
        "MP4 H.264 3840×2160 30 fps 8 s, ~48 MB, moov at the end",
        _mp4_4k,
    ),
    Input(
        "mp4_8k",
        "clip-8k-1.5s.v1.mp4",
        "video",
        "mp4",
        "MP4 H.264 7680×4320 30 fps 1.5 s, moov at the end",
        _mp4_8k,
    ),
    Input(
        "wav_50mb",
        "tone-50mb.v1.wav",
        "audio",
        "wav",
        "WAV 16-bit stereo 44.1 kHz, 50 MB (4 min 43 s)",
        _wav_50mb,
    ),
    Input(
        "pdf_scan",
        "scan-100mp.v1.pdf",
        "document",
        "pdf",
        "PDF 100 pages, page one a 100 MP JPEG scan",
        _pdf_scan,
    ),
    # warm-up
    Input("warm_jpg", "warm/photo.jpg", "image", "jpg", "warm-up", _from_test_corpus("photo.jpg")),
    Input("warm_png", "warm/alpha.png", "image", "png", "warm-up", _from_test_corpus("alpha.png")),
    Input("warm_gif", "warm/animated.gif", "image", "gif", "warm-up", _from_test_corpus("animated.gif")),
    Input("warm_webp", "warm/animated.webp", "image", "webp", "warm-up", _from_test_corpus("animated.webp")),
    Input("warm_mp4", "warm/clip.mp4", "video", "mp4", "warm-up", _from_test_corpus("clip.mp4")),
    Input("warm_mp3", "warm/tone.mp3", "audio", "mp3", "warm-up", _from_test_corpus("tone.mp3")),
    Input("warm_wav", "warm/tone.wav", "audio", "wav", "warm-up", _from_test_corpus("tone.wav")),
    Input("warm_pdf", "warm/doc.pdf", "document", "pdf", "warm-up", _from_test_corpus("doc.pdf")),
]
_INPUTS.insert(
    3,
    Input(
        "mp4_faststart",
        "clip-1080p-30s-faststart.v2.mp4",
        "video",
        "mp4",
        "the same MP4 remuxed with moov at the front (faststart)",
        _faststart(next(spec for spec in _INPUTS if spec.name == "mp4_moov_end")),
    ),
)
INPUTS = {spec.name: spec for spec in _INPUTS}
MAIN = ["jpeg_24mp", "jpeg_24mp_light", "png_12mp", "mp4_moov_end", "mp4_faststart", "mp3_5min", "pdf_100p"]
LARGEST = [
    "jpeg_100mp",
    "png_100mp",
    "gif_100mp",
    "webp_24mp",
    "webp_100mp",
    "mp4_4k",
    "mp4_8k",
    "wav_50mb",
    "pdf_scan",
]


def warm_input(spec: Input) -> Input:
    return INPUTS[f"warm_{spec.format}"]


def ensure(names: list[str] | None = None, log: Callable[[str], None] = lambda _: None) -> dict[str, Input]:
    """The inputs named (all by default), generated where missing."""
    chosen = [INPUTS[name] for name in (names or INPUTS)]
    for spec in chosen:
        if spec.path.exists():
            continue
        spec.path.parent.mkdir(parents=True, exist_ok=True)
        partial = spec.path.with_name(spec.path.name + ".partial")
        started = time.perf_counter()
        spec.make(partial)
        partial.rename(spec.path)
        log(f"generated {spec.file}: {spec.size / MB:.1f} MB in {time.perf_counter() - started:.0f} s")
    return {spec.name: spec for spec in chosen}


if __name__ == "__main__":
    for spec in ensure(log=print).values():
        print(f"{spec.size / MB:>8.2f} MB  {spec.name:<14} {spec.description}")
