"""Build Trove's two Lambda layers from manylinux wheels, without Docker: `make layers`.

    python -m layers.build [--arch arm64|x86_64] [--python-version 3.12] [--force] [--libmagic-dir DIR]
    python -m layers.build --lock      # resolve pyproject.toml's runtime dependencies into requirements.lock

Layout (what Lambda unpacks under /opt):

    layers/build/<arch>/deps/python/...               the runtime dependencies of pyproject.toml except
                                                      `av`, minus what the Lambda runtime already has
    layers/build/<arch>/deps/lib/libmagic.so.1        python-magic's C library (/opt/lib is on
                                                      Lambda's LD_LIBRARY_PATH)
    layers/build/<arch>/deps/share/misc/magic.mgc     its database (the functions get MAGIC=<that path>)
    layers/build/<arch>/ffmpeg/python/av/...          PyAV, whose manylinux wheel bundles FFmpeg's libraries
    layers/build/<arch>/build.json                    inputs hash, sizes, package versions

Builds for another Python than the deployed one (the layer test builds for the interpreter running it)
go to `layers/build/<arch>-py<version>/` so they never overwrite the deployable build.

Wheels for the chosen architecture come from PyPI through pip's `--platform` (manylinux, aarch64 or
x86_64) with `--python-version 3.12 --implementation cp --only-binary=:all:`, so any machine builds
either architecture without Docker. arm64 (Graviton) is the default: cheaper per GB-second and as fast
for this work. python-magic needs the C libmagic, which the Lambda runtime lacks: pylibmagic 0.5.0's
manylinux2014 wheels (x86_64 and aarch64) carry `libmagic.so.1` (it needs only libc and libz, glibc
2.17) and `magic.mgc`, which the build copies into the deps layer; `--libmagic-dir` takes them from a
directory instead.

The layers are built from `layers/requirements.lock`: pyproject.toml's runtime dependencies resolved
once, by uv, for CPython 3.12 on manylinux aarch64 and x86_64 (the resolutions must agree), every
version pinned; pip installs exactly those (`--no-deps`). The test virtualenv installs the same lock
as constraints, so what is tested is what is deployed. `--lock` resolves again (after a change to
pyproject.toml's dependencies, or to take newer releases); a build refuses a lock that no longer
matches pyproject.toml.

The build is skipped when a hash of its inputs (the lock, this file, the architecture, the Python
version, the libmagic source) matches `build.json`; `--force` rebuilds.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

LAYERS_ROOT = Path(__file__).resolve().parent
REPO_ROOT = LAYERS_ROOT.parent
BUILD_ROOT = LAYERS_ROOT / "build"
PYPROJECT = REPO_ROOT / "pyproject.toml"
LOCK = LAYERS_ROOT / "requirements.lock"
# Bounds the lock must respect beyond pyproject.toml's, each with its reason (e.g. a release the code
# does not work with yet).
CONSTRAINTS = LAYERS_ROOT / "constraints.txt"
# The lock's header records a hash of the runtime requirements it was resolved from.
LOCK_HASH_PREFIX = "# requirements-sha256: "
FUNCTIONS_DIR = REPO_ROOT / "functions"

# The deployed functions' Python: the stack's Lambda runtime is derived from it.
TARGET_PYTHON = "3.12"
ARCHITECTURES = ("arm64", "x86_64")
DEFAULT_ARCH = "arm64"
# Lambda's architecture names → the machine names of manylinux platform tags.
_MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}
# The Lambda Python 3.12 runtime is Amazon Linux 2023 (glibc 2.34): every manylinux tag up to 2.34 fits.
_MANYLINUX = ("manylinux_2_34", "manylinux_2_28", "manylinux_2_17", "manylinux2014")

DEPS, FFMPEG = "deps", "ffmpeg"
LAYER_NAMES = (DEPS, FFMPEG)
# Distributions that go to the FFmpeg layer instead of the deps layer.
FFMPEG_DISTRIBUTIONS = frozenset({"av"})
# Already in the Lambda Python runtime: pruned from the deps layer (installed only as dependencies).
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "urllib3"})

PYLIBMAGIC = "pylibmagic==0.5.0"
# Where Lambda mounts a layer, and where the deps layer puts libmagic's database.
LAYER_MOUNT = "/opt"
MAGIC_DB_RELATIVE = "share/misc/magic.mgc"
MAGIC_FILE = f"{LAYER_MOUNT}/{MAGIC_DB_RELATIVE}"
LIBMAGIC_RELATIVE = "lib/libmagic.so.1"

# Lambda's limit on a function's unzipped code plus all its layers: 250 MB.
LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024
MANIFEST = "build.json"


class BuildError(RuntimeError):
    """The layers could not be built, or they do not fit Lambda's limits."""


