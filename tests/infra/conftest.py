"""The CDK stack, synthesized once per test session (with cdk-nag): the `synthesized` fixture.

The synth uses placeholder layers (`layer_source=placeholder`): offline, fast, and the same
template as with built layers except for the layer assets' hashes.
"""

from __future__ import annotations

import os

# Before anything starts jsii's node process: node 20 is end-of-life for CDK and says so loudly.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import pytest

from tests.infra.helpers import Synthesized, synthesize


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The default stage, `dev`."""
    return synthesize(tmp_path_factory.mktemp("cdk.out"))


@pytest.fixture(scope="session")
def synthesized_minimal(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """What can be turned off is: no WAF (so no edge stack), nobody notified of the alarms."""
    context = {"alarm_email": None, "alarms": "off", "waf": "off"}
    return synthesize(tmp_path_factory.mktemp("cdk.out.minimal"), context)


@pytest.fixture(scope="session")
def synthesized_prod(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk.out.prod"), {"stage": "prod"})
