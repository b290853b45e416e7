"""Every list filter is one Query on an owner-scoped index: no Scan, no per-item reads."""

from __future__ import annotations

import pytest

FILTERS = [
    ({}, "byOwner"),
    ({"clientId": "c1"}, "byOwnerClient"),
    ({"campaignId": "k1"}, "byOwnerCampaign"),
    ({"projectId": "p1"}, "byOwnerProject"),
    ({"todoId": "t1"}, "byOwnerTodo"),
    ({"asset_type": "image"}, "byOwnerType"),
    ({"tag": "brand"}, "byOwner"),
    ({"clientId": "c1", "campaignId": "k1", "asset_type": "image", "tag": "brand"}, "byOwnerClient"),
]


@pytest.mark.parametrize(("query", "index"), FILTERS)
def test_each_filter_is_a_query_on_its_index_and_never_a_scan(api, upload, dynamodb_calls, query, index):
    # given
    for _ in range(3):
        upload(clientId="c1", campaignId="k1", projectId="p1", todoId="t1", tags=["brand"])
    dynamodb_calls.clear()

    # when
    response = api("GET", "/api/v2/assets", query=query)

    # then
    assert response.status == 200 and len(response.json()) == 3
    operations = [name for name, _ in dynamodb_calls]
    assert "Scan" not in operations
    assert operations == ["Query"]
    assert dynamodb_calls[0][1]["IndexName"] == index
    assert dynamodb_calls[0][1]["ScanIndexForward"] is False


def test_a_page_of_100_assets_is_one_query(api, dynamodb_calls):
    # given
    from functions.core.assets import create_link
    from functions.core.identity import Identity
    from functions.core.schemas import LinkCreate

    for number in range(120):
        create_link(Identity("user-a"), LinkCreate(name=f"link {number}", url="https://example.com"))
    dynamodb_calls.clear()

    # when
    response = api("GET", "/api/v2/assets", query={"limit": "100"})

    # then
    assert len(response.json()) == 100
    assert [name for name, _ in dynamodb_calls] == ["Query"]
    assert "x-next-cursor" in response.headers
