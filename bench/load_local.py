"""Load the local stack: 200 uploads from 8 clients against a stack this script starts for itself.

    python -m bench.load_local [--uploads 200] [--clients 8]

Each client uploads its share one after another (the API, then the presigned POST to moto) and waits
for each to settle. Prints the median and p95 time from the bytes landing to the asset being ready,
the throughput and how many were lost; writes the figures to bench/results_local.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from infra.local.harness import MIXED_WORKLOAD, StackProcess, run_load
from tests.media.samples import corpus_sample

RESULTS = Path(__file__).resolve().parent / "results_local.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_local", description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)

    samples = [corpus_sample(name) for name in MIXED_WORKLOAD]
    stack = StackProcess()
    stack.start()
    try:
        result = run_load(stack.url, samples, uploads=args.uploads, clients=args.clients)
    finally:
        stopped_cleanly = stack.stop() == 0

    figures = {
        **result.summary(),
        "clients": args.clients,
        "mix": list(MIXED_WORKLOAD),
        "measured": "from the presigned POST's answer to the API first reporting a final status (polled every 0.1 s)",
        "stack_stopped_cleanly": stopped_cleanly,
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"{figures['uploads']} uploads from {args.clients} clients: "
        f"median {figures['median_seconds']} s, p95 {figures['p95_seconds']} s upload→ready, "
        f"{figures['uploads_per_second']} uploads/s, lost {figures['lost']} "
        f"(ready {figures['ready']}, rejected {figures['rejected']}, failed {figures['failed']})"
    )
    print(f"written to {RESULTS}")
    return 0 if figures["lost"] == 0 and stopped_cleanly else 1


if __name__ == "__main__":
    sys.exit(main())
