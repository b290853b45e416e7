"""Consumers: the scripts, flows and jobs that use assets, named `kind:path` (`job:1234`,
`flow:f/etl/daily`), and the kinds of fact a usage records about them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Final

from pydantic import StringConstraints

from functions.core.errors import InvalidInput

# Consumer paths are Windmill-style (`f/etl/daily`, `u/alice/clean`) or job ids: no `#`, `:` or spaces,
# which the usage keys use as separators.
CONSUMER_PATH_PATTERN: Final = r"^[A-Za-z0-9_.@-]+(?:/[A-Za-z0-9_.@-]+)*$"
MAX_CONSUMER_PATH: Final = 255
_CONSUMER_PATH = re.compile(CONSUMER_PATH_PATTERN)

ConsumerPath = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_CONSUMER_PATH, pattern=CONSUMER_PATH_PATTERN)
]


class ConsumerKind(StrEnum):
    SCRIPT = "script"
    FLOW = "flow"
    JOB = "job"


class Source(StrEnum):
    STATIC = "static"  # found in code by a scan
    RUNTIME = "runtime"  # recorded by a request made on the consumer's behalf
    MANUAL = "manual"  # a person set the mode the scan could not tell


class Origin(StrEnum):
    """Keeps the two ways of learning about a usage apart, so neither overwrites the other."""

    CODE = "code"
    RUN = "run"


@dataclass(frozen=True)
class Consumer:
    kind: ConsumerKind
    path: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.path}"

    @classmethod
    def parse(cls, text: str) -> Consumer:
        """`kind:path`, e.g. `job:1234` or `flow:f/etl/daily`."""
        kind, _, path = text.strip().partition(":")
        if kind not in set(ConsumerKind) or not _is_consumer_path(path):
            raise InvalidInput(
                "Invalid consumer: expected kind:path with kind script, flow or job "
                "and a path of letters, digits, '_', '.', '@', '-' and '/' (e.g. job:1234 or flow:f/etl/daily)"
            )
        return cls(ConsumerKind(kind), path)


def consumer_from(text: str | None) -> Consumer | None:
    """The consumer a request names, if it names one."""
    return Consumer.parse(text) if text else None


def _is_consumer_path(path: str) -> bool:
    return len(path) <= MAX_CONSUMER_PATH and _CONSUMER_PATH.match(path) is not None
