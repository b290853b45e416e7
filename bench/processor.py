"""The processor per media type, four ways, one measurement per fresh process.

    python -m bench.processor --input jpeg_24mp --mode inspect     # one run: prints a RESULT line
    python -m bench.processor --profile jpeg_24mp --mode inspect   # cProfile of the measured call

Modes (each process first runs the same operation once on a small file of the same format, so
one-time costs stay out of the figure; the bytes, S3 objects and records are set up before timing):

- floor    the bare library operation on the bytes already in memory, nothing else imported:
           Pillow open + draft + thumbnail + JPEG; PyAV open + seek to 1 s + decode to the frame
           at 1 s + scaled RGB + JPEG; mutagen's length; pypdf's page count + PDFium's first page
           at thumbnail size + JPEG. `floor_pdfium` is the PDF floor with PDFium's page count
           (what Trove uses) in place of pypdf's.
- inspect  Trove's inspect layer, `examine()` (libmagic sniff, declared-type check, per-type
           inspector) through `RangedObjectReader`, over an S3 stand-in that serves each ranged GET
           from the file on local disk: Trove's own cost with no S3 latency and no moto, in a process
           that has imported the processor handler (powertools, boto3, pynamodb), as in Lambda.
           Its peak RSS is what the Lambda process would use.
- trove    `process_upload(key, settings, s3)`, the whole pipeline, against in-process moto
           (`mock_aws`): GetItem, HeadObject, the ranged GETs, PutObject of the thumbnail and the
           conditional UpdateItem. Also reported: the time spent inside AWS calls. Caveat: moto reads
           the whole object from its spool for every ranged GET (and holds a copy while it slices),
           a server-side cost that lands in this process's time and memory and that S3 does not have.
- naive    download the whole object (one GET, from the same disk-backed stand-in as `inspect`),
           decode it fully, then thumbnail: Pillow load at full size + EXIF transpose + thumbnail;
           PyAV decoding every frame (duration from the frames), the frame at 1 s converted at full
           size then shrunk; PyAV decoding the whole MP3; pypdf + PDFium's first page at 150 dpi,
           then shrunk.

Each run reports wall time and CPU time (all threads) of the measured call, the process's peak
RSS during the call (the kernel's high-water mark is reset just before it, via
/proc/self/clear_refs, so setup does not count), the RSS before it, and the bytes and requests
read from S3.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.inputs import INPUTS, Input, warm_input
from bench.meter import Meter

MODES = ("floor", "floor_pdfium", "inspect", "trove", "naive")
THUMBNAIL_SIDE = 320
RESULT_MARK = "BENCH-RESULT "
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "Trove",
    "POWERTOOLS_SERVICE_NAME": "trove",
    "TROVE_PUBLIC_URL": "https://api.example.com",
}


# Memory


def measure(call: Callable[[], Any]) -> tuple[Any, dict]:
    """The call's figures, its inspection worker's included (the processor examines files in one)."""
    with Meter() as meter:
        value = call()
    return value, {
        "wall_s": meter.wall,
        "cpu_s": meter.cpu_s,
        "peak_rss_mb": meter.peak_rss_mb,
        "rss_before_mb": meter.rss_before_mb,
        "peak_delta_mb": meter.peak_rss_mb - meter.rss_before_mb,
    }


# An S3 stand-in for `inspect` and `naive`


class DiskS3:
    """`get_object` (whole or `Range: bytes=a-b`) served from a local file, counted like S3 would bill."""

    _RANGE = re.compile(r"bytes=(\d+)-(\d+)")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.requests = 0
        self.bytes_read = 0

    def get_object(self, Bucket: str, Key: str, Range: str | None = None) -> dict:
        with self.path.open("rb") as file:
            if Range:
                start, end = map(int, self._RANGE.fullmatch(Range).groups())
                file.seek(start)
                data = file.read(end - start + 1)
            else:
                data = file.read()
        self.requests += 1
        self.bytes_read += len(data)
        return {"Body": io.BytesIO(data), "ContentLength": len(data)}


# Floor


def floor_operation(spec: Input, data: bytes, pdf_count: str = "pypdf") -> Callable[[], Any]:
    if spec.asset_type == "image":
        from PIL import Image

        def image() -> bytes:
            with Image.open(io.BytesIO(data)) as picture:
                picture.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))
                picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
                return _jpeg(picture)

        return image
    if spec.asset_type == "video":
        import av

        def video() -> bytes:
            with av.open(io.BytesIO(data)) as container:
                stream = container.streams.video[0]
                target = (stream.start_time or 0) + int(1.0 / stream.time_base)
                container.seek(target, stream=stream)
                for frame in container.decode(stream):
                    if frame.pts >= target:
                        break
                scale = THUMBNAIL_SIDE / max(frame.width, frame.height)
                picture = frame.to_image(width=round(frame.width * scale), height=round(frame.height * scale))
                return _jpeg(picture)

        return video
    if spec.asset_type == "audio":
        from mutagen.mp3 import MP3
        from mutagen.wave import WAVE

        reader = {"mp3": MP3, "wav": WAVE}[spec.format]
        return lambda: reader(io.BytesIO(data)).info.length
    if spec.asset_type == "document":
        import pypdfium2 as pdfium

        if pdf_count == "pypdf":
            from pypdf import PdfReader

            count = lambda: len(PdfReader(io.BytesIO(data)).pages)
        else:
            count = None

        def document() -> tuple[int, bytes]:
            pdf = pdfium.PdfDocument(data)
            pages = count() if count else len(pdf)
            page = pdf[0]
            bitmap = page.render(scale=THUMBNAIL_SIDE / max(page.get_size()))
            thumbnail = _jpeg(bitmap.to_pil())
            pdf.close()
            return pages, thumbnail

        return document
    raise ValueError(spec.asset_type)


def _jpeg(picture: Any) -> bytes:
    out = io.BytesIO()
    picture.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


# Naive


def naive_operation(spec: Input, s3: DiskS3) -> Callable[[], Any]:
    def download() -> bytes:
        return s3.get_object(Bucket="bench", Key=spec.file)["Body"].read()

    if spec.asset_type == "image":
        from PIL import Image, ImageOps

        def image() -> tuple[tuple[int, int], bytes]:
            picture = Image.open(io.BytesIO(download()))
            picture.load()
            picture = ImageOps.exif_transpose(picture).convert("RGB")
            size = picture.size
            picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            return size, _jpeg(picture)

        return image
    if spec.asset_type == "video":
        import av

        def video() -> tuple[float, bytes]:
            with av.open(io.BytesIO(download())) as container:
                stream = container.streams.video[0]
                at = None
                last_time = 0.0
                for frame in container.decode(stream):
                    last_time = float(frame.pts * stream.time_base)
                    if at is None and last_time >= 1.0:
                        at = frame.to_image()  # full size RGB
                at.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
                return last_time, _jpeg(at)

        return video
    if spec.asset_type == "audio":
        import av

        def audio() -> float:
            with av.open(io.BytesIO(download())) as container:
                stream = container.streams.audio[0]
                samples = sum(frame.samples for frame in container.decode(stream))
                return samples / stream.sample_rate

        return audio
    if spec.asset_type == "document":
        import pypdfium2 as pdfium
        from pypdf import PdfReader

        def document() -> tuple[int, bytes]:
            data = download()
            pages = len(PdfReader(io.BytesIO(data)).pages)
            pdf = pdfium.PdfDocument(data)
            picture = pdf[0].render(scale=150 / 72).to_pil()
            picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            thumbnail = _jpeg(picture)
            pdf.close()
            return pages, thumbnail

        return document
    raise ValueError(spec.asset_type)


# Trove


def inspect_operation(spec: Input) -> tuple[Callable[[], Any], Callable[[], dict]]:
    import functions.processor.handler  # noqa: F401 - the Lambda process's imports
    from functions.core.media import AssetType
    from functions.processor.inspect import MediaError, RangedObjectReader, Rejected, examine

    state: dict = {}

    def run(target: Input) -> Any:
        s3 = DiskS3(target.path)
        reader = RangedObjectReader(s3, "bench", target.file, target.size)
        state["reader"] = reader
        try:
            result = examine(reader, AssetType(target.asset_type), target.format)
        except MediaError as problem:  # what the pipeline would settle as rejected / failed
            state["outcome"] = (
                f"{'rejected' if isinstance(problem, Rejected) else 'failed'}: {problem.reason}"
            )
            return None
        state["outcome"] = "ready"
        return result

    run(warm_input(spec))

    def counters() -> dict:
        reader = state["reader"]
        return {"s3_bytes": reader.bytes_fetched, "s3_requests": reader.requests, "outcome": state["outcome"]}

    return (lambda: run(spec)), counters


class _AwsTimer:
    """Time spent inside botocore API calls (S3 and DynamoDB alike), and which calls were made."""

    def __init__(self) -> None:
        from botocore.client import BaseClient

        self.seconds = 0.0
        self.calls: list[str] = []
        original = BaseClient._make_api_call
        timer = self

        def timed(client: Any, operation: str, params: dict) -> Any:
            started = time.perf_counter()
            try:
                return original(client, operation, params)
            finally:
                timer.seconds += time.perf_counter() - started
                timer.calls.append(operation)

        BaseClient._make_api_call = timed

    def reset(self) -> None:
        self.seconds, self.calls = 0.0, []


def pipeline_on_moto() -> tuple[Any, Any, Callable[[str, str, str, Any, int], str], Callable[..., Any]]:
    """`process_upload`'s world on in-process moto, after the Lambda process's imports: the settings,
    the S3 client, `stage(asset_type, format, name, body, size)` (a pending record and its upload's
    bytes; the key) and `process_upload` itself."""
    import uuid

    from moto import mock_aws

    mock = mock_aws()
    mock.start()
    import functions.processor.handler  # noqa: F401 - the Lambda process's imports
    from functions.core import storage
    from functions.core.models import AssetModel, now
    from functions.core.settings import get_settings
    from functions.processor.pipeline import process_upload

    settings = get_settings()
    AssetModel._connection = None
    AssetModel.create_table(wait=True)
    s3 = storage.s3_client(settings)
    s3.create_bucket(Bucket=settings.bucket_name)

    def stage(asset_type: str, fmt: str, name: str, body: Any, size: int) -> str:
        moment = now()
        item = AssetModel(
            str(uuid.uuid4()), owner="bench-user", asset_type=asset_type, name=name, format=fmt,
            size=size, uploaded_at=moment, created_at=moment, updated_at=moment,
        )
        key = storage.upload_key(item.id)  # where browsers post; the processor checks the bytes there
        # The served copy; a tree from before the quarantine (bench.worst_case --code-root) served uploads/.
        file_key = getattr(storage, "file_key", None)
        item.object_key = file_key(item.id) if file_key else key
        item.save()
        s3.put_object(Bucket=settings.bucket_name, Key=key, Body=body)
        return key

    return settings, s3, stage, process_upload


def trove_operation(spec: Input) -> tuple[Callable[[], Any], Callable[[], dict]]:
    settings, s3, stage_upload, process_upload = pipeline_on_moto()
    fetched = {"bytes": 0, "requests": 0}

    def count_get(http_response: Any, parsed: dict, **_: Any) -> None:
        fetched["bytes"] += parsed.get("ContentLength", 0)
        fetched["requests"] += 1

    s3.meta.events.register("after-call.s3.GetObject", count_get)
    timer = _AwsTimer()

    def stage(target: Input) -> str:
        with target.path.open("rb") as body:
            return stage_upload(target.asset_type, target.format, target.file, body, target.size)

    def run(key: str) -> Any:
        outcome = process_upload(key, settings, s3)
        if outcome is None or outcome.status != "ready":
            raise RuntimeError(f"process_upload did not settle ready: {outcome}")
        return outcome

    run(stage(warm_input(spec)))
    key = stage(spec)
    fetched.update(bytes=0, requests=0)
    timer.reset()

    def counters() -> dict:
        return {
            "outcome": "ready",
            "s3_bytes": fetched["bytes"],
            "s3_requests": fetched["requests"],
            "aws_s": timer.seconds,
            "aws_calls": timer.calls,
        }

    return (lambda: run(key)), counters


# One run


def run_one(name: str, mode: str, profile: bool = False) -> dict:
    spec = INPUTS[name]
    counters: Callable[[], dict] = dict
    if mode in ("floor", "floor_pdfium"):
        count = "pypdf" if mode == "floor" else "pdfium"
        warm = warm_input(spec)
        floor_operation(warm, warm.path.read_bytes(), count)()
        data = spec.path.read_bytes()  # in memory before the clock starts
        operation = floor_operation(spec, data, count)
    elif mode == "naive":
        import functions.processor.handler  # noqa: F401 - the Lambda process's imports

        warm = warm_input(spec)
        naive_operation(warm, DiskS3(warm.path))()
        s3 = DiskS3(spec.path)
        operation = naive_operation(spec, s3)
        counters = lambda: {"s3_bytes": s3.bytes_read, "s3_requests": s3.requests}
    elif mode == "inspect":
        operation, counters = inspect_operation(spec)
    elif mode == "trove":
        operation, counters = trove_operation(spec)
    else:
        raise ValueError(mode)
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(operation)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        return {}
    _, figures = measure(operation)
    return {"input": name, "mode": mode, "size": spec.size, **figures, **counters()}


def run_in_subprocess(name: str, mode: str, timeout: float = 600, root: Path | None = None) -> dict:
    """One measurement in a fresh interpreter (`root`: another checkout with a bench/ of its own)."""
    import subprocess

    root = root or Path(__file__).resolve().parents[1]
    env = {**os.environ, **ENVIRONMENT, "PYTHONPATH": str(root)}
    for variable in ("TROVE_S3_ENDPOINT", "TROVE_DYNAMODB_ENDPOINT"):
        env.pop(variable, None)
    completed = subprocess.run(
        [sys.executable, "-m", "bench.processor", "--input", name, "--mode", mode],
        cwd=root,
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=timeout,
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            return json.loads(line.removeprefix(RESULT_MARK))
    raise RuntimeError(f"{name}/{mode} failed ({completed.returncode}):\n{completed.stderr[-3000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.processor")
    parser.add_argument("--input", choices=sorted(INPUTS))
    parser.add_argument("--profile", choices=sorted(INPUTS), help="cProfile one call instead of timing it")
    parser.add_argument("--mode", choices=MODES, required=True)
    args = parser.parse_args(argv)
    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    if args.profile:
        run_one(args.profile, args.mode, profile=True)
        return 0
    print(RESULT_MARK + json.dumps(run_one(args.input, args.mode)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
