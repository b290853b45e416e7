"""`python -m infra.local` (`make dev`): the whole service on 127.0.0.1 until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from functions.core import topology
from infra.local import runtime
from infra.local.stack import LocalStack, PortTaken, StackOptions
from infra.local.state import DEFAULT_STATE_FILE

DEFAULT_PORT = 8000
DEFAULT_S3_PORT = 4566  # where LocalStack-minded tools look for an AWS emulator
DEFAULT_RETRY_AFTER = 3
# Lambda would run up to the event source's maximum concurrency; two keep a laptop responsive.
DEFAULT_PROCESSORS = 2
SUPERVISE_EVERY_SECONDS = 1


def parse_options(argv: list[str] | None = None) -> tuple[StackOptions, bool]:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local",
        description="Run Trove locally: the API and web page, moto (S3, SQS, DynamoDB) and the processor.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    env = os.environ.get
    parser.add_argument(
        "--port",
        type=int,
        default=int(env("TROVE_LOCAL_PORT", DEFAULT_PORT)),
        help="the web page and the API (env TROVE_LOCAL_PORT)",
    )
    parser.add_argument(
        "--s3-port",
        type=int,
        default=int(env("TROVE_LOCAL_S3_PORT", DEFAULT_S3_PORT)),
        help="moto: S3, SQS and DynamoDB, where presigned URLs point (env TROVE_LOCAL_S3_PORT)",
    )
    parser.add_argument(
        "--retry-after",
        type=int,
        default=DEFAULT_RETRY_AFTER,
        help="seconds before a failed upload message is retried (the queue's own timeout is "
        f"{topology.UPLOADS_QUEUE.visibility_timeout_seconds} s)",
    )
    parser.add_argument(
        "--processors",
        type=int,
        default=int(env("TROVE_LOCAL_PROCESSORS", DEFAULT_PROCESSORS)),
        help="processor worker processes, each handling one batch at a time (env TROVE_LOCAL_PROCESSORS)",
    )
    parser.add_argument(
        "--max-processors",
        type=int,
        default=int(env("TROVE_LOCAL_MAX_PROCESSORS", topology.UPLOADS_QUEUE.max_concurrency)),
        help="processor workers the stack may add while uploads wait for every worker, as Lambda scales "
        "to the event source's maximum concurrency (env TROVE_LOCAL_MAX_PROCESSORS)",
    )
    parser.add_argument(
        "--state-file",
        type=Path,
        default=DEFAULT_STATE_FILE,
        help="where the running stack writes its addresses for `make invoke` (env TROVE_LOCAL_STATE)",
    )
    parser.add_argument("--verbose", action="store_true", help="show the handlers' own logs")
    args = parser.parse_args(argv)
    if args.processors < 1:
        parser.error("--processors must be at least 1")
    return StackOptions(
        args.port, args.s3_port, args.retry_after, args.state_file, args.processors, args.max_processors
    ), args.verbose


def configure_logging(verbose: bool) -> None:
    runtime.configure_console_logging()
    # The handlers log through powertools, which reads its level once, at import; the processor
    # workers inherit it with the rest of the environment.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "INFO" if verbose else "WARNING")


def banner(state: dict, options: StackOptions) -> str:
    queue = topology.UPLOADS_QUEUE
    return "\n".join(
        [
            "Trove is running locally.",
            f"  web page and API   {state['front']}   (API under {topology.API_PREFIX})",
            f'  dev token          curl -s -X POST {state["front"]}/local/token -d \'{{"user": "alice"}}\'',
            f"  moto               {state['moto']}   (S3 bucket {state['bucket']}, SQS, DynamoDB)",
            f"  queue              {queue.name}: batches of {queue.batch_size}, failures retried after"
            + f" {options.retry_after} s, to {queue.dlq_name} after {queue.max_receive_count} receives",
            f"  API                {len(state['api'])} instances, one request at a time each, more while all are busy"
            + f" (pids {', '.join(map(str, state['api']))})",
            f"  processor          {len(state['processors'])} worker processes, one batch at a time each, more while uploads wait"
            + f" (pids {', '.join(map(str, state['processors']))})",
            f"  tables created     {', '.join(state['tables'])}",
            f"  state file         {options.state_file}",
            "Ctrl-C stops it.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    options, verbose = parse_options(argv)
    configure_logging(verbose)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    stack = LocalStack(options)
    try:
        state = stack.start()
        print(banner(state, options), flush=True)
        while not stopping.wait(SUPERVISE_EVERY_SECONDS):
            stack.keep_processors_running()
        print("Stopping…", flush=True)
    except PortTaken as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 2
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
