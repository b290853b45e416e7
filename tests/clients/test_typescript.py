"""The TypeScript types generated from docs/openapi.json (clients/typescript): current, strict, and
enough for seed 002's own frontend code, compiled with `tsc --strict` (the compiler from npm, installed
by `npm ci --prefix clients/typescript`).

Seed 002's code blocks are read from the seed at test time when it is there (its "TypeScript Types",
the type guard example and the four "Frontend Workflow Examples"); the committed copies in
clients/typescript/check/ are what is compiled without it, and are checked to be verbatim when it is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TYPESCRIPT = REPO / "clients" / "typescript"
CHECK = TYPESCRIPT / "check"
BIN = TYPESCRIPT / "node_modules" / ".bin"
SEED_FOLDERS = [Path(os.environ.get("TROVE_SEEDS_DIR", "/nonexistent")), REPO.parent / "shared" / "seeds",
                Path("/work/shared/seeds")]  # fmt: skip

# The seed is a page's text without code fences: each block runs from its first line to the prose after it.
TYPES_BLOCKS = [("// Base asset fields", "Type Guard Example:")]
FRONTEND_BLOCKS = [
    ("function isVideoAsset", "Migration Guide"),
    ("async function uploadClientLogo", "2. Upload Campaign Video"),
    ("async function uploadCampaignVideo", "3. Display Client Assets Gallery"),
    ("async function loadClientAssets", "4. Display Campaign Video Gallery with Thumbnails"),
    ("async function loadCampaignVideos", "Notes"),
]
TSC_OPTIONS = ["--strict", "--noEmit", "--target", "es2022", "--lib", "es2022,dom", "--module", "esnext",
               "--moduleResolution", "bundler"]  # fmt: skip


def seed_002() -> str | None:
    for folder in SEED_FOLDERS:
        found = sorted(folder.glob("002_*.txt")) if folder.is_dir() else []
        if found:
            return found[0].read_text()
    return None


def blocks(text: str, markers: list[tuple[str, str]]) -> str:
    lines = text.splitlines()
    code = []
    for first, after in markers:
        start = next(number for number, line in enumerate(lines) if line.startswith(first))
        end = next(number for number in range(start, len(lines)) if lines[number].strip() == after)
        block = lines[start:end]
        while not block[-1].strip():
            block.pop()
        code.append("\n".join(block) + "\n")
    return "\n".join(code)


def seed_code() -> tuple[str, str]:
    """(the seed's interfaces, its frontend code): from the seed when found, else the committed copies."""
    text = seed_002()
    if text is None:
        return (CHECK / "seed-002-types.ts").read_text(), (CHECK / "seed-002-frontend.ts").read_text()
    return blocks(text, TYPES_BLOCKS), blocks(text, FRONTEND_BLOCKS)


def tsc(folder: Path, *files: str) -> subprocess.CompletedProcess:
    if not (BIN / "tsc").exists():
        pytest.fail("TypeScript is not installed: npm ci --prefix clients/typescript (make does it)")
    shutil.copy(TYPESCRIPT / "trove-api.d.ts", folder / "trove-api.d.ts")
    return subprocess.run(
        [BIN / "tsc", *TSC_OPTIONS, *files],
        check=False,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_seeds_frontend_code_compiles_strictly_against_the_generated_types(tmp_path):
    # given: the seed's type guard and workflow examples as written, after a prelude naming the API's types
    _, frontend = seed_code()
    (tmp_path / "frontend.ts").write_text((CHECK / "against-api.ts").read_text() + frontend)

    # when
    compiled = tsc(tmp_path, "frontend.ts")

    # then
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


def test_every_field_of_the_seeds_types_is_in_the_generated_types(tmp_path):
    # given
    types, _ = seed_code()
    (tmp_path / "compat.ts").write_text((CHECK / "compat.ts").read_text() + types)

    # when
    compiled = tsc(tmp_path, "compat.ts")

    # then
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


def test_the_types_are_strict_enough_to_refuse_a_wrong_field(tmp_path):
    # given: a video's field read from an audio asset
    _, frontend = seed_code()
    wrong = "export function width(a: Asset) {\n  if (a.type === 'audio') {\n    return a.width;\n  }\n}\n"
    (tmp_path / "wrong.ts").write_text((CHECK / "against-api.ts").read_text() + frontend + wrong)

    # when
    compiled = tsc(tmp_path, "wrong.ts")

    # then
    assert compiled.returncode != 0
    assert "Property 'width' does not exist" in compiled.stdout


def test_the_committed_copies_are_the_seeds_code_verbatim():
    # given
    text = seed_002()
    if text is None:
        pytest.skip("seed 002 is not on this machine (TROVE_SEEDS_DIR, ../shared/seeds)")

    # then
    assert (CHECK / "seed-002-types.ts").read_text() == blocks(text, TYPES_BLOCKS)
    assert (CHECK / "seed-002-frontend.ts").read_text() == blocks(text, FRONTEND_BLOCKS)


def test_the_committed_types_are_generated_from_the_current_openapi_document(tmp_path):
    # given
    if not (BIN / "openapi-typescript").exists():
        pytest.fail("openapi-typescript is not installed: npm ci --prefix clients/typescript (make does it)")

    # when
    subprocess.run([BIN / "openapi-typescript", REPO / "docs" / "openapi.json", "--output", tmp_path / "now.d.ts"],
                   cwd=TYPESCRIPT, check=True, capture_output=True, timeout=300)  # fmt: skip

    # then
    assert (tmp_path / "now.d.ts").read_text() == (TYPESCRIPT / "trove-api.d.ts").read_text(), (
        "clients/typescript/trove-api.d.ts is stale: npm run generate --prefix clients/typescript"
    )
