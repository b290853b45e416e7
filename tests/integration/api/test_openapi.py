"""The OpenAPI document: generated from the routes, served without a token, and committed up to date."""

from __future__ import annotations

import json
from pathlib import Path

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_is_served_without_a_token(api):
    # when
    response = api("GET", "/api/openapi.json", user=None)

    # then
    assert response.status == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v2/uploads", "/api/v2/assets", "/api/v2/assets/{asset_id}", "/api/v2/assets/{asset_id}/thumbnail"} <= set(
        document["paths"]
    )
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_documents_the_discriminated_asset_union(api):
    # when
    schemas = api("GET", "/api/openapi.json", user=None).json()["components"]["schemas"]

    # then
    assert {"ImageAsset", "VideoAsset", "AudioAsset", "DocumentAsset", "LinkAsset", "UploadRequest"} <= set(schemas)
    assert schemas["VideoAsset"]["properties"]["thumbnailUrl"]
    assert "width" in schemas["ImageAsset"]["required"]


def test_the_committed_document_is_the_generated_one(api):
    # given
    served = api("GET", "/api/openapi.json", user=None).json()

    # then: `make openapi` regenerates docs/openapi.json
    assert json.loads(COMMITTED.read_text()) == served, "docs/openapi.json is stale: run `make openapi`"
