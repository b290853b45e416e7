"""The media libraries load only when an object of their type arrives (cold starts stay short)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("PIL", "av", "pypdf", "pypdfium2", "mutagen")


def modules_loaded_after(code: str) -> set[str]:
    probe = f"import json, sys\n{code}\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_importing_the_package_loads_no_media_library() -> None:
    # given / when
    loaded = modules_loaded_after("import functions.processor.inspect")

    # then
    assert loaded == set()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tone.wav", {"mutagen"}),
        ("photo.jpg", {"PIL"}),
        ("doc.pdf", {"pypdfium2", "PIL"}),  # PIL for the thumbnail
    ],
)
def test_inspecting_one_type_loads_only_its_libraries(
    name: str, expected: set[str], corpus: dict[str, Path]
) -> None:
    # given
    path = corpus[name]
    code = (
        "from pathlib import Path\n"
        "from functions.core.media import by_extension\n"
        "from functions.processor.inspect import examine\n"
        f"media = by_extension({path.suffix!r})\n"
        f"examine(Path({str(path)!r}).read_bytes(), media.asset_type, media.format)"
    )

    # when
    loaded = modules_loaded_after(code)

    # then
    assert loaded == expected
