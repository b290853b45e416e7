"""The Lambda layers work on their own: the deployable layers, imported by CPython 3.12 with nothing else
on the path.

The layers are built (cached in layers/build/) from layers/requirements.lock for this machine's
architecture and Python 3.12, the functions' runtime: exactly what `make layers` builds for deployment
on this architecture. Then a bare CPython 3.12 virtualenv — no site-packages — runs with only the
layers' `python/` directories, the repository and a few test tools on its path, `LD_LIBRARY_PATH` on
the deps layer's `lib/` and `MAGIC` on its database, as Lambda does with /opt/python, /opt/lib and the
function's environment:

- a smoke script: both handlers import, every media library imports from the layer, libmagic is the
  layer's and names PNG bytes `image/png`, PyAV encodes and decodes a video, pypdf and pypdfium2 read
  and render a PDF, mutagen reads a WAV's duration;
- the processor's media test suite (tests/unit/processor): every file type checked and thumbnailed.

Where no CPython 3.12 is installed (on PATH, or under pyenv), the tests skip and say so.

The test tools (pytest, moto and their dependencies) and the runtime's own boto3/botocore come from
the project's virtualenv, linked one distribution at a time; no package a layer carries is linked.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess

import pytest

from layers import build as layer_build
from tests.infra.helpers import REPO_ROOT
from tests.infra.layer_env import ARCH, PYTHON, PYTHON_VERSION, tool_pins, unprepared_reason

pytestmark = pytest.mark.xdist_group("layers")

PROCESSOR_TESTS = REPO_ROOT / "tests" / "unit" / "processor"

SMOKE = r"""
import io, json, os, sys, wave

import PIL, av, magic, mutagen, pypdf, pypdfium2
from PIL import Image

roots = os.environ["LAYER_ROOTS"].split(os.pathsep)
result = {"modules": {m.__name__: m.__file__ for m in (PIL, av, magic, mutagen, pypdf, pypdfium2)}}
result["outside_layers"] = sorted(
    name for name, path in result["modules"].items() if not any(path.startswith(root) for root in roots)
)

png = io.BytesIO()
Image.new("RGB", (8, 6), "red").save(png, "PNG")
result["png_mime"] = magic.from_buffer(png.getvalue(), mime=True)
with open("/proc/self/maps") as maps:
    result["libmagic"] = sorted({line.split()[-1] for line in maps if "libmagic" in line})

video = io.BytesIO()
with av.open(video, "w", format="mp4") as container:
    stream = container.add_stream("mpeg4", rate=10)
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
    for index in range(20):
        frame = av.VideoFrame.from_image(Image.new("RGB", (64, 48), (index * 12, 0, 255 - index * 12)))
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
video.seek(0)
with av.open(video) as container:
    stream = container.streams.video[0]
    container.seek(int(1.0 / stream.time_base), stream=stream)
    frame = next(container.decode(stream))
    thumbnail = io.BytesIO()
    frame.to_image().save(thumbnail, "JPEG")
    result["video"] = {
        "width": stream.codec_context.width,
        "height": stream.codec_context.height,
        "duration": float(container.duration / av.time_base),
        "thumbnail_mime": magic.from_buffer(thumbnail.getvalue(), mime=True),
        "ffmpeg": av.library_versions["libavcodec"],
    }

document = io.BytesIO()
writer = pypdf.PdfWriter()
writer.add_blank_page(width=200, height=100)
writer.add_blank_page(width=200, height=100)
writer.write(document)
pages = len(pypdf.PdfReader(io.BytesIO(document.getvalue())).pages)
rendered = pypdfium2.PdfDocument(document.getvalue())[0].render(scale=1).to_pil()
result["pdf"] = {"pages": pages, "render_size": list(rendered.size), "mime": magic.from_buffer(document.getvalue(), mime=True)}

audio = io.BytesIO()
with wave.open(audio, "wb") as out:
    out.setnchannels(1); out.setsampwidth(2); out.setframerate(8000); out.writeframes(b"\0\0" * 12000)
audio.seek(0)
result["wav"] = {"duration": mutagen.File(audio).info.length, "mime": magic.from_buffer(audio.getvalue(), mime=True)}
import functions.api.handler, functions.processor.handler
result["handlers"] = [functions.api.handler.lambda_handler.__name__, functions.processor.handler.lambda_handler.__name__]
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def built_layers() -> dict:
    if PYTHON is None:
        pytest.skip(f"no CPython {PYTHON_VERSION} here (on PATH or under pyenv): the layers are built for it alone")
    if ARCH is None:
        pytest.skip(f"no Lambda architecture for this machine ({platform.machine()})")
    if reason := unprepared_reason():
        pytest.fail(f"{reason}: run `python -m tests.infra.layer_env` first (make test does)")
    return layer_build.read_manifest(ARCH, PYTHON_VERSION)


