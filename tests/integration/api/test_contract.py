"""The JSON of each asset type has exactly seed 002's TypeScript fields, plus Trove's documented few."""

from __future__ import annotations

import pytest

# Seed 002, "TypeScript Types", field for field.
SEED_BASE = {"id", "userId", "clientId", "campaignId", "name", "url", "size", "uploadedAt", "tags", "format"}
SEED_FIELDS = {
    "image": SEED_BASE | {"type", "width", "height"},
    "video": SEED_BASE | {"type", "width", "height", "duration", "thumbnailUrl"},
    "audio": SEED_BASE | {"type", "duration", "waveformUrl"},
    "document": SEED_BASE | {"type", "pageCount", "thumbnailUrl"},
}
# docs/decisions.md: processing state, and seed 000's text and links; docs/api.md: content identity.
TROVE_FIELDS = {"status", "statusReason", "description", "projectId", "todoId", "sha256", "placeholder"}
SEED_NULLABLE = {"userId", "clientId", "campaignId", "size", "tags", "thumbnailUrl", "waveformUrl", "pageCount"}

READY = {
    "image": ("png", {"width": 800, "height": 600}),
    "video": ("mp4", {"width": 1920, "height": 1080, "duration": 30.0}),
    "audio": ("mp3", {"duration": 60.0}),
    "document": ("pdf", {"page_count": 12}),
}


@pytest.mark.parametrize("asset_type", list(SEED_FIELDS))
def test_a_ready_asset_has_exactly_the_seed_fields_for_its_type(api, upload, make_ready, asset_type):
    # given
    file_format, metadata = READY[asset_type]
    asset = upload(type=asset_type, format=file_format, name=f"x.{file_format}")
    make_ready(asset["id"], thumbnail=asset_type != "audio", **metadata)

    # when
    shown = api("GET", f"/api/v2/assets/{asset['id']}", headers={"Accept": "application/json"}).json()

    # then
    assert set(shown) == SEED_FIELDS[asset_type] | TROVE_FIELDS
    assert shown["type"] == asset_type and shown["format"] == file_format
    assert shown["url"] == f"https://api.example.com/api/v2/assets/{asset['id']}"
    for field, value in metadata.items():
        camel = {"page_count": "pageCount"}.get(field, field)
        assert shown[camel] == value
    if "thumbnailUrl" in shown:
        assert shown["thumbnailUrl"] == f"https://api.example.com/api/v2/assets/{asset['id']}/thumbnail"
    if "waveformUrl" in shown:
        assert shown["waveformUrl"] is None
    non_null = {field for field in SEED_FIELDS[asset_type] if field not in SEED_NULLABLE}
    assert all(shown[field] is not None for field in non_null), {f: shown[f] for f in non_null}
    assert shown["uploadedAt"].endswith("Z") and len(shown["uploadedAt"]) == len("2025-11-16T19:43:00Z")


def test_a_document_without_a_thumbnail_has_null_thumbnail_url_as_the_seed_allows(api, upload, make_ready):
    # given
    asset = upload(type="document", format="pdf", name="brand_guidelines.pdf")
    make_ready(asset["id"], thumbnail=False)

    # when
    shown = api("GET", f"/api/v2/assets/{asset['id']}", headers={"Accept": "application/json"}).json()

    # then
    assert shown["thumbnailUrl"] is None and shown["pageCount"] is None


def test_a_link_asset_has_the_base_fields_and_its_reference_url(api):
    # when
    link = api("POST", "/api/v2/assets", body={"name": "Docs", "url": "https://example.com/docs"}).json()

    # then
    assert set(link) == SEED_BASE | {"type"} | TROVE_FIELDS
    assert (link["type"], link["url"], link["size"]) == ("link", "https://example.com/docs", None)


def test_lists_use_the_same_shapes(api, upload):
    # given
    upload(type="audio", format="wav", name="voiceover.wav")

    # when
    listed = api("GET", "/api/v2/assets").json()

    # then
    assert set(listed[0]) == SEED_FIELDS["audio"] | TROVE_FIELDS
