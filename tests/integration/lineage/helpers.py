"""Small readers for the lineage tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.integration.conftest import Api


def trove(asset: dict) -> str:
    return f"trove://asset/{asset['id']}"


def usages_of(api: Api, asset: dict, user: str = "user-a") -> list[dict]:
    response = api("GET", f"/api/v2/assets/{asset['id']}/usages", user=user)
    assert response.status == 200, response.body
    return response.json()


def used_by(api: Api, path: str, user: str = "user-a", **query: str) -> list[dict]:
    response = api("GET", "/api/v2/usages", user=user, query={"path": path, **query})
    assert response.status == 200, response.body
    return response.json()


def brief(usages: list[dict]) -> list[tuple[str, str, str, str]]:
    """(consumer, asset URI, mode, source) of each usage: what most tests compare."""
    return [(f"{u['consumerKind']}:{u['consumerPath']}", u["assetUri"], u["mode"], u["source"]) for u in usages]
