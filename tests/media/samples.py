"""Files of the media test corpus (generate.py) as the local stack's clients upload them."""

from __future__ import annotations

from infra.local.harness import Sample
from tests.media.generate import SAMPLES


def corpus_sample(name: str) -> Sample:
    """`name` from the corpus, declared by its extension (so `text.png` is declared image/png)."""
    return Sample.declared(name, SAMPLES[name]())
