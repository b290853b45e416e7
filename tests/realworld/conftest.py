from __future__ import annotations

import shutil

import pytest

from tests.realworld.corpus import load, missing

TOOLS = ("exiftool", "ffprobe", "ffmpeg", "pdfinfo", "pdftoppm", "vips", "vipsthumbnail")


@pytest.fixture(scope="session")
def fetched_corpus() -> None:
    """The corpus in the cache and the independent tools on the PATH, or a skip that says how to get them."""
    absent_tools = [tool for tool in TOOLS if shutil.which(tool) is None]
    if absent_tools:
        pytest.skip(
            f"REAL-WORLD CORPUS NOT CHECKED: {', '.join(absent_tools)} not installed "
            "(apt-get install ffmpeg libimage-exiftool-perl poppler-utils libvips-tools)"
        )
    _, entries = load()
    if absent := missing(entries):
        pytest.skip(
            f"REAL-WORLD CORPUS NOT CHECKED: {len(absent)} of {len(entries)} files not fetched "
            "(run: python -m tests.realworld.fetch)"
        )
