"""SnapStart priming: what it moves out of the API's first request.

    python -m bench.snapstart [--runs 7]

Each run is a fresh interpreter on in-process moto: import functions.api.handler, make the tables,
then either answer the first request straight away (`unprimed`, as without SnapStart), or first run
`priming.prime` (what Lambda runs before the snapshot) and `priming.refresh_after_restore` (what it
runs after each restore) and then answer it (`primed`). The first request is `GET /api/v2/assets`
with a JWT's claims (events/api/list_assets.json): validation, one DynamoDB Query. Rounds alternate
the two so that the machine's load falls on both alike; medians are reported. Priming itself is paid
at publish time, the restore hook in every restored sandbox's Restore Duration.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODES = ("unprimed", "primed")
PROBE = """
import json, sys, time
from moto import mock_aws
primed = sys.argv[1] == "primed"
with mock_aws():
    import boto3
    from functions.api import handler, priming
    from functions.core import storage
    from functions.core.models import AssetModel
    from functions.lineage.models import UsageModel
    models = (AssetModel, UsageModel)
    for model in models:
        model.create_table(wait=True)
        model._connection = None  # the first request (or priming) makes it, as in a fresh sandbox
    storage.s3_client.cache_clear()
    boto3.DEFAULT_SESSION = None
    clients = priming.AwsClients(handler.settings, models)
    prime_s = restore_s = 0.0
    if primed:
        began = time.perf_counter()
        priming.prime(handler.app, clients)
        prime_s = time.perf_counter() - began
        began = time.perf_counter()
        priming.refresh_after_restore(clients)
        restore_s = time.perf_counter() - began
    event = json.load(open("events/api/list_assets.json"))

    class Context:
        function_name, memory_limit_in_mb, aws_request_id = "trove-api", 1024, "bench"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:trove-api"

    timings = []
    for _ in range(2):
        began = time.perf_counter()
        status = handler.lambda_handler(event, Context())["statusCode"]
        timings.append(time.perf_counter() - began)
        assert status == 200, status
    print("SNAP", json.dumps({"first_s": timings[0], "second_s": timings[1], "prime_s": prime_s, "restore_s": restore_s}))
"""


def once(mode: str) -> dict:
    from bench.processor import ENVIRONMENT

    env = {key: value for key, value in os.environ.items() if not key.startswith("TROVE_")}
    env.update(ENVIRONMENT)
    env.update({"PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"})
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, mode], cwd=ROOT, env=env, capture_output=True, check=False, text=True, timeout=300
    )
    line = next((line for line in completed.stdout.splitlines() if line.startswith("SNAP ")), None)
    if line is None:
        raise RuntimeError(f"bench.snapstart {mode} failed:\n{completed.stderr[-2000:]}")
    return json.loads(line.removeprefix("SNAP "))


def run(runs: int = 7, log=print) -> dict:
    samples: dict[str, list[dict]] = {mode: [] for mode in MODES}
    for number in range(runs):
        for mode in MODES:
            samples[mode].append(once(mode))
        log(f"snapstart round {number + 1}/{runs}")
    figures = {
        mode: {
            key: round(statistics.median(sample[key] for sample in samples[mode]), 4)
            for key in ("first_s", "second_s", "prime_s", "restore_s")
        }
        for mode in MODES
    }
    for mode in MODES:
        figures[mode]["first_s_all"] = [round(sample["first_s"], 4) for sample in samples[mode]]
    figures["moved_out_of_first_request_s"] = round(figures["unprimed"]["first_s"] - figures["primed"]["first_s"], 4)
    return {"runs": runs, "figures": figures}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.snapstart", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    print(json.dumps(run(parser.parse_args().runs), indent=1))


if __name__ == "__main__":
    main()
