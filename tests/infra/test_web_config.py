"""config.json: one set of key names, declared in the topology, written by both stacks, read by the page."""

from __future__ import annotations

import re

import pytest

from functions.core import topology
from infra.local import front
from tests.infra.helpers import REPO_ROOT

AUTH_JS = REPO_ROOT / "web" / "js" / "auth.js"
COGNITO = {"region": "eu-west-1", "user_pool_id": "eu-west-1_AbC", "user_pool_client_id": "client"}


def _keys_the_page_reads() -> set[str]:
    """The keys `loadConfig` in web/js/auth.js takes from the parsed config.json (`raw.<key>`)."""
    source = AUTH_JS.read_text()
    body = source[source.index("export async function loadConfig") :]
    body = body[: body.index("\n}\n")]
    return set(re.findall(r"\braw\??\.(\w+)", body))


def test_the_local_stack_serves_the_topologys_local_config() -> None:
    # then
    assert front.WEB_CONFIG == topology.web_config(api_base="", auth=topology.WEB_AUTH_LOCAL)
    assert front.WEB_CONFIG == {"apiBase": "", "auth": "local"}


def test_the_page_reads_exactly_the_keys_the_stacks_write() -> None:
    # given
    local = topology.web_config(api_base="", auth=topology.WEB_AUTH_LOCAL)
    cognito = topology.web_config(api_base="", auth=topology.WEB_AUTH_COGNITO, **COGNITO)

    # when
    read = _keys_the_page_reads()

    # then
    assert (
        read == set(local) | set(cognito) == {"apiBase", "auth", "region", "userPoolId", "userPoolClientId"}
    )
    for old_spelling in ("apiBaseUrl", "authMode", "clientId"):
        assert old_spelling not in read


@pytest.mark.parametrize("missing", sorted(COGNITO))
def test_a_cognito_config_needs_the_pool_and_its_client(missing: str) -> None:
    # given
    partial = {key: value for key, value in COGNITO.items() if key != missing}

    # when / then
    with pytest.raises(ValueError, match="Cognito"):
        topology.web_config(api_base="", auth=topology.WEB_AUTH_COGNITO, **partial)
