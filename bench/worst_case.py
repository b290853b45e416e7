"""The worst case: for each decode-cost bomb (tests/media/bombs.py), what checking it costs until it
is refused, through the production entry point, one fresh process per bomb.

    python -m bench.worst_case                      # every bomb, JSON on stdout
    python -m bench.worst_case --only jpeg_refinement_scans,pdf_nested_forms
    python -m bench.worst_case --entry examine      # today's unbudgeted inspection, for comparison

Entry points (`--entry`):

- pipeline (default): `functions.processor.pipeline.process_upload(key, settings, s3)` against
  in-process moto, the record and the object staged first; whatever budget or worker the processor
  uses is on this path. Each process first settles a small innocent file of the bomb's type, so
  imports, libmagic's database and a reusable inspection worker are warm and their start-up is not
  counted against the bomb.
- budget: `functions.processor.inspect.examine_within_budget(bytes, type, format)`, the budgeted
  inspection alone (its worker subprocess warmed the same way), without S3 and DynamoDB.
- examine: `functions.processor.inspect.examine(bytes, type, format)` in the measured process itself,
  no budget: what a bomb costs the decoders, before any refusal.

`--code-root DIR` measures another copy of the `functions` package (for example the commit before
the budgets, `git archive <commit> functions | tar -x -C DIR`) with this checkout's bombs and bench.

Figures per bomb: CPU seconds (user + system) of the measured call in the process and in every
process under it (a worker subprocess: RUSAGE_CHILDREN for the ones reaped, /proc for those still
alive), peak RSS (`peak_rss_mb`: the highest high-water mark of the process, reset just before the
call, and of its descendants; `peak_rss_total_mb`: the process's plus its worker's, an upper bound
on what they held together), wall seconds, and the outcome with its reason. In `pipeline` the
process's own figure includes moto, which holds copies of the object that S3 would not. A process that is killed (the wall
deadline, a signal such as PDFium's SIGABRT) is reported with the figures the kernel gives for it
(os.wait4), outcome "crashed". Goals (issue 13): ≤ 10 s CPU and ≤ 512 MB peak RSS each.

Safety: every measured process runs under RLIMIT_AS (--memory-limit-mb, 4,000 MB by default) and a
wall deadline (--deadline, 120 s), so a bomb cannot take the machine down with it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.meter import Meter

ROOT = Path(__file__).resolve().parents[1]
RESULT_MARK = "WORST-CASE-RESULT "
GOAL_CPU_S = 10.0
GOAL_RSS_MB = 512.0
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "Trove",
    "POWERTOOLS_SERVICE_NAME": "trove",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
    "TROVE_PUBLIC_URL": "https://api.example.com",
}
ENTRIES = ("pipeline", "budget", "examine")


# ---------------------------------------------------------------------------------------------------
# In the measured process


def _examine_entry(asset_type: str, fmt: str, budgeted: bool = False) -> Any:
    from functions.core.media import AssetType
    from functions.processor import inspect

    examine = inspect.examine_within_budget if budgeted else inspect.examine

    def call(data: bytes) -> tuple[str, str]:
        try:
            media, result = examine(data, AssetType(asset_type), fmt)
        except inspect.Rejected as problem:
            return "rejected", problem.reason
        except inspect.Broken as problem:
            return "failed", problem.reason
        return "ready", f"{media.format} {result.width}x{result.height} {result.duration} s {result.page_count} pages"

    return call


def _pipeline_entry(asset_type: str, fmt: str) -> Any:
    """process_upload on in-process moto: the record and the object are staged before the clock starts."""
    from bench.processor import pipeline_on_moto

    settings, s3, stage_upload, process_upload = pipeline_on_moto()

    def stage(data: bytes) -> str:
        return stage_upload(asset_type, fmt, f"bomb.{fmt}", data, len(data))

    staged: dict[int, str] = {}

    def call(data: bytes) -> tuple[str, str]:
        outcome = process_upload(staged.pop(id(data)), settings, s3)
        return (outcome.status, outcome.reason or "") if outcome else ("skipped", "not an upload key")

    def prepare(data: bytes) -> None:
        staged[id(data)] = stage(data)

    call.prepare = prepare  # type: ignore[attr-defined]
    return call


def _innocent(asset_type: str, fmt: str) -> bytes:
    from tests.media import generate

    return {
        "jpg": lambda: generate.jpeg(64, 48),
        "png": lambda: generate.encode(generate.picture(64, 48), "PNG"),
        "gif": lambda: generate.encode(generate.picture(64, 48).convert("P"), "GIF"),
        "webp": lambda: generate.encode(generate.picture(64, 48), "WEBP"),
        "mp4": lambda: generate.video(64, 48, seconds=1.2),
        "mov": lambda: generate.video(64, 48, seconds=1.2, container="mov"),
        "mp3": lambda: generate.mp3(1.0),
        "wav": lambda: generate.wav(1.0),
        "pdf": lambda: generate.pdf(1),
    }[fmt]()


def measure_one(path: Path, innocent_path: Path, asset_type: str, fmt: str, entry: str) -> dict:
    """In the measured process: warm the entry point on an innocent file, then check the bomb."""
    entries = {
        "pipeline": _pipeline_entry,
        "budget": lambda kind, name: _examine_entry(kind, name, budgeted=True),
        "examine": _examine_entry,
    }
    call = entries[entry](asset_type, fmt)
    innocent = innocent_path.read_bytes()  # made by the parent: its encoder's memory is not this process's
    getattr(call, "prepare", lambda _: None)(innocent)
    warm = call(innocent)
    data = path.read_bytes()
    getattr(call, "prepare", lambda _: None)(data)
    with Meter() as meter:
        try:
            outcome, reason = call(data)
        except Exception as exc:  # noqa: BLE001 - an exception out of the entry point is itself a finding
            outcome, reason = "error", f"{type(exc).__name__}: {exc}"
    return {"outcome": outcome, "reason": reason[:300], "warm_outcome": warm[0], **meter.figures()}


# ---------------------------------------------------------------------------------------------------
# In the parent: one fresh process per bomb


def run_bomb(
    name: str, entry: str = "pipeline", deadline: float = 120.0, memory_limit_mb: int = 4000,
    code_root: Path | None = None,
) -> dict:
    from tests.media.bombs import BOMBS

    bomb = BOMBS[name]
    started = time.perf_counter()
    data = bomb.make()
    made_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{name}.{bomb.format}"
        path.write_bytes(data)
        innocent = Path(directory) / f"innocent.{bomb.format}"
        innocent.write_bytes(_innocent(bomb.asset_type, bomb.format))
        # With a code root, `functions` comes from there (the working directory is first on sys.path)
        # and the bombs and this bench from here.
        cwd = code_root or ROOT
        env = {**os.environ, **ENVIRONMENT, "PYTHONPATH": os.pathsep.join(dict.fromkeys([str(cwd), str(ROOT)]))}
        for variable in ("TROVE_S3_ENDPOINT", "TROVE_DYNAMODB_ENDPOINT"):
            env.pop(variable, None)

        command = [sys.executable, "-m", "bench.worst_case", "--measure", str(path), str(innocent), bomb.asset_type, bomb.format,
                   "--entry", entry, "--memory-limit-mb", str(memory_limit_mb)]
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err,
                                       start_new_session=True)  # its own group: the deadline kills workers too
            killed = False
            end = time.monotonic() + deadline
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > end and not killed:
                    os.killpg(process.pid, signal.SIGKILL)
                    killed = True
                time.sleep(0.05)
            process.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
    result: dict[str, Any] = {"bomb": name, "type": bomb.asset_type, "format": bomb.format, "bytes": len(data),
                              "entry": entry, "what": bomb.what, "made_s": round(made_s, 3)}
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            result.update(json.loads(line.removeprefix(RESULT_MARK)))
            break
    else:
        # Killed or crashed: the kernel's figures for the whole process (warm-up included).
        cause = "deadline" if killed else (
            f"signal {signal.Signals(-process.returncode).name}" if process.returncode < 0 else
            f"exit {process.returncode}"
        )
        tail = stderr.strip().splitlines()[-1:] or [""]
        result.update(
            outcome="crashed", reason=f"{cause}: {tail[0][:200]}",
            cpu_s=round(usage.ru_utime + usage.ru_stime, 3), peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
            whole_process=True,
        )
    result["within_goals"] = result["cpu_s"] <= GOAL_CPU_S and result["peak_rss_mb"] <= GOAL_RSS_MB
    return result


def run(entry: str = "pipeline", only: list[str] | None = None, deadline: float = 120.0,
        memory_limit_mb: int = 4000, progress: bool = False, code_root: Path | None = None) -> dict:
    """Every bomb (or `only` those), one fresh process each: {"goals": ..., "bombs": [...]}."""
    from tests.media.bombs import BOMBS

    results = []
    for name in only or list(BOMBS):
        result = run_bomb(name, entry, deadline, memory_limit_mb, code_root)
        if progress:
            print(f"[worst-case] {name}: {result['outcome']} {result['cpu_s']} s {result['peak_rss_mb']} MB",
                  file=sys.stderr, flush=True)
        results.append(result)
    return {
        "entry": entry,
        "code_root": str(code_root or ROOT),
        "goals": {"cpu_s": GOAL_CPU_S, "peak_rss_mb": GOAL_RSS_MB},
        "within_goals": sum(result["within_goals"] for result in results),
        "refused": sum(result["outcome"] in ("rejected", "failed") for result in results),
        "bombs": results,
    }


def markdown(results: dict) -> str:
    """The worst-case table: one row per bomb."""
    lines = [
        "| input | bytes | outcome | CPU s | peak RSS MB | within goals | reason |",
        "| --- | ---: | --- | ---: | ---: | :---: | --- |",
    ]
    for row in results["bombs"]:
        reason = row["reason"].replace("|", "/")[:90]
        lines.append(
            f"| {row['bomb']} ({row['format']}) | {row['bytes']:,} | {row['outcome']} | {row['cpu_s']:.2f} "
            f"| {row['peak_rss_mb']:.0f} | {'yes' if row['within_goals'] else 'no'} | {reason} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worst_case")
    parser.add_argument("--entry", choices=ENTRIES, default="pipeline")
    parser.add_argument("--only", help="comma-separated bomb names (tests/media/bombs.py BOMBS)")
    parser.add_argument("--deadline", type=float, default=120.0, help="wall seconds before a bomb's process is killed")
    parser.add_argument("--memory-limit-mb", type=int, default=4000, help="RLIMIT_AS of each measured process")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table instead of JSON")
    parser.add_argument("--code-root", type=Path, help="a directory holding the `functions` package to measure")
    parser.add_argument("--measure", nargs=4, metavar=("PATH", "INNOCENT", "TYPE", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    if args.measure:
        limit = args.memory_limit_mb * 1024 * 1024  # this process and the workers it starts
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        path, innocent, asset_type, fmt = args.measure
        print(RESULT_MARK + json.dumps(measure_one(Path(path), Path(innocent), asset_type, fmt, args.entry)), flush=True)
        return 0
    only = args.only.split(",") if args.only else None
    results = run(args.entry, only, args.deadline, args.memory_limit_mb, progress=True, code_root=args.code_root)
    print(markdown(results) if args.markdown else json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
