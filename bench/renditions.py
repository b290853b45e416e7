"""Renditions (functions/renditions/), measured: `python -m bench.renditions` prints one JSON object.

    python -m bench.renditions [--runs 7]

1. Render against the floor: the 24 MP JPEG of bench/inputs.py (`jpeg_24mp`, 10 MB) to a 640-px
   WebP and AVIF. `floor` is bare Pillow on the bytes in memory, the same output: open, draft,
   resize (the same filter and reducing gap), save with the same encoder options. `trove` is the
   render path as the API runs it on a miss: `run_within_budget` in the (warm) inspection worker,
   reading the file through RangedObjectReader from a disk-backed S3 stand-in (bench/processor.py's
   DiskS3: no S3 latency, no moto), orientation, sRGB conversion, metadata stripped. Rounds
   interleaved, medians; CPU counts the worker's. Goal: trove ≤ 1.2× floor.
2. Peak RSS of that render (the worker's high-water mark for the file, as the processing record
   reports it: `peakMemoryBytes`) against the processor's
   own check of the same file (`examine_within_budget`, same worker, same reader). Goal: ≤.
3. A cache hit through the API handler on in-process moto: the second GET of the same rendition.
   Counted: S3 calls sent (botocore `before-call`), URLs signed (`before-sign`: a presign signs
   locally, a call signs too), renders (calls to run_within_budget). Goal: 0 calls, 1 presign, 0 renders.
4. A gallery page of 24 photos (12 MP phone photos, made once under bench/out/gallery/): the bytes
   the cards download before (the originals a sharp 640-px card would need; the 320-px JPEG
   thumbnails the page loads today, blurry at 640 device pixels) and after (640-px WebP and AVIF
   renditions), and the ratios.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GALLERY = ROOT / "bench" / "out" / "gallery"
GALLERY_PHOTOS = 24
CARD_WIDTH = 640
FORMATS = ("webp", "avif")


def _spec(format: str, width: int = CARD_WIDTH):
    from functions.renditions import RenditionSpec

    return RenditionSpec.parse(str(width), None, None, format, None, None)


def floor(data: bytes, format: str) -> bytes:
    """Bare Pillow, the same output as the rendition: no worker, no reader, no colour management."""
    from PIL import Image

    from functions.renditions.render import ENCODERS, REDUCING_GAP, RESAMPLING

    encoder, options = ENCODERS[format]
    with Image.open(io.BytesIO(data)) as picture:
        size = (CARD_WIDTH, round(picture.height * CARD_WIDTH / picture.width))
        picture.draft("RGB", size)
        small = picture.resize(size, RESAMPLING, reducing_gap=REDUCING_GAP)
    out = io.BytesIO()
    small.save(out, encoder, **options)
    return out.getvalue()


def trove(path: Path, format: str | None) -> tuple:
    """(answer, the worker's peak RSS in MB for this file): the render as the API runs it on a miss,
    or with format None the processor's own check of the file."""
    from bench.processor import DiskS3
    from functions.core import topology
    from functions.core.media import AssetType
    from functions.core.processing import AttemptLog
    from functions.processor import inspect as inspection
    from functions.renditions.rendering import RENDER_TASK

    reader = inspection.RangedObjectReader(DiskS3(path), "bench", "photo", path.stat().st_size)
    attempt = AttemptLog()  # told the worker's peak resident memory for this file
    if format is None:
        answer = inspection.examine_within_budget(reader, AssetType.IMAGE, "jpg", attempt=attempt)
    else:
        answer = inspection.run_within_budget(
            reader,
            RENDER_TASK,
            ("image", "jpg", _spec(format)),
            budget=topology.INSPECTION_BUDGETS["image"],
            preload=("functions.processor.inspect.image",),
            attempt=attempt,
        )
    return answer, (attempt.peak_memory_bytes or 0) / 1024 / 1024


def render_against_floor(runs: int) -> dict:
    from bench.inputs import ensure
    from bench.meter import Meter

    path = ensure(["jpeg_24mp"])["jpeg_24mp"].path
    data = path.read_bytes()
    for format in FORMATS:  # warm: the worker started, the encoders' first calls made
        trove(path, format), floor(data, format)
    trove(path, None)
    worker_peaks: dict[str, list[float]] = {"render_webp": [], "render_avif": [], "processor_check": []}
    load_before = os.getloadavg()[0]
    samples: dict[str, list[dict]] = {
        f"{mode}_{format}": [] for mode in ("floor", "trove") for format in FORMATS
    }
    samples["processor_check"] = []
    sizes = {}
    for _ in range(runs):
        for format in FORMATS:
            with Meter() as meter:
                body = floor(data, format)
            samples[f"floor_{format}"].append(meter.figures() | {"bytes": len(body)})
            with Meter() as meter:
                (body, width, height), peak = trove(path, format)
            samples[f"trove_{format}"].append(meter.figures() | {"bytes": len(body)})
            worker_peaks[f"render_{format}"].append(peak)
            sizes[format] = (width, height)
        with Meter() as meter:
            _, peak = trove(path, None)
        samples["processor_check"].append(meter.figures())
        worker_peaks["processor_check"].append(peak)
    medians = {
        name: {key: statistics.median(run[key] for run in runs_) for key in runs_[0]}
        for name, runs_ in samples.items()
    }
    result = {
        "input": "jpeg_24mp",
        "input_bytes": len(data),
        "runs": runs,
        "medians": medians,
        "sizes": sizes,
        "load_average": [round(value, 1) for value in (load_before, os.getloadavg()[0])],
    }
    for format in FORMATS:
        for measure in ("wall_s", "cpu_s"):
            ratio = medians[f"trove_{format}"][measure] / medians[f"floor_{format}"][measure]
            result[f"ratio_{format}_{measure}"] = round(ratio, 2)
    # The worker's high-water mark while it handled the file (reset per file), its imports included.
    result["worker_peak_rss_mb"] = {name: round(max(peaks), 1) for name, peaks in worker_peaks.items()}
    return result


def cache_hit(runs: int) -> dict:
    """The second request for a rendition, through the API handler on moto: what it sends and decodes."""
    import boto3
    from moto import mock_aws

    from bench.inputs import ensure
    from functions.core import storage
    from functions.core.settings import get_settings
    from functions.processor import inspect as inspection
    from tests.integration.conftest import LambdaContext, http_event

    data = ensure(["jpeg_24mp"])["jpeg_24mp"].path.read_bytes()
    with mock_aws():
        from functions.api.handler import lambda_handler
        from functions.core import store
        from functions.core.models import AssetModel
        from functions.lineage.usages import UsageModel
        from functions.processor.pipeline import process_upload

        settings = get_settings()
        store.configure(settings)
        UsageModel._connection = None
        for model in (AssetModel, UsageModel):
            model.create_table(wait=True)
        s3 = boto3.client("s3", region_name=settings.region)
        s3.create_bucket(Bucket=settings.bucket_name)
        created = lambda_handler(
            http_event(
                "POST",
                "/api/v2/uploads",
                body={"name": "photo.jpg", "type": "image", "format": "jpg", "size": len(data)},
            ),
            LambdaContext(),
        )
        asset_id = json.loads(created["body"])["asset"]["id"]
        s3.put_object(Bucket=settings.bucket_name, Key=storage.upload_key(asset_id), Body=data)
        settled = process_upload(storage.upload_key(asset_id), settings, s3)
        assert settled is not None and settled.status == "ready", settled

        counts = {"s3_calls": [], "signed": 0, "renders": 0}
        client = storage.s3_client(settings)
        client.meta.events.register(
            "before-call.s3", lambda model, **_: counts["s3_calls"].append(model.name)
        )

        def signed(**_) -> None:
            counts["signed"] += 1

        client.meta.events.register("before-sign.s3", signed)
        render = inspection.run_within_budget

        def counted(*args, **kwargs):
            counts["renders"] += 1
            return render(*args, **kwargs)

        inspection.run_within_budget = counted
        path = f"/api/v2/assets/{asset_id}/renditions"
        query = {"w": str(CARD_WIDTH), "format": "webp"}
        try:
            miss_started = time.perf_counter()
            miss = lambda_handler(http_event("GET", path, query=query), LambdaContext())
            miss_s = time.perf_counter() - miss_started
            miss_counts = {
                "s3_calls": list(counts["s3_calls"]),
                "signed": counts["signed"],
                "renders": counts["renders"],
            }
            hits = []
            for _ in range(runs):
                counts.update({"s3_calls": [], "signed": 0, "renders": 0})
                started = time.perf_counter()
                hit = lambda_handler(http_event("GET", path, query=query), LambdaContext())
                hits.append(time.perf_counter() - started)
        finally:
            inspection.run_within_budget = render
    assert miss["statusCode"] == 302 and hit["statusCode"] == 302, (miss, hit)
    return {
        "miss": miss_counts | {"wall_s": round(miss_s, 3)},
        "hit": {
            "s3_calls": counts["s3_calls"],
            "presigned": counts["signed"],
            "renders": counts["renders"],
            "wall_s_median": round(statistics.median(hits), 4),
        },
    }


def _gallery_photos() -> list[Path]:
    from bench.inputs import photo

    GALLERY.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(GALLERY_PHOTOS):
        path = GALLERY / f"phone-12mp-{number:02d}.v1.jpg"
        if not path.exists():
            partial = path.with_name(path.name + ".partial")
            photo(4032, 3024, seed=100 + number, grain=4).save(partial, "JPEG", quality=85)
            partial.rename(path)
        paths.append(path)
    return paths


def gallery() -> dict:
    from functions.core.media import AssetType
    from functions.processor.inspect import examine

    photos = _gallery_photos()
    totals = {
        "originals": 0,
        "thumbnails_320_jpeg": 0,
        **{f"renditions_{CARD_WIDTH}_{format}": 0 for format in FORMATS},
    }
    for path in photos:
        totals["originals"] += path.stat().st_size
        totals["thumbnails_320_jpeg"] += len(examine(path.read_bytes(), AssetType.IMAGE, "jpg")[1].thumbnail)
        for format in FORMATS:
            totals[f"renditions_{CARD_WIDTH}_{format}"] += len(trove(path, format)[0][0])
    after = {name: value for name, value in totals.items() if name.startswith("renditions")}
    return {
        "photos": len(photos),
        "photo": "12 MP phone photos, JPEG 4032×3024 q85",
        "bytes": totals,
        "ratios_originals_to": {name: round(totals["originals"] / value, 1) for name, value in after.items()},
        "ratios_thumbnails_to": {
            name: round(value / totals["thumbnails_320_jpeg"], 2) for name, value in after.items()
        },
    }


def run(runs: int = 7) -> dict:
    from bench.processor import ENVIRONMENT

    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"  # the API's request lines stay off stdout
    for variable in ("TROVE_S3_ENDPOINT", "TROVE_DYNAMODB_ENDPOINT"):
        os.environ.pop(variable, None)
    return {"render": render_against_floor(runs), "cache_hit": cache_hit(runs), "gallery": gallery()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.renditions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print("RESULT", json.dumps(run(args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())


# For bench/report.py: the goals' verdicts and the section of docs/performance.md


def goals(result: dict) -> list[dict]:
    render, hit = result["render"], result["cache_hit"]["hit"]
    peaks = result["render"]["worker_peak_rss_mb"]
    worst = max(render[f"ratio_{format}_cpu_s"] for format in FORMATS)
    floors = ", ".join(
        f"{format.upper()} {render[f'ratio_{format}_cpu_s']:.2f}× CPU ({render[f'ratio_{format}_wall_s']:.2f}× wall)"
        for format in FORMATS
    )
    rendered_peak = max(peaks["render_webp"], peaks["render_avif"])
    gallery = result["gallery"]
    return [
        {
            "id": "rendition-floor",
            "goal": "A 640-px rendition of a 24 MP JPEG ≤ 1.2× bare Pillow (WebP and AVIF)",
            "met": worst <= 1.2,
            "figure": floors,
        },
        {
            "id": "rendition-cache-hit",
            "goal": "A rendition's cache hit: no decode, one presign",
            "met": hit["renders"] == 0 and hit["presigned"] == 1 and not hit["s3_calls"],
            "figure": f"{hit['renders']} renders, {len(hit['s3_calls'])} S3 calls, {hit['presigned']} URL signed",
        },
        {
            "id": "rendition-memory",
            "goal": "A rendition's peak RSS ≤ the processor's for the same file",
            "met": rendered_peak <= peaks["processor_check"],
            "figure": f"worker peak {rendered_peak:.0f} MB rendering vs {peaks['processor_check']:.0f} MB checking",
        },
        {
            "id": "rendition-gallery",
            "goal": "A gallery page of 24 photos: bytes before and after renditions",
            "met": True,
            "figure": ", ".join(
                f"{ratio:g}× fewer with {name.rsplit('_', 1)[1].upper()}"
                for name, ratio in gallery["ratios_originals_to"].items()
            )
            + " than the originals",
        },
    ]


def markdown(result: dict | None) -> list[str]:
    out = ["## Renditions", ""]
    if not result:
        return [*out, "Not measured in this run.", ""]
    render, cache, gallery = result["render"], result["cache_hit"], result["gallery"]
    medians, peaks = render["medians"], render["worker_peak_rss_mb"]
    rows = []
    for format in FORMATS:
        floor, trove = medians[f"floor_{format}"], medians[f"trove_{format}"]
        rows.append(
            f"| 640-px {format.upper()} | {floor['cpu_s'] * 1000:.0f} | {trove['cpu_s'] * 1000:.0f} "
            f"| {render[f'ratio_{format}_cpu_s']:.2f}× | {floor['wall_s'] * 1000:.0f} | {trove['wall_s'] * 1000:.0f} "
            f"| {render[f'ratio_{format}_wall_s']:.2f}× | {trove['bytes']:,} | {peaks[f'render_{format}']:.0f} |"
        )
    check = medians["processor_check"]
    rows.append(
        f"| (the processor's check of the file) | | {check['cpu_s'] * 1000:.0f} | | | {check['wall_s'] * 1000:.0f} "
        f"| | | {peaks['processor_check']:.0f} |"
    )
    miss, hit = cache["miss"], cache["hit"]
    totals = gallery["bytes"]
    mb = 1_000_000
    return [
        *out,
        (
            f"`python -m bench.renditions` (step `renditions` of `make bench`; {render['runs']} interleaved runs, "
            f"medians; its docstring has the method). Input: the {render['input_bytes'] / mb:.1f} MB 24 MP JPEG "
            "of the processor table. *Floor*: bare Pillow on the bytes in memory, the same output (draft, the "
            "same resampling, the same encoder options). *Trove*: the render a miss runs, in the warm inspection "
            "worker under the image budget, read through `RangedObjectReader` from a disk-backed S3 stand-in, "
            "EXIF orientation and sRGB conversion included. CPU counts the worker's. Peak: the worker's "
            "resident high-water mark for the file (what the processing record reports as `peakMemoryBytes`): "
            "mostly its imported decoders, as the JPEG is decoded at 1/4 or 1/8 of its size (`draft`). Load "
            f"average {render['load_average'][0]:g} then {render['load_average'][1]:g} on {os.cpu_count()} cores: "
            "wall times carry queueing (the worker is another process, scheduled apart); CPU is the goal's figure."
        ),
        "",
        "| Output | Floor CPU ms | Trove CPU ms | Ratio | Floor wall ms | Trove wall ms | Ratio | Bytes | Worker peak MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        (
            f"A miss through the API handler (moto): {len(miss['s3_calls'])} S3 calls "
            f"({miss['s3_calls'].count('HeadObject')} HEAD and {miss['s3_calls'].count('GetObject')} ranged GETs of the "
            f"source, {miss['s3_calls'].count('PutObject')} PUT), "
            f"{miss['renders']} render, {miss['wall_s'] * 1000:.0f} ms. The same request again (a hit): "
            f"{len(hit['s3_calls'])} S3 calls, {hit['renders']} renders, {hit['presigned']} URL signed (locally), "
            f"{hit['wall_s_median'] * 1000:.0f} ms through the handler on moto (the GetItem included)."
        ),
        "",
        (
            f"A gallery page of {gallery['photos']} photos ({gallery['photo']}), in bytes the cards download: "
            f"the originals (what a sharp 640-px card needs without renditions) {totals['originals'] / mb:.1f} MB; "
            f"the 320-px JPEG thumbnails the page loaded before {totals['thumbnails_320_jpeg'] / mb:.2f} MB "
            "(blurry at 640 device pixels); 640-px renditions "
            f"{totals['renditions_640_webp'] / mb:.2f} MB in WebP and {totals['renditions_640_avif'] / mb:.2f} MB in AVIF: "
            f"{gallery['ratios_originals_to']['renditions_640_webp']:g}× and "
            f"{gallery['ratios_originals_to']['renditions_640_avif']:g}× fewer bytes than the originals, "
            f"{gallery['ratios_thumbnails_to']['renditions_640_webp']:g}× and "
            f"{gallery['ratios_thumbnails_to']['renditions_640_avif']:g}× the thumbnails' bytes for 4× their pixels."
        ),
        "",
        (
            "A worker that keeps more than 32 MB after a file (a 2560-px AVIF encode keeps about 150 MB of "
            "address space in libaom) is replaced, so every file's memory budget is counted over the same "
            "footprint; the next file pays a worker start (about 0.3 s). 640-px renditions and the processor's "
            "own checks never cause it."
        ),
        "",
    ]
