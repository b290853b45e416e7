"""The running stack's addresses, saved where `make invoke` (and anything else on the machine) can find them."""

from __future__ import annotations

import json
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATE_FILE = Path(os.environ.get("TROVE_LOCAL_STATE", REPO_ROOT / ".local" / "state.json"))


def save(state: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, indent=2))


def load(path: Path) -> dict:
    return json.loads(path.read_text())
