"""What the layer test (test_layers.py) runs on, prepared before the tests by `make test` (it fetches
from PyPI, which the tests themselves never reach): the deployable layers for this machine's
architecture and CPython 3.12, and the test tools as wheels for that Python.

    python -m tests.infra.layer_env
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement

from layers import build as layer_build

PYTHON_VERSION = layer_build.TARGET_PYTHON
ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(
    platform.machine().lower()
)
# What the tests need besides the function code: the test runner, the AWS mock, the independent ThumbHash
# decoder the placeholder tests check against, and what the Lambda
# runtime itself provides (boto3 and its dependencies).
TEST_TOOLS = ("pytest", "moto", "thash", *sorted(layer_build.RUNTIME_PROVIDED))


def _python(version: str) -> str | None:
    """A CPython `version` interpreter: this one, one on PATH, or one of pyenv's versions."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{version}"), *sorted(pyenv.glob(f"versions/{version}.*/bin/python{version}"))]
    for candidate in filter(None, candidates):
        # pyenv's shims are on PATH for every version, and fail for one that is not selected.
        check = subprocess.run(
            [str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode == 0 and check.stdout.strip() == version:
            return str(candidate)
    return None


PYTHON = _python(PYTHON_VERSION)


def _name(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def _closure(roots: tuple[str, ...]) -> set[str]:
    """The installed distributions `roots` need, following requirements without extras."""
    seen, todo = set(), [_name(root) for root in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            requires = importlib.metadata.distribution(name).requires or []
        except importlib.metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(_name(requirement.name))
    return seen


def tool_pins(manifest: dict) -> tuple[list[str], list[str]]:
    """The test tools the layers do not carry, and their pins: this virtualenv's versions."""
    layered = {_name(package) for layer in manifest["layers"].values() for package in layer["packages"]}
    tools = sorted(_closure(TEST_TOOLS) - layered)
    return tools, [f"{name}=={importlib.metadata.version(name)}" for name in tools]


def unprepared_reason() -> str | None:
    """Why the layer test cannot run from what is built, or None: it never builds (that needs PyPI)."""
    if reason := layer_build.stale_reason(ARCH, PYTHON_VERSION):
        return reason
    _, pins = tool_pins(layer_build.read_manifest(ARCH, PYTHON_VERSION))
    listed = layer_build.test_tools_dir(ARCH, PYTHON_VERSION) / "pins.txt"
    if not listed.is_file() or listed.read_text() != "\n".join(sorted(pins)) + "\n":
        return f"the test tools for Python {PYTHON_VERSION} are not built for these pins"
    return None


def prepare() -> None:
    libmagic = os.environ.get("TROVE_LIBMAGIC_DIR")
    manifest = layer_build.build(ARCH, PYTHON_VERSION, libmagic_dir=Path(libmagic) if libmagic else None).manifest
    layer_build.build_test_tools(tool_pins(manifest)[1], ARCH, PYTHON_VERSION)


if __name__ == "__main__":
    if PYTHON is None or ARCH is None:
        print(f"No CPython {PYTHON_VERSION} (on PATH or under pyenv) or no Lambda architecture here: the layer test will skip")
        sys.exit(0)
    prepare()
