from __future__ import annotations

import shutil

import pytest

from tests.realworld.corpus import load, missing

TOOLS = ("exiftool", "ffprobe", "ffmpeg", "pdfinfo", "pdftoppm", "vips", "vipsthumbnail")


@pytest.fixture(scope="session")
def fetched_corpus() -> None:
    """The corpus in the cache and the independent tools on the PATH. Without them the tests fail, saying
    how to get them (`make test` installs and fetches both): a skip would let a run that checked no
    real-world file look green."""
    absent_tools = [tool for tool in TOOLS if shutil.which(tool) is None]
    if absent_tools:
        pytest.fail(
            f"REAL-WORLD CORPUS NOT CHECKED: {', '.join(absent_tools)} not installed "
            "(apt-get install ffmpeg libimage-exiftool-perl poppler-utils libvips-tools)"
        )
    _, entries = load()
    if absent := missing(entries):
        pytest.fail(
            f"REAL-WORLD CORPUS NOT CHECKED: {len(absent)} of {len(entries)} files not fetched "
            "(run: python -m tests.realworld.fetch)"
        )
