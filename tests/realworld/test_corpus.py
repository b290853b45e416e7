"""Trove's inspection of files written by real cameras, phones, encoders and authoring tools, held
against independent tools (check.py says what is compared and how closely)."""

from __future__ import annotations

import pytest

from functions.core.media import MEDIA_FORMATS
from tests.realworld.check import check
from tests.realworld.corpus import Entry, load

_, ENTRIES = load()


@pytest.mark.usefixtures("fetched_corpus")
@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_trove_sees_what_the_independent_tools_see(entry: Entry) -> None:
    # given a real-world file (entry.why says what it is)
    # when Trove inspects it as an upload declared by its extension
    outcome = check(entry)
    # then its status, size, duration, pages and thumbnail agree with the tools'
    assert outcome.mismatches == [], f"{entry.name} ({entry.why}): " + "; ".join(outcome.mismatches)


def test_every_allowed_format_has_five_real_files_with_provenance() -> None:
    # given the manifest
    # when its files are counted by format
    counts = {media.format: 0 for media in MEDIA_FORMATS}
    for entry in ENTRIES:
        counts[entry.format] += 1
    # then each allowed format has at least five, each pinned to a package path and a sha256
    assert {name: count for name, count in counts.items() if count < 5} == {}
    assert len({entry.name for entry in ENTRIES}) == len(ENTRIES)
    unpinned = [entry.name for entry in ENTRIES if len(entry.sha256) != 64 or not entry.why or not entry.path]
    assert unpinned == []
    assert {entry.expect for entry in ENTRIES} <= {"ready", "failed", "rejected"}
