"""The deps and FFmpeg Lambda layers, from the directories `make layers` builds.

Where the layers come from is the `layer_source` context value:

- `built`: the directories of `layers/build/<arch>/`; synth fails when they are missing or stale.
  `cdk.json` sets this, so `npx aws-cdk@2 deploy` never ships an empty layer.
- `placeholder`: tiny stand-in directories (a README), so the stack synthesizes without a layer build
  (the template tests use this: offline and fast).
- `auto` (default, `make synth`): the built layers when they are up to date, else the placeholders
  with a warning on the stack.
"""

from __future__ import annotations

import sys
from pathlib import Path

from aws_cdk import Annotations
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constructs.function import ARCHITECTURES, RUNTIME
from infra.stage import Stage
from layers import build as layer_build

SOURCES = ("auto", "built", "placeholder")
PLACEHOLDER_ROOT = layer_build.BUILD_ROOT / "placeholder"
# libmagic's database inside the deps layer: the functions get it as MAGIC.
MAGIC_FILE = layer_build.MAGIC_FILE

_DESCRIPTIONS = {
    layer_build.DEPS: "Trove runtime dependencies (pyproject.toml minus av and the runtime's boto3) and libmagic",
    layer_build.FFMPEG: "PyAV with the FFmpeg libraries of its manylinux wheel",
}


class LayerSourceError(RuntimeError):
    """The built layers were required and are not there (or are stale)."""


def placeholder_dir(name: str) -> Path:
    directory = PLACEHOLDER_ROOT / name
    readme = directory / "README.md"
    if not readme.exists():
        directory.mkdir(parents=True, exist_ok=True)
        readme.write_text(
            f"# Placeholder for the {name} layer\n\nThe layers were not built when this stack was "
            "synthesized. Run `make layers` and synthesize again before deploying.\n"
        )
    return directory


class Layers(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, stage: Stage, architecture: str, source: str
    ) -> None:
        super().__init__(scope, construct_id)
        if source not in SOURCES:
            raise ValueError(f"layer_source must be one of {SOURCES}, not {source!r}")
        problem = None if source == "placeholder" else layer_build.stale_reason(architecture)
        if problem and source == "built":
            raise LayerSourceError(
                f"{problem}: run `make layers` (python -m layers.build --arch {architecture})"
            )
        self.placeholder = source == "placeholder" or problem is not None
        if problem:
            message = f"{problem}; placeholder layers used. Run `make layers` before deploying."
            Annotations.of(self).add_warning_v2("trove:layers-placeholder", message)
            print(f"warning: {message}", file=sys.stderr)
        self.deps = self._layer("Deps", layer_build.DEPS, stage, architecture)
        self.ffmpeg = self._layer("FFmpeg", layer_build.FFMPEG, stage, architecture)

    def _layer(self, construct_id: str, name: str, stage: Stage, architecture: str) -> lambda_.LayerVersion:
        directory = placeholder_dir(name) if self.placeholder else layer_build.layer_dir(name, architecture)
        return lambda_.LayerVersion(
            self,
            construct_id,
            layer_version_name=stage.resource_name(f"trove-{name}"),
            code=lambda_.Code.from_asset(str(directory)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURES[architecture]],
            description=_DESCRIPTIONS[name],
        )
