"""Cold start: how long importing each handler module takes in a fresh interpreter, against `import boto3`.

    python -m bench.cold_start [--runs 10]

Every run starts a new interpreter per target and times the `import` statement alone (wall and CPU
of the process; the interpreter's own start-up is not counted), rounds interleaved so the machine's
load hits all targets alike. The environment is the deployed one: a Lambda task root and function
name are set, so Powertools' Tracer is on, as with `Tracing.ACTIVE` in AWS (it imports the X-Ray SDK
and patches botocore at import). A second pair of targets has tracing off
(POWERTOOLS_TRACE_DISABLED=true), as in the local stack and the tests. `-X importtime` then says what
each handler's import spends, by top-level package (one run each).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "boto3": "boto3",
    "processor": "functions.processor.handler",
    "api": "functions.api.handler",
}
PROBE = """
import resource, time
cpu, wall = time.process_time(), time.perf_counter()
import {module}
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print("COLD", wall, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def environment(tracing: bool, code_root: Path = ROOT) -> dict[str, str]:
    from bench.processor import ENVIRONMENT

    env = {key: value for key, value in os.environ.items() if not key.startswith(("TROVE_", "POWERTOOLS_"))}
    env.update(ENVIRONMENT)
    env.update(
        {
            "PYTHONPATH": str(code_root),
            "LAMBDA_TASK_ROOT": str(code_root),
            "AWS_LAMBDA_FUNCTION_NAME": "trove-bench",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "PYTHONDONTWRITEBYTECODE": "1",  # the .pyc files exist already; do not race other runs writing them
        }
    )
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    if not tracing:
        env["POWERTOOLS_TRACE_DISABLED"] = "true"
    return env


def import_once(module: str, tracing: bool, code_root: Path = ROOT) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=code_root,
        env=environment(tracing, code_root),
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("COLD "):
            wall, cpu, maxrss = line.split()[1:]
            return {"wall_s": float(wall), "cpu_s": float(cpu), "rss_mb": int(maxrss) / 1024}
    raise RuntimeError(f"import {module} failed:\n{completed.stderr[-2000:]}")


def breakdown(
    module: str, tracing: bool = True, code_root: Path = ROOT, top: int = 10
) -> list[tuple[str, float]]:
    """Self time of the import by top-level package, in ms (-X importtime inflates it somewhat)."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=code_root,
        env=environment(tracing, code_root),
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    spent: Counter[str] = Counter()
    for line in completed.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            spent[match[2].split(".")[0]] += int(match[1]) / 1000
    total = sum(spent.values())
    return [("(total)", round(total, 1))] + [(name, round(ms, 1)) for name, ms in spent.most_common(top)]


def run(runs: int = 10, code_root: Path = ROOT, log=print) -> dict:
    cases = [(name, module, True) for name, module in TARGETS.items()]
    cases += [(f"{name} (tracing off)", module, False) for name, module in TARGETS.items() if name != "boto3"]
    samples: dict[str, list[dict]] = {name: [] for name, _, _ in cases}
    for number in range(runs):
        for name, module, tracing in cases:
            samples[name].append(import_once(module, tracing, code_root))
        log(f"  cold start round {number + 1}/{runs}")
    figures = {}
    for name, values in samples.items():
        figures[name] = {
            "runs": len(values),
            "wall_s": statistics.median(v["wall_s"] for v in values),
            "cpu_s": statistics.median(v["cpu_s"] for v in values),
            "rss_mb": statistics.median(v["rss_mb"] for v in values),
            "wall_s_all": [round(v["wall_s"], 4) for v in values],
        }
    base = figures["boto3"]
    for name, entry in figures.items():
        entry["wall_vs_boto3"] = entry["wall_s"] / base["wall_s"]
        entry["cpu_vs_boto3"] = entry["cpu_s"] / base["cpu_s"]
    return {
        "figures": figures,
        "breakdown_ms": {
            "boto3": breakdown("boto3", True, code_root),
            "processor": breakdown(TARGETS["processor"], True, code_root),
            "api": breakdown(TARGETS["api"], True, code_root),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--code-root", type=Path, default=ROOT, help="another checkout, to compare before/after"
    )
    args = parser.parse_args(argv)
    result = run(args.runs, args.code_root.resolve())
    for name, entry in result["figures"].items():
        print(
            f"{name:28} wall {entry['wall_s'] * 1000:7.1f} ms ({entry['wall_vs_boto3']:.2f}× boto3)"
            f"  cpu {entry['cpu_s'] * 1000:7.1f} ms ({entry['cpu_vs_boto3']:.2f}×)  rss {entry['rss_mb']:.0f} MB"
        )
    print(json.dumps(result["breakdown_ms"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
