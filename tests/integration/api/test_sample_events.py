"""The sample events in events/api replay through the handler with the answers they document."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import EVENTS, LambdaContext

SAMPLE_ASSET_ID = "3f6c2a1e-8b4d-4f1a-9c7e-2d5b8a6f4e10"
EXPECTED_STATUS = {
    "list_assets.json": 200,
    "create_upload.json": 201,
    "create_link.json": 201,
    "get_asset_file.json": 302,
    "get_asset_json.json": 200,
    "get_thumbnail.json": 302,
    "patch_asset.json": 200,
    "delete_asset.json": 200,
    "get_openapi.json": 200,
}


def test_every_sample_event_is_listed_here():
    assert sorted(path.name for path in (EVENTS / "api").glob("*.json")) == sorted(EXPECTED_STATUS)


@pytest.mark.parametrize(("name", "status"), EXPECTED_STATUS.items())
def test_sample_event_replays(aws, make_ready, name, status):
    # given: the sample's owner has the asset the sample events name
    from functions.api.handler import lambda_handler
    from functions.core.models import AssetModel, now

    moment = now()
    AssetModel(
        SAMPLE_ASSET_ID, owner="user-a", asset_type="image", name="logo.png", format="png",
        content_type="image/png", size=51200, uploaded_at=moment, created_at=moment, updated_at=moment,
    ).save()
    make_ready(SAMPLE_ASSET_ID, width=800, height=600)
    event = json.loads((EVENTS / "api" / name).read_text())

    # when
    response = lambda_handler(event, LambdaContext())

    # then
    assert response["statusCode"] == status, response.get("body")
