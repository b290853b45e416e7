"""One instance of the API function, locally, as a Lambda sandbox: one invocation at a time, for as
long as the stack that started it (infra.local.api_instances) sends it events.

    python -m infra.local.api_sandbox --number 1 --fd 5

It reads events from the socket `--fd` and writes each result back (None when the handler raised,
after logging why). It ends when the socket closes: the stack stopped it, or is gone.
"""

from __future__ import annotations

import argparse
import logging
import sys
from multiprocessing.connection import Connection

from infra.local import runtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.api_sandbox", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--number", type=int, required=True, help="this instance's number, in its log lines")
    parser.add_argument("--fd", type=int, required=True, help="the socket the stack sends events on")
    args = parser.parse_args(argv)
    runtime.configure_console_logging()
    runtime.silence_handler_warnings()
    log = logging.getLogger(f"local.api.{args.number}")
    connection = Connection(args.fd)
    # Lambda's init phase: import the handler before the first request, not during it.
    runtime.load_handler("api")
    while True:
        try:
            event = connection.recv()
        except EOFError:
            return 0
        try:
            result = runtime.invoke("api", event)
        except Exception:
            log.exception("the API handler raised")
            result = None
        try:
            connection.send(result)
        except OSError:  # the stack is gone: no one to answer
            return 0


if __name__ == "__main__":
    sys.exit(main())
