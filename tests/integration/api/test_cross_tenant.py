"""User B on each of user A's assets, on every route: 403 or 404, and never a byte or a URL of A's."""

from __future__ import annotations

import pytest

ROUTES = [
    ("GET", "", None, {"Accept": "application/json"}),
    ("GET", "", None, {"Accept": "*/*"}),
    ("GET", "/thumbnail", None, None),
    ("PATCH", "", {"name": "mine now"}, None),
    ("PATCH", "", {"clientId": "b-client"}, None),
    ("DELETE", "", None, None),
]


@pytest.fixture
def a_ready_asset(upload, make_ready) -> dict:
    asset = upload(user="user-a", clientId="shared-client", campaignId="shared-campaign", tags=["shared"])
    make_ready(asset["id"])
    return asset


@pytest.mark.parametrize(("method", "suffix", "body", "headers"), ROUTES)
def test_b_cannot_reach_a_asset_on_any_route(api, a_ready_asset, method, suffix, body, headers):
    # when
    response = api(method, f"/api/v2/assets/{a_ready_asset['id']}{suffix}", user="user-b", body=body, headers=headers)

    # then
    assert response.status == 403
    assert "permission" in response.json()["detail"]
    assert "location" not in response.headers
    assert a_ready_asset["id"] not in response.body.replace(f"/{a_ready_asset['id']}", "")


def test_b_changes_nothing_of_a(api, a_ready_asset):
    # given
    for method, suffix, body, headers in ROUTES:
        api(method, f"/api/v2/assets/{a_ready_asset['id']}{suffix}", user="user-b", body=body, headers=headers)

    # when
    after = api("GET", f"/api/v2/assets/{a_ready_asset['id']}", user="user-a", headers={"Accept": "application/json"})

    # then
    assert after.status == 200
    assert after.json() == {**a_ready_asset, "status": "ready"}


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"clientId": "shared-client"},
        {"campaignId": "shared-campaign"},
        {"asset_type": "image"},
        {"tag": "shared"},
        {"clientId": "shared-client", "asset_type": "image"},
    ],
)
def test_b_lists_never_contain_a_assets(api, a_ready_asset, upload, query):
    # given
    own = upload(user="user-b", clientId="shared-client", campaignId="shared-campaign", tags=["shared"])

    # when
    listed = api("GET", "/api/v2/assets", user="user-b", query=query).json()

    # then
    assert [asset["id"] for asset in listed] == [own["id"]]


def test_a_cursor_from_a_page_of_a_only_moves_within_b_own_assets(api, upload):
    # given
    a_ids = [upload(user="user-a")["id"] for _ in range(3)]
    b_ids = [upload(user="user-b")["id"] for _ in range(2)]
    a_cursor = api("GET", "/api/v2/assets", user="user-a", query={"limit": "1"}).headers["x-next-cursor"]

    # when
    listed = api("GET", "/api/v2/assets", user="user-b", query={"cursor": a_cursor}).json()

    # then
    assert {asset["id"] for asset in listed} <= set(b_ids)
    assert not {asset["id"] for asset in listed} & set(a_ids)
