"""Before/after: the same measurements on two checkouts, interleaved, into bench/before_after.json.

    python -m bench.compare --before /tmp/before [--runs 3] [--cold-runs 10]

`--before` is a copy of the tree with the optimised files as they were (it needs a bench/ of its own,
with bench/out/ linked to this one's). The after side is this checkout. The report renders the file
as the before/after table of docs/performance.md; it is not part of `make bench`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from bench import cold_start, processor

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "before_after.json"
INPUTS = ["jpeg_24mp", "png_12mp", "mp4_moov_end", "mp4_4k", "png_100mp", "gif_100mp", "webp_100mp"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare")
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--describe", default="", help="what the before side is")
    args = parser.parse_args(argv)
    roots = {"before": args.before.resolve(), "after": ROOT}
    runs: dict = {side: {name: [] for name in INPUTS} for side in roots}
    for number in range(args.runs):
        for name in INPUTS:
            for side, root in roots.items():
                runs[side][name].append(processor.run_in_subprocess(name, "inspect", root=root))
        print(f"processor round {number + 1}/{args.runs}", flush=True)
    cold: dict = {side: {target: [] for target in cold_start.TARGETS} for side in roots}
    for number in range(args.cold_runs):
        for target, module in cold_start.TARGETS.items():
            for side, root in roots.items():
                cold[side][target].append(cold_start.import_once(module, True, root))
    result: dict = {
        "describe": args.describe,
        "runs": args.runs,
        "cold_runs": args.cold_runs,
        "processor": {},
        "cold": {},
    }
    for name in INPUTS:
        result["processor"][name] = {
            side: {
                "cpu_s": statistics.median(r["cpu_s"] for r in runs[side][name]),
                "wall_s": statistics.median(r["wall_s"] for r in runs[side][name]),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in runs[side][name]),
                "s3_bytes": statistics.median(r["s3_bytes"] for r in runs[side][name]),
                "s3_requests": statistics.median(r["s3_requests"] for r in runs[side][name]),
                "outcome": runs[side][name][0].get("outcome"),
            }
            for side in roots
        }
    for target in cold_start.TARGETS:
        result["cold"][target] = {
            side: {
                "wall_s": statistics.median(r["wall_s"] for r in cold[side][target]),
                "cpu_s": statistics.median(r["cpu_s"] for r in cold[side][target]),
            }
            for side in roots
        }
    for side in roots:
        base = result["cold"]["boto3"][side]
        for target in cold_start.TARGETS:
            entry = result["cold"][target][side]
            entry["wall_vs_boto3"] = entry["wall_s"] / base["wall_s"]
            entry["cpu_vs_boto3"] = entry["cpu_s"] / base["cpu_s"]
    OUT.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
