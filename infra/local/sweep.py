"""The sweep on `make dev`: the same pass the scheduled sweep function runs in AWS
(functions/sweep/recovery.py, where what it does and when is written down), in full, every minute.
moto has neither DynamoDB TTL nor bucket lifecycle rules, so here the sweep is also what expires
records and strays at all.

    python -m infra.local.sweep                     # once, against the running `make dev` stack
    python -m infra.local.sweep --every 60          # every minute, until Ctrl-C
    python -m infra.local.sweep --as-of 2030-01-01T00:00:00Z   # as if it were then (to try it out)

`functions.*` is imported only once the environment points at moto (settings are read once).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("local.sweep")

# How often `make dev` sweeps: records expire after a day and strays after a presign's life, so
# a minute keeps the local stack as tidy as TTL keeps AWS.
SWEEP_EVERY_SECONDS = 60


def clients(moto_url: str) -> tuple[Any, Any]:
    """The asset store and the S3 client on moto at `moto_url`."""
    import boto3

    from functions.core.settings import get_settings
    from functions.core.store import DynamoAssetStore

    credentials = {"aws_access_key_id": "local", "aws_secret_access_key": "local", "region_name": "us-east-1"}
    return (
        DynamoAssetStore(dataclasses.replace(get_settings(), dynamodb_endpoint_url=moto_url)),
        boto3.client("s3", endpoint_url=moto_url, **credentials),
    )


def sweep_once(store: Any, s3: Any, bucket: str, now: datetime | None = None) -> dict[str, int | bool]:
    """One full pass, as of `now`; what it did."""
    from functions.core.settings import get_settings
    from functions.sweep.recovery import sweep

    settings = dataclasses.replace(get_settings(), bucket_name=bucket)
    return sweep(settings, now=now, s3=s3, store=store).summary()


class PeriodicSweep(threading.Thread):
    """`make dev`'s sweep: a full pass every `every` seconds until stopped."""

    def __init__(self, moto_url: str, bucket: str, every: float = SWEEP_EVERY_SECONDS) -> None:
        super().__init__(name="sweep", daemon=True)
        self.store, self.s3 = clients(moto_url)
        self.bucket = bucket
        self.every = every
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self.every):
            try:
                done = sweep_once(self.store, self.s3, self.bucket)
            except Exception:  # a failed pass is logged and the next one tries again
                log.exception("sweep failed")
                continue
            if any(done.values()):
                log.info("%s", done)

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def main(argv: list[str] | None = None) -> int:
    from infra.local.runtime import configure_environment
    from infra.local.state import DEFAULT_STATE_FILE, load

    parser = argparse.ArgumentParser(prog="python -m infra.local.sweep", description=__doc__.split("\n\n")[0])
    parser.add_argument("--state-file", type=Path, default=DEFAULT_STATE_FILE, help="the running stack's state file")
    parser.add_argument("--every", type=float, default=0, help="sweep every so many seconds (0: once)")
    parser.add_argument("--as-of", help="sweep as if it were this moment (ISO 8601), e.g. to see what TTL would do")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s  %(message)s", datefmt="%H:%M:%S")
    try:
        state = load(args.state_file)
    except FileNotFoundError:
        print(f"no running stack: {args.state_file} does not exist (start it with make dev)", file=sys.stderr)
        return 1
    configure_environment(state["moto"], state["front"])
    as_of = datetime.fromisoformat(args.as_of) if args.as_of else None
    store, s3 = clients(state["moto"])
    try:
        while True:
            log.info("%s", sweep_once(store, s3, state["bucket"], now=as_of))
            if not args.every:
                return 0
            time.sleep(args.every)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
