"""Isolation on the local stack: how long an innocent upload takes to be ready while bombs are processed.

    python -m bench.isolation [--bombs 4] [--rounds 3]

Starts `make dev`'s stack (python -m infra.local) on free ports, then, `--rounds` times each:
- idle: one user uploads a photo and waits until it is ready;
- under attack: another user uploads `--bombs` decode-cost bombs (a PDF holding a 400-scan progressive
  JPEG, refused only when it has spent its 8 s of CPU), then the first user uploads the same photo
  while they are being processed: the time to ready, and the slowest answer of the API meanwhile.
Times run from the presigned POST's answer to the API first reporting a final status (polled every
0.1 s). Prints JSON; `run()` returns the same figures for `python -m bench`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from infra.local.harness import Client, Sample, StackProcess
from tests.media.samples import corpus_sample

GOAL_SECONDS = 20.0


def _bomb() -> Sample:
    from tests.media import bombs

    return Sample("scans.pdf", "document", "pdf", "application/pdf", bombs.pdf_jpeg_scans())


def _timed_upload(client: Client, sample: Sample) -> tuple[float, dict]:
    asset = client.upload(sample)
    started = time.monotonic()
    settled = client.wait_until_settled(asset["id"], timeout=120)
    return time.monotonic() - started, settled


def run(bombs: int = 4, rounds: int = 3) -> dict:
    photo, bomb = corpus_sample("photo.jpg"), _bomb()
    stack = StackProcess()
    stack.start()
    try:
        innocent, attacker = Client(stack.url, "innocent"), Client(stack.url, "attacker")
        _timed_upload(innocent, photo)  # warm: the workers import the decoders once
        idle, attacked, api_slowest, bomb_outcomes = [], [], [], []
        for _ in range(rounds):
            idle.append(_timed_upload(innocent, photo)[0])
            bomb_ids = [attacker.upload(bomb)["id"] for _ in range(bombs)]
            with ThreadPoolExecutor(1) as probe:
                answering = probe.submit(_slowest_api_answer, innocent, bomb_ids, attacker)
                seconds, settled = _timed_upload(innocent, photo)
                attacked.append(seconds)
                api_slowest.append(answering.result())
            assert settled["status"] == "ready", settled
            bomb_outcomes += [attacker.wait_until_settled(asset_id, timeout=180)["statusReason"] for asset_id in bomb_ids]
    finally:
        stack.stop()
    return {
        "bombs_at_once": bombs,
        "bomb": "PDF holding a 400-scan progressive JPEG, refused when its 8 s of CPU run out (tests/media/bombs.py pdf_jpeg_scans)",
        "idle_seconds": _median(idle),
        "under_attack_seconds": _median(attacked),
        "under_attack_max_seconds": round(max(attacked), 2),
        "api_slowest_answer_seconds": round(max(api_slowest), 2),
        "goal_seconds": GOAL_SECONDS,
        "bomb_outcomes": sorted(set(bomb_outcomes)),
        "rounds": rounds,
    }


def _slowest_api_answer(client: Client, bomb_ids: list[str], attacker: Client) -> float:
    """Create uploads and list assets until every bomb has settled: the slowest answer."""
    slowest = 0.0
    while any(attacker.record(asset_id).json()["status"] == "pending" for asset_id in bomb_ids):
        started = time.monotonic()
        client.api("POST", "/api/v2/uploads", json={"name": "probe.jpg", "type": "image", "format": "jpg", "size": 10})
        client.api("GET", "/api/v2/assets", params={"limit": 5})
        slowest = max(slowest, time.monotonic() - started)
        time.sleep(0.2)
    return slowest


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.isolation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bombs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    print(json.dumps(run(arguments.bombs, arguments.rounds), indent=2))