@pytest.fixture(scope="module")
def layer_env(built_layers: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A bare interpreter and the environment Lambda would give it: layers, code, lib, MAGIC."""
    root = tmp_path_factory.mktemp("layer-env")
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", "--symlinks", str(root / "venv")], check=True)
    tools, _ = tool_pins(built_layers)
    tools_dir = layer_build.test_tools_dir(ARCH, PYTHON_VERSION)
    deps = layer_build.layer_dir(layer_build.DEPS, ARCH, PYTHON_VERSION)
    ffmpeg = layer_build.layer_dir(layer_build.FFMPEG, ARCH, PYTHON_VERSION)
    layer_paths = [str(deps / "python"), str(ffmpeg / "python")]
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))
    }
    environment.update(
        {
            "PYTHONPATH": os.pathsep.join([*layer_paths, str(REPO_ROOT), str(tools_dir / "site")]),
            "LD_LIBRARY_PATH": str(deps / "lib"),
            "MAGIC": str(deps / layer_build.MAGIC_DB_RELATIVE),
            "LAYER_ROOTS": os.pathsep.join(layer_paths),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return {"python": str(root / "venv" / "bin" / "python"), "env": environment, "tools": tools, "deps": deps}


def test_the_layers_fit_lambdas_unzipped_limit(built_layers: dict) -> None:
    # given
    sizes = {name: layer["bytes"] for name, layer in built_layers["layers"].items()}

    # then
    print(f"\nlayer sizes for {ARCH} / Python {PYTHON_VERSION}: {sizes}, total {built_layers['total_bytes']}")
    locked = dict(pin.split("==") for pin in layer_build.locked_requirements())
    installed = {
        name: version for layer in built_layers["layers"].values() for name, version in layer["packages"].items()
    }
    assert built_layers["requirements"] == sorted(layer_build.locked_requirements())
    assert installed == {name: version for name, version in locked.items() if name not in layer_build.RUNTIME_PROVIDED}
    assert built_layers["total_bytes"] == built_layers["function_code_bytes"] + sum(sizes.values())
    assert built_layers["total_bytes"] <= layer_build.LAMBDA_UNZIPPED_LIMIT_BYTES
    assert not layer_build.RUNTIME_PROVIDED & set(built_layers["layers"]["deps"]["packages"])
    assert set(built_layers["layers"]["ffmpeg"]["packages"]) == {"av"}


def test_the_media_libraries_work_from_the_layers_alone(layer_env: dict) -> None:
    # given
    assert not {"pillow", "av", "pypdf", "pypdfium2", "mutagen", "python-magic"} & set(layer_env["tools"])

    # when
    run = subprocess.run(
        [layer_env["python"], "-c", SMOKE],
        env=layer_env["env"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    # then
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    assert result["outside_layers"] == []
    assert result["png_mime"] == "image/png"
    assert result["libmagic"] == [str((layer_env["deps"] / layer_build.LIBMAGIC_RELATIVE).resolve())]
    assert result["video"]["width"] == 64 and result["video"]["height"] == 48
    assert result["video"]["duration"] == pytest.approx(2.0, abs=0.2)
    assert result["video"]["thumbnail_mime"] == "image/jpeg"
    assert result["pdf"] == {"pages": 2, "render_size": [200, 100], "mime": "application/pdf"}
    assert result["wav"]["duration"] == pytest.approx(1.5, abs=0.01)
    assert result["wav"]["mime"] in ("audio/x-wav", "audio/wav")
    assert result["handlers"] == ["lambda_handler", "lambda_handler"]


@pytest.mark.skipif(
    not PROCESSOR_TESTS.is_dir(), reason="the processor's test suite (tests/unit/processor) is not there yet"
)
def test_the_processor_media_suite_passes_on_the_layers_alone(layer_env: dict) -> None:
    # when
    run = subprocess.run(
        [
            layer_env["python"],
            "-m",
            "pytest",
            str(PROCESSOR_TESTS.relative_to(REPO_ROOT)),
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        env=layer_env["env"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    # then
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert re.search(r"\d+ passed", run.stdout)
