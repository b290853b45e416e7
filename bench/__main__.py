"""`python -m bench` (`make bench`): every benchmark, side by side, then bench/results.json and docs/performance.md.

    python -m bench [--runs 5] [--video-naive-runs 3] [--cold-runs 10] [--skip-local]
                    [--only processor,largest,cold,snapstart,api,local,worst,isolation,scans,renditions,hashing]

1. the processor per type (bench/processor.py): the inputs of bench/inputs.py, each measured as
   floor / inspect / trove / naive, one fresh process per measurement, rounds interleaved so that the
   machine's load falls on every mode alike; medians of `--runs` (the naive video, which decodes
   900 frames of 1080p, `--video-naive-runs`);
2. peak memory on the largest allowed inputs (`inspect`, the Lambda-like process, 2 runs each);
3. cold start (bench/cold_start.py), and what SnapStart priming moves out of the API's first request
   (bench/snapstart.py: fresh processes, primed and not, medians);
4. the API's DynamoDB operations (bench/api_queries.py);
5. the local stack under load, if bench/load_local.py is there (its figures: bench/results_local.json);
6. the worst case (bench/worst_case.py): every decode-cost bomb of tests/media/bombs.py through the
   processor, CPU and peak RSS until it is refused, one fresh process each;
7. isolation (bench/isolation.py): an innocent upload's latency on the local stack, idle and while
   four bombs are processed;
8. scans (bench/scan_worst.py): the worst inputs of `POST /api/v2/scans`, each refused or answered.
9. renditions (bench/renditions.py): a 24 MP JPEG to 640-px WebP and AVIF against bare Pillow, a
   cache hit counted, the worker's peak against the processor's, a gallery page's bytes before and after.
10. hashing (bench/hashing.py): the processor's SHA-256 of a 50 MB upload, read from S3's checksum or computed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import inputs, processor, report

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
LOCAL_RESULTS = ROOT / "bench" / "results_local.json"
STEPS = (
    "processor",
    "largest",
    "cold",
    "snapstart",
    "api",
    "local",
    "worst",
    "isolation",
    "scans",
    "renditions",
    "hashing",
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> dict:
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        memory_kib = int(meminfo.readline().split()[1])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, check=False, text=True
    )
    import av
    import PIL

    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "libraries": {
            "pillow": PIL.__version__,
            "av": av.__version__,
            "ffmpeg": ".".join(map(str, _ffmpeg())),
        },
        "commit": commit.stdout.strip(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def _ffmpeg() -> tuple:
    import av

    return tuple(av.library_versions.get("libavformat", ()))


def summarize(samples: list[dict]) -> dict:
    def median(key: str) -> float | None:
        values = [sample[key] for sample in samples if sample.get(key) is not None]
        return statistics.median(values) if values else None

    first = samples[0]
    summary = {
        "runs": len(samples),
        "size": first["size"],
        "wall_s": median("wall_s"),
        "cpu_s": median("cpu_s"),
        "peak_rss_mb": median("peak_rss_mb"),
        "peak_rss_mb_max": max(sample["peak_rss_mb"] for sample in samples),
        "rss_before_mb": median("rss_before_mb"),
        "peak_delta_mb": median("peak_delta_mb"),
        "s3_bytes": median("s3_bytes"),
        "s3_requests": median("s3_requests"),
        "aws_s": median("aws_s"),
        "wall_s_all": [round(sample["wall_s"], 4) for sample in samples],
        "cpu_s_all": [round(sample["cpu_s"], 4) for sample in samples],
    }
    if first.get("aws_calls"):
        summary["aws_calls"] = first["aws_calls"]
    if first.get("outcome"):
        summary["outcome"] = first["outcome"]
    return summary


def modes_for(spec: inputs.Input) -> list[str]:
    modes = ["floor", "inspect", "trove", "naive"]
    if spec.format == "pdf":
        modes.insert(1, "floor_pdfium")
    return modes


def run_processor(runs: int, video_naive_runs: int) -> dict:
    samples: dict[str, dict[str, list[dict]]] = {name: {} for name in inputs.MAIN}
    for number in range(runs):
        started = time.perf_counter()
        for name in inputs.MAIN:
            spec = inputs.INPUTS[name]
            for mode in modes_for(spec):
                if mode == "naive" and spec.asset_type == "video" and number >= video_naive_runs:
                    continue
                samples[name].setdefault(mode, []).append(processor.run_in_subprocess(name, mode))
        log(f"processor round {number + 1}/{runs} in {time.perf_counter() - started:.0f} s")
    return {
        name: {mode: summarize(values) for mode, values in by_mode.items()}
        for name, by_mode in samples.items()
    }


def run_largest(runs: int = 2) -> dict:
    samples: dict[str, list[dict]] = {name: [] for name in inputs.LARGEST}
    for _ in range(runs):
        for name in inputs.LARGEST:
            samples[name].append(processor.run_in_subprocess(name, "inspect"))
    log("largest inputs measured")
    return {name: summarize(values) for name, values in samples.items()}


def run_local() -> dict:
    if not (ROOT / "bench" / "load_local.py").exists():
        return {"skipped": "bench/load_local.py is not there"}
    started = time.time()
    completed = subprocess.run(
        [sys.executable, "-m", "bench.load_local"],
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
        timeout=1800,
    )
    fresh = LOCAL_RESULTS.exists() and LOCAL_RESULTS.stat().st_mtime >= started
    figures = json.loads(LOCAL_RESULTS.read_text()) if fresh else {}
    if completed.returncode != 0:
        figures["error"] = f"exit {completed.returncode}: {(completed.stderr or completed.stdout)[-1500:]}"
    figures["output"] = completed.stdout.strip().splitlines()[-2:]
    return figures


def _in_subprocess(module: str) -> dict:
    """`module.run()` in a process of its own (it mocks AWS in-process), its JSON answer."""
    completed = subprocess.run(
        [sys.executable, "-c", f"import json, {module} as m; print('RESULT', json.dumps(m.run()))"],
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
        timeout=900,
    )
    line = next((line for line in completed.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"{module} failed:\n{completed.stderr[-3000:]}")
    return json.loads(line.removeprefix("RESULT "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measurements per input and mode (median)")
    parser.add_argument("--video-naive-runs", type=int, default=3, help="fewer for the slow naive video")
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument(
        "--only", default=",".join(STEPS), help=f"comma-separated subset of {','.join(STEPS)}"
    )
    parser.add_argument("--skip-local", action="store_true", help="do not run the local stack under load")
    args = parser.parse_args(argv)
    steps = [step for step in args.only.split(",") if step and not (step == "local" and args.skip_local)]
    began = time.perf_counter()

    # A partial run keeps the other figures of the previous one.
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = machine()
    results["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["settings"] = {
        "runs": args.runs,
        "video_naive_runs": args.video_naive_runs,
        "cold_runs": args.cold_runs,
    }

    log("inputs")
    specs = inputs.ensure(log=log)
    results["inputs"] = {
        name: {
            "file": spec.file,
            "size": spec.size,
            "type": spec.asset_type,
            "format": spec.format,
            "description": spec.description,
        }
        for name, spec in specs.items()
        if not name.startswith("warm_")
    }
    if "processor" in steps:
        results["processor"] = run_processor(args.runs, args.video_naive_runs)
    if "largest" in steps:
        results["largest"] = run_largest()
    if "cold" in steps:
        from bench import cold_start

        results["cold_start"] = cold_start.run(args.cold_runs, log=log)
    if "snapstart" in steps:
        from bench import snapstart

        results["snapstart"] = snapstart.run(log=log)
    if "api" in steps:
        results["api"] = _in_subprocess("bench.api_queries")
        log("API queries counted")
    if "local" in steps:
        log("local stack under load (bench.load_local)")
        results["local_load"] = run_local()
    elif LOCAL_RESULTS.exists() and "local_load" not in results:
        results["local_load"] = json.loads(LOCAL_RESULTS.read_text())
    if "worst" in steps:
        from bench import worst_case

        log("worst case: every decode-cost bomb through the processor (bench.worst_case)")
        results["worst_case"] = worst_case.run(progress=True)
    if "isolation" in steps:
        from bench import isolation

        log("isolation: an innocent upload while bombs are processed on the local stack (bench.isolation)")
        results["isolation"] = isolation.run()
    if "scans" in steps:
        log("scans: the worst inputs (bench.scan_worst)")
        results["scans"] = _in_subprocess("bench.scan_worst")
    if "renditions" in steps:
        log("renditions: render against the floor, a cache hit, a gallery page (bench.renditions)")
        results["renditions"] = _in_subprocess("bench.renditions")
    if "hashing" in steps:
        log("hashing: the SHA-256 of a 50 MB upload, declared and computed (bench.hashing)")
        results["hashing"] = _in_subprocess("bench.hashing")
    results["machine"]["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    results["bench_seconds"] = round(time.perf_counter() - began)

    results["goals"] = report.goals(results)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    report.write(results)
    log(f"wrote {RESULTS.relative_to(ROOT)} and docs/performance.md in {results['bench_seconds']} s")
    for goal in results["goals"]:
        log(f"{'PASS' if goal['met'] else 'MISS'}  {goal['goal']}: {goal['figure']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
