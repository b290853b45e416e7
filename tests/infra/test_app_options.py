"""The app's options, where the layers come from, and the layer build's own rules (no network)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match

from infra.app import context_arguments
from infra.constructs import layers as layers_construct
from infra.stack import StackOptions
from infra.stage import Stage
from layers import build as layer_build
from tests.infra.helpers import REPO_ROOT, TEST_CONTEXT, Synthesized, synthesize

pytestmark = pytest.mark.xdist_group("cdk")


def test_context_options_are_parsed_and_checked() -> None:
    # given
    app = cdk.App(
        context={
            "architecture": "arm64",
            "web_origins": "http://localhost:8000/, https://assets.example.com",
            "alarm_email": "ops@example.com",
            "cognito_threat_protection": "true",
        }
    )

    # when
    options = StackOptions.from_context(app.node)

    # then
    assert options == StackOptions(
        stage="dev",
        architecture="arm64",
        layer_source="auto",
        extra_web_origins=("http://localhost:8000", "https://assets.example.com"),
        alarm_email="ops@example.com",
        cognito_threat_protection=True,
    )
    with pytest.raises(ValueError, match="architecture"):
        StackOptions.from_context(cdk.App(context={"architecture": "sparc"}).node)


def test_a_context_key_given_its_old_name_fails_with_the_new_name() -> None:
    # given
    app = cdk.App(context={"trove:alarmEmail": "ops@example.com"})

    # when / then
    with pytest.raises(ValueError, match="trove:alarmEmail is now alarm_email"):
        StackOptions.from_context(app.node)


def test_the_app_takes_context_values_like_the_cdk_cli() -> None:
    # when
    context = context_arguments(["-c", "stage=prod", "--context", "web_origins=http://a,http://b"])

    # then
    assert context == {"stage": "prod", "web_origins": "http://a,http://b"}
    with pytest.raises(SystemExit):
        context_arguments(["-c", "stage"])


def test_cdk_json_runs_the_app_from_a_plain_shell(tmp_path: Path) -> None:
    # given: cdk.json's command, run the way the CDK CLI runs it: from the repository, no virtualenv
    # activated (only the system's PATH), the context and the output directory in the environment
    command = shlex.split(json.loads((REPO_ROOT / "cdk.json").read_text())["app"])
    environment = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "CDK_OUTDIR": str(tmp_path),
        "CDK_CONTEXT_JSON": json.dumps(TEST_CONTEXT),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }

    # when
    result = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=False)

    # then
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.glob("*.template.json")), sorted(path.name for path in tmp_path.iterdir())


def test_built_layers_are_required_when_deploying_from_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: cdk.json asks for built layers, and none are built
    monkeypatch.setattr(layer_build, "stale_reason", lambda arch: f"no layers built for {arch}")
    stack = cdk.Stack(cdk.App(), "LayersOnly")

    # when / then
    with pytest.raises(layers_construct.LayerSourceError, match="make layers"):
        layers_construct.Layers(stack, "Layers", stage=Stage(), architecture="x86_64", source="built")


def test_auto_falls_back_to_placeholders_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setattr(layer_build, "stale_reason", lambda arch: f"no layers built for {arch}")
    stack = cdk.Stack(cdk.App(), "LayersOnly")

    # when
    built = layers_construct.Layers(stack, "Layers", stage=Stage(), architecture="x86_64", source="auto")

    # then
    assert built.placeholder
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp(".*make layers.*"))
    assert len(warnings) == 1


def test_av_goes_to_the_ffmpeg_layer_and_everything_else_to_the_deps_layer() -> None:
    # given
    requirements = ["aws-lambda-powertools[tracer]>=3.20", "av>=14", "Pillow>=11", "python_magic>=0.4.27"]

    # when
    groups = layer_build.split_requirements(requirements)

    # then
    assert groups == {
        "deps": ["aws-lambda-powertools[tracer]>=3.20", "Pillow>=11", "python_magic>=0.4.27"],
        "ffmpeg": ["av>=14"],
    }
    assert layer_build.distribution_name("aws-lambda-powertools[tracer]>=3.20") == "aws-lambda-powertools"


@pytest.mark.parametrize(("arch", "machine"), [("x86_64", "x86_64"), ("arm64", "aarch64")])
def test_pip_is_asked_for_manylinux_wheels_of_the_target_python(arch: str, machine: str) -> None:
    # when
    args = layer_build.platform_args(arch, "3.12")

    # then
    platforms = [args[i + 1] for i, arg in enumerate(args) if arg == "--platform"]
    assert f"manylinux_2_28_{machine}" in platforms and f"manylinux2014_{machine}" in platforms
    assert "--only-binary=:all:" in args
    assert args[args.index("--python-version") + 1] == "3.12"
    assert [args[i + 1] for i, arg in enumerate(args) if arg == "--abi"] == ["cp312", "abi3", "none"]


def test_pruning_removes_what_the_runtime_has_and_what_nothing_imports(tmp_path: Path) -> None:
    # given: a --target directory with botocore (from the runtime) and pydantic (ours)
    site = tmp_path / "python"
    for package, distribution in (("botocore", "botocore-1.0"), ("pydantic", "pydantic-2.0")):
        (site / package / "__pycache__").mkdir(parents=True)
        (site / package / "__init__.py").write_text("")
        (site / package / "__pycache__" / "x.cpython-312.pyc").write_bytes(b"")
        (site / package / "tests").mkdir()
        info = site / f"{distribution}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Name: {package}\nVersion: 1\n")
        (info / "RECORD").write_text(f"{package}/__init__.py,,\n{distribution}.dist-info/METADATA,,\n")
    (site / "bin").mkdir()

    # when
    removed = layer_build.prune(site, frozenset({"botocore"}))

    # then
    assert removed == ["botocore"]
    assert sorted(path.relative_to(site).as_posix() for path in site.rglob("*")) == [
        "pydantic",
        "pydantic-2.0.dist-info",
        "pydantic-2.0.dist-info/METADATA",
        "pydantic/__init__.py",
    ]


def test_the_cache_key_changes_with_architecture_python_and_requirements() -> None:
    # given
    base = layer_build.inputs_hash("x86_64", "3.12", ["pillow>=11"], None)

    # then
    assert base == layer_build.inputs_hash("x86_64", "3.12", ["pillow>=11"], None)
    assert base != layer_build.inputs_hash("arm64", "3.12", ["pillow>=11"], None)
    assert base != layer_build.inputs_hash("x86_64", "3.11", ["pillow>=11"], None)
    assert base != layer_build.inputs_hash("x86_64", "3.12", ["pillow>=12"], None)


def test_layers_over_lambdas_limit_fail_the_build() -> None:
    # given
    manifest = {"total_bytes": layer_build.LAMBDA_UNZIPPED_LIMIT_BYTES + 1}

    # when / then
    with pytest.raises(layer_build.BuildError, match="over Lambda's 250.0 MB limit"):
        layer_build.check_limit(manifest)


def test_the_lock_pins_every_runtime_requirement_within_its_bounds() -> None:
    # given
    from packaging.requirements import Requirement

    pins = dict(pin.split("==") for pin in layer_build.locked_requirements())

    # then: the lock was resolved from today's pyproject.toml and constraints, and honours both
    assert layer_build.lock_problem() is None
    assert all(pin.count("==") == 1 for pin in layer_build.locked_requirements())
    for line in [*layer_build.runtime_requirements(), *layer_build.constraints()]:
        requirement = Requirement(line)
        name = layer_build.distribution_name(requirement.name)
        assert name in pins, f"{name} is not in the lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (line, pins[name])


def test_a_changed_requirement_makes_the_lock_stale() -> None:
    # given
    changed = [*layer_build.runtime_requirements(), "rich>=13"]

    # when
    problem = layer_build.lock_problem(requirements=changed)

    # then
    assert problem is not None and "python -m layers.build --lock" in problem


@pytest.mark.parametrize(("arch", "machine"), [("arm64", "aarch64"), ("x86_64", "x86_64")])
def test_the_lock_is_resolved_for_cp312_manylinux_of_each_architecture(arch: str, machine: str) -> None:
    # when
    command = layer_build.lock_command(arch)

    # then
    assert command[:3] == ["uv", "pip", "compile"]
    assert command[command.index("--python-version") + 1] == "3.12"
    assert command[command.index("--python-platform") + 1] == f"{machine}-manylinux_2_28"
    assert command[command.index("--constraint") + 1] == str(layer_build.CONSTRAINTS)


@pytest.mark.parametrize(("arch", "machine"), [("arm64", "aarch64"), ("x86_64", "x86_64")])
def test_the_build_plan_fetches_every_wheel_and_libmagic_for_the_chosen_architecture(
    arch: str, machine: str, tmp_path: Path
) -> None:
    # when: the commands the build runs (no network here)
    install = layer_build.install_command(tmp_path, ["pillow>=11"], arch, "3.12")
    download = layer_build.libmagic_download_command(arch, tmp_path)

    # then
    platforms = [install[i + 1] for i, arg in enumerate(install) if arg == "--platform"]
    assert platforms and all(platform.endswith(f"_{machine}") for platform in platforms)
    assert install[install.index("--target") + 1] == str(tmp_path) and install[-1] == "pillow>=11"
    assert "--no-deps" in install  # the lock lists every distribution
    assert download[download.index("--platform") + 1] == f"manylinux2014_{machine}"
    assert layer_build.PYLIBMAGIC in download and "--no-deps" in download


def test_arm64_is_the_default_and_x86_64_selectable(synthesized: Synthesized, tmp_path: Path) -> None:
    # given
    x86 = synthesize(tmp_path, {"architecture": "x86_64"})

    # then: our functions and both layers follow the architecture (CDK's own handlers are its business)
    for each, expected in ((synthesized, "arm64"), (x86, "x86_64")):
        stack = each.stack
        resources = each.json["Resources"]
        for handler in (stack.api.handler, stack.processing.handler, stack.sweep.handler):
            assert resources[each.logical_id(handler.function)]["Properties"]["Architectures"] == [expected]
        for layer in (stack.layers.deps, stack.layers.ffmpeg):
            assert resources[each.logical_id(layer)]["Properties"]["CompatibleArchitectures"] == [expected]
    assert x86.validation_error is None


def test_synth_and_layers_need_only_the_virtualenv() -> None:
    # given
    makefile = (REPO_ROOT / "Makefile").read_text()

    # when
    prerequisites = {
        target: line.split(":", 1)[1].split()
        for line in makefile.splitlines()
        for target in ("synth", "layers")
        if line.startswith(f"{target}:")
    }

    # then: no Chromium, no root (setup's Debian packages) behind either target
    assert prerequisites == {"synth": ["$(STAMP)"], "layers": ["$(STAMP)"]}