@dataclass(frozen=True)
class BuildResult:
    directory: Path
    manifest: dict
    skipped: bool


def build_dir(arch: str = DEFAULT_ARCH, python_version: str = TARGET_PYTHON) -> Path:
    suffix = "" if python_version == TARGET_PYTHON else f"-py{python_version}"
    return BUILD_ROOT / f"{arch}{suffix}"


def layer_dir(name: str, arch: str = DEFAULT_ARCH, python_version: str = TARGET_PYTHON) -> Path:
    return build_dir(arch, python_version) / name


def read_manifest(arch: str = DEFAULT_ARCH, python_version: str = TARGET_PYTHON) -> dict | None:
    path = build_dir(arch, python_version) / MANIFEST
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def stale_reason(arch: str = DEFAULT_ARCH, python_version: str = TARGET_PYTHON) -> str | None:
    """Why the built layers cannot be deployed as they are, or None when they can."""
    where = _shown(build_dir(arch, python_version))
    manifest = read_manifest(arch, python_version)
    if manifest is None:
        return f"no layers built for {arch} / Python {python_version} in {where}"
    missing = [
        name for name in LAYER_NAMES if not (layer_dir(name, arch, python_version) / "python").is_dir()
    ]
    if missing:
        return f"layer(s) {', '.join(missing)} missing from {where}"
    if problem := lock_problem():
        return problem
    if manifest.get("requirements") != sorted(locked_requirements()):
        return f"layers/requirements.lock changed since {where} was built"
    return None


def runtime_requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """The `[project] dependencies` of pyproject.toml: what the functions need at run time."""
    return list(tomllib.loads(pyproject.read_text())["project"]["dependencies"])


def requirements_hash(requirements: list[str]) -> str:
    """What the lock is resolved from: the requirements and the constraints."""
    return hashlib.sha256("\n".join([*sorted(requirements), *sorted(constraints())]).encode()).hexdigest()


def constraints() -> list[str]:
    if not CONSTRAINTS.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in CONSTRAINTS.read_text().splitlines())
    return [line for line in lines if line]


