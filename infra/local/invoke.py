"""`python -m infra.local.invoke api|processor events/<file>.json` (`make invoke`): one handler, one event,
against the running local stack, like `sam local invoke`. The result goes to stdout, the handler's logs
to stderr. The event reaches the handler as it is: no authorizer runs, so an API event brings its claims.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

import requests

from infra.local import runtime, state
from infra.local.state import DEFAULT_STATE_FILE

START_FIRST = "Start the local stack first: make dev (python -m infra.local)"


def running_stack(state_file: Path) -> dict:
    """The addresses the running stack saved, once it answers; SystemExit with advice otherwise."""
    try:
        addresses = state.load(state_file)
        requests.get(f"{addresses['front']}/local/health", timeout=2).raise_for_status()
    except FileNotFoundError:
        raise SystemExit(f"No local stack state at {state_file}. {START_FIRST}") from None
    except (ValueError, KeyError, requests.RequestException) as error:
        raise SystemExit(
            f"The local stack of {state_file} does not answer ({error}). {START_FIRST}"
        ) from None
    return addresses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.invoke", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("function", choices=sorted(runtime.HANDLER_MODULES))
    parser.add_argument("event", type=Path, help="a JSON event file, e.g. events/api/list_assets.json")
    parser.add_argument("--state-file", type=Path, default=DEFAULT_STATE_FILE, help="env TROVE_LOCAL_STATE")
    args = parser.parse_args(argv)
    try:
        event = json.loads(args.event.read_text())
    except (OSError, ValueError) as error:
        raise SystemExit(f"Cannot read the event {args.event}: {error}") from None
    addresses = running_stack(args.state_file)
    runtime.configure_environment(addresses["moto"], addresses["front"])
    # powertools binds its log stream when the handler module is imported, inside this block.
    with contextlib.redirect_stdout(sys.stderr):
        result = runtime.invoke(args.function, event)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