def locked_requirements(lock: Path = LOCK) -> list[str]:
    """The lock's pins (`name==version`), comments left out."""
    lines = (line.strip() for line in lock.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def lock_problem(lock: Path = LOCK, requirements: list[str] | None = None) -> str | None:
    """Why the lock cannot be built from (missing, or resolved from other requirements), or None."""
    if not lock.is_file():
        return f"no {_shown(lock)}: run `python -m layers.build --lock`"
    wanted = requirements_hash(runtime_requirements() if requirements is None else requirements)
    if f"{LOCK_HASH_PREFIX}{wanted}" not in lock.read_text().splitlines():
        return (
            f"pyproject.toml's runtime dependencies or {_shown(CONSTRAINTS)} changed since {_shown(lock)} "
            "was resolved: run `python -m layers.build --lock`"
        )
    return None


def lock_command(arch: str) -> list[str]:
    """uv's command resolving pyproject.toml's runtime dependencies for CPython 3.12 on manylinux `arch`."""
    return [
        "uv",
        "pip",
        "compile",
        str(PYPROJECT),
        "--python-version",
        TARGET_PYTHON,
        "--python-platform",
        f"{_MACHINE[arch]}-manylinux_2_28",
        "--only-binary",
        ":all:",
        *(["--constraint", str(CONSTRAINTS)] if CONSTRAINTS.is_file() else []),
        "--no-header",
        "--no-annotate",
        "--quiet",
    ]


def write_lock(log=print) -> list[str]:
    """Resolve for every architecture, require one answer, and write it with its provenance."""
    if not shutil.which("uv"):
        raise BuildError("resolving the lock needs uv (pip install uv)")
    resolutions = {}
    for arch in ARCHITECTURES:
        log(f"  uv pip compile for cp{TARGET_PYTHON.replace('.', '')} manylinux {_MACHINE[arch]}")
        result = subprocess.run(lock_command(arch), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BuildError(f"uv could not resolve the dependencies for {arch}:\n{result.stderr}")
        resolutions[arch] = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    pins = next(iter(resolutions.values()))
    if any(other != pins for other in resolutions.values()):
        raise BuildError(f"the architectures resolve differently: {resolutions}")
    header = [
        "# Trove's Lambda layers: pyproject.toml's runtime dependencies, resolved by uv for CPython",
        f"# {TARGET_PYTHON} on manylinux_2_28 {' and '.join(_MACHINE[arch] for arch in ARCHITECTURES)} (the same pins for both).",
        f"# {_shown(CONSTRAINTS)} bounds the resolution. The layers are built from these pins and the test",
        "# virtualenv installs them as constraints.",
        "# Regenerate with `python -m layers.build --lock`.",
        f"{LOCK_HASH_PREFIX}{requirements_hash(runtime_requirements())}",
    ]
    LOCK.write_text("\n".join([*header, *pins]) + "\n")
    log(f"  {_shown(LOCK)}: {len(pins)} pins")
    return pins


def distribution_name(requirement: str) -> str:
    """`aws-lambda-powertools[tracer]>=3.20` → `aws-lambda-powertools` (PEP 503 normalised)."""
    name = requirement
    for stop in "[<>=!~;@ (":
        name = name.split(stop, 1)[0]
    return _normalise(name)


def _normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def split_requirements(requirements: list[str]) -> dict[str, list[str]]:
    deps = [r for r in requirements if distribution_name(r) not in FFMPEG_DISTRIBUTIONS]
    ffmpeg = [r for r in requirements if distribution_name(r) in FFMPEG_DISTRIBUTIONS]
    return {DEPS: deps, FFMPEG: ffmpeg}


def platform_args(arch: str, python_version: str) -> list[str]:
    machine = _MACHINE[arch]
    abi = "cp" + python_version.replace(".", "")
    args = [arg for tag in _MANYLINUX for arg in ("--platform", f"{tag}_{machine}")]
    return [
        *args,
        "--only-binary=:all:",
        "--python-version",
        python_version,
        "--implementation",
        "cp",
        "--abi",
        abi,
        "--abi",
        "abi3",
        "--abi",
        "none",
    ]


def pip_command() -> list[str]:
    """pip of this interpreter, else pip run by uv (the Makefile's venv is made by uv, without pip),
    else the system Python's pip. pip only downloads wheels here, so its own Python does not matter."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    if shutil.which("uvx"):
        return ["uvx", "--quiet", "--from", "pip", "pip"]
    for python in ("python3", "python"):
        if (found := shutil.which(python)) and _has_pip(found):
            return [found, "-m", "pip"]
    raise BuildError("No pip found: install pip or uv")


def _has_pip(python: str) -> bool:
    return (
        subprocess.run([python, "-m", "pip", "--version"], capture_output=True, check=False).returncode == 0
    )


def inputs_hash(arch: str, python_version: str, requirements: list[str], libmagic_dir: Path | None) -> str:
    digest = hashlib.sha256()
    for part in (arch, python_version, PYLIBMAGIC, *sorted(requirements)):
        digest.update(part.encode() + b"\0")
    digest.update(Path(__file__).read_bytes())
    if libmagic_dir is not None:
        for path in sorted(libmagic_dir.rglob("*")):
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def tree_bytes(root: Path) -> int:
    """Unzipped size: the bytes of every regular file under root (symlinks count as themselves)."""
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath, name)
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def function_code_bytes() -> int:
    """The function asset: the `functions/` package without caches (what the stack uploads)."""
    total = 0
    for path in FUNCTIONS_DIR.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            total += path.stat().st_size
    return total


def install_command(target: Path, requirements: list[str], arch: str, python_version: str) -> list[str]:
    """pip's command installing `requirements` as wheels for `arch` / `python_version` into `target`."""
    return [
        *pip_command(),
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        # Every pin of the lock is listed: nothing else may be resolved.
        "--no-deps",
        "--target",
        str(target),
        *platform_args(arch, python_version),
        *requirements,
    ]


def libmagic_download_command(arch: str, destination: Path) -> list[str]:
    """pip's command downloading pylibmagic's manylinux wheel for `arch` (no dependencies, not installed)."""
    return [
        *pip_command(),
        "download",
        "--quiet",
        "--disable-pip-version-check",
        PYLIBMAGIC,
        "--no-deps",
        "--only-binary=:all:",
        "--platform",
        f"manylinux2014_{_MACHINE[arch]}",
        "--python-version",
        TARGET_PYTHON,
        "--dest",
        str(destination),
    ]


def _pip_install(target: Path, requirements: list[str], arch: str, python_version: str, log) -> None:
    command = install_command(target, requirements, arch, python_version)
    log(f"  pip install {' '.join(requirements)}")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"pip failed for {requirements}:\n{result.stdout}\n{result.stderr}")


def _installed_distributions(site: Path) -> dict[str, Path]:
    found = {}
    for dist_info in site.glob("*.dist-info"):
        name = dist_info.name.removesuffix(".dist-info").rsplit("-", 1)[0]
        metadata = dist_info / "METADATA"
        if metadata.exists():
            for line in metadata.read_text(errors="replace").splitlines():
                if line.startswith("Name:"):
                    name = line.split(":", 1)[1]
                    break
        found[_normalise(name)] = dist_info
    return found


def _record_tops(site: Path, dist_info: Path) -> set[str]:
    """The top-level names (packages, modules, .libs directories) a distribution's RECORD lists."""
    record = dist_info / "RECORD"
    if not record.exists():
        return set()
    tops = set()
    for line in record.read_text().splitlines():
        relative = line.split(",", 1)[0]
        if relative and not relative.startswith(".."):
            tops.add(Path(relative).parts[0])
    return tops - {dist_info.name}


def prune(site: Path, drop: frozenset[str] = frozenset()) -> list[str]:
    """Remove the distributions in `drop`, console scripts, byte code, test suites and RECORD files
    (pip's uninstall list, never read at run time). METADATA stays: importlib.metadata reads it."""
    distributions = _installed_distributions(site)
    removed = sorted(drop & distributions.keys())
    kept = set().union(
        *(_record_tops(site, info) for name, info in distributions.items() if name not in drop)
    )
    for name in removed:
        # Whole top-level entries, except any another distribution shares (namespace packages).
        for top in _record_tops(site, distributions[name]) - kept:
            path = site / top
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        shutil.rmtree(distributions[name])
    # Console scripts and data files (man pages) that nothing imports.
    shutil.rmtree(site / "bin", ignore_errors=True)
    shutil.rmtree(site / "share", ignore_errors=True)
    for path in sorted(site.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and (path.name == "__pycache__" or (path.name == "tests" and path.parent != site)):
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() and (
            path.suffix == ".pyc" or (path.name == "RECORD" and path.parent.suffix == ".dist-info")
        ):
            path.unlink()
    return removed


def _package_versions(site: Path) -> dict[str, str]:
    versions = {}
    for name, dist_info in sorted(_installed_distributions(site).items()):
        versions[name] = dist_info.name.removesuffix(".dist-info").rsplit("-", 1)[-1]
    return versions


def _add_libmagic(layer: Path, arch: str, libmagic_dir: Path | None, log) -> str:
    lib = layer / LIBMAGIC_RELATIVE
    database = layer / MAGIC_DB_RELATIVE
    lib.parent.mkdir(parents=True, exist_ok=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    if libmagic_dir is not None:
        for source, destination in (
            (libmagic_dir / "libmagic.so.1", lib),
            (libmagic_dir / "magic.mgc", database),
        ):
            if not source.is_file():
                raise BuildError(f"--libmagic-dir must hold libmagic.so.1 and magic.mgc; {source} is missing")
            shutil.copyfile(source, destination)
        return str(libmagic_dir)
    with tempfile.TemporaryDirectory() as download:
        log(f"  pip download {PYLIBMAGIC} for {arch} (libmagic.so.1 and magic.mgc)")
        command = libmagic_download_command(arch, Path(download))
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BuildError(f"pip could not download {PYLIBMAGIC}:\n{result.stderr}")
        (wheel,) = Path(download).glob("pylibmagic-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            lib.write_bytes(archive.read("pylibmagic/libmagic.so.1"))
            database.write_bytes(archive.read("pylibmagic/magic.mgc"))
    lib.chmod(0o755)
    return PYLIBMAGIC


def build(
    arch: str = DEFAULT_ARCH,
    python_version: str = TARGET_PYTHON,
    *,
    force: bool = False,
    libmagic_dir: Path | None = None,
    log=print,
) -> BuildResult:
    if arch not in ARCHITECTURES:
        raise BuildError(f"unknown architecture {arch!r}; choose one of {ARCHITECTURES}")
    destination = build_dir(arch, python_version)
    BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    # One build of a directory at a time (two test sessions, or `make layers` beside `make test`):
    # whoever waited finds the other's build up to date.
    with open(BUILD_ROOT / f".{destination.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build_locked(arch, python_version, destination, force, libmagic_dir, log)


def _build_locked(
    arch: str, python_version: str, destination: Path, force: bool, libmagic_dir: Path | None, log
) -> BuildResult:
    if problem := lock_problem():
        raise BuildError(problem)
    requirements = locked_requirements()
    wanted = inputs_hash(arch, python_version, requirements, libmagic_dir)
    manifest = read_manifest(arch, python_version)
    layers_present = all((destination / name / "python").is_dir() for name in LAYER_NAMES)
    if not force and manifest and manifest.get("hash") == wanted and layers_present:
        log(f"Layers for {arch} / Python {python_version} are up to date in {_shown(destination)}")
        _report(manifest, log)
        check_limit(manifest)
        return BuildResult(destination, manifest, skipped=True)

    log(f"Building the layers for {arch} / Python {python_version} into {_shown(destination)}")
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}-", dir=BUILD_ROOT))
    staging.chmod(0o755)  # mkdtemp makes it private; the layer directories are ordinary ones
    try:
        groups = split_requirements(requirements)
        layers: dict[str, dict] = {}
        for name in LAYER_NAMES:
            site = staging / name / "python"
            site.mkdir(parents=True)
            _pip_install(site, groups[name], arch, python_version, log)
            removed = prune(site, RUNTIME_PROVIDED if name == DEPS else frozenset())
            layers[name] = {"packages": _package_versions(site), "pruned": removed}
        libmagic_source = _add_libmagic(staging / DEPS, arch, libmagic_dir, log)
        (staging / DEPS / "share" / "misc" / "README").write_text(
            f"libmagic's database; the functions find it through MAGIC={MAGIC_FILE}.\n"
        )
        for name in LAYER_NAMES:
            layers[name]["bytes"] = tree_bytes(staging / name)
        code = function_code_bytes()
        manifest = {
            "hash": wanted,
            "arch": arch,
            "python_version": python_version,
            "requirements": sorted(requirements),
            "libmagic": libmagic_source,
            "magic_file": MAGIC_FILE,
            "function_code_bytes": code,
            "layers": layers,
            # The processor carries both layers: the largest unzipped deployment.
            "total_bytes": code + sum(layer["bytes"] for layer in layers.values()),
            "limit_bytes": LAMBDA_UNZIPPED_LIMIT_BYTES,
        }
        _report(manifest, log)
        check_limit(manifest)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        if destination.exists():
            shutil.rmtree(destination)
        staging.rename(destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(destination, manifest, skipped=False)


def test_tools_dir(arch: str = DEFAULT_ARCH, python_version: str = TARGET_PYTHON) -> Path:
    return BUILD_ROOT / f"test-tools-{arch}-py{python_version}"


def build_test_tools(pins: list[str], arch: str, python_version: str, log=print) -> Path:
    """What the layer test runs besides the layers (pytest, moto, the runtime's boto3, what they need),
    as wheels of exactly `pins` for `python_version`: compiled extensions (cffi's, PyYAML's) load only
    into their own Python, so the project's virtualenv cannot lend them to another one. Cached by pins."""
    destination = test_tools_dir(arch, python_version)
    listed = "\n".join(sorted(pins)) + "\n"
    BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    with open(BUILD_ROOT / f".{destination.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (destination / "pins.txt").is_file() and (destination / "pins.txt").read_text() == listed:
            return destination
        staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}-", dir=BUILD_ROOT))
        try:
            _pip_install(staging / "site", sorted(pins), arch, python_version, log)
            (staging / "pins.txt").write_text(listed)
            if destination.exists():
                shutil.rmtree(destination)
            staging.rename(destination)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return destination


def check_limit(manifest: dict) -> None:
    if manifest["total_bytes"] > LAMBDA_UNZIPPED_LIMIT_BYTES:
        raise BuildError(
            f"function code + layers = {_mb(manifest['total_bytes'])} unzipped, over Lambda's "
            f"{_mb(LAMBDA_UNZIPPED_LIMIT_BYTES)} limit"
        )


def _report(manifest: dict, log) -> None:
    for name, layer in manifest["layers"].items():
        log(f"  {name:<14} {_mb(layer['bytes']):>10}  ({len(layer['packages'])} distributions)")
    log(f"  {'function code':<14} {_mb(manifest['function_code_bytes']):>10}")
    log(
        f"  {'total':<14} {_mb(manifest['total_bytes']):>10}  of Lambda's "
        f"{_mb(LAMBDA_UNZIPPED_LIMIT_BYTES)} unzipped limit"
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m layers.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", choices=ARCHITECTURES, default=DEFAULT_ARCH)
    parser.add_argument(
        "--python-version",
        default=TARGET_PYTHON,
        help=f"the Python the wheels are for (default {TARGET_PYTHON}, the deployed runtime)",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even when the inputs are unchanged")
    parser.add_argument(
        "--lock", action="store_true", help="resolve pyproject.toml's runtime dependencies into requirements.lock"
    )
    parser.add_argument(
        "--libmagic-dir",
        type=Path,
        help="a directory with libmagic.so.1 and magic.mgc for the architecture (default: pylibmagic's wheel)",
    )
    args = parser.parse_args(argv)
    try:
        if args.lock:
            write_lock()
            return 0
        build(args.arch, args.python_version, force=args.force, libmagic_dir=args.libmagic_dir)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
