"""/api/v2/assets: list, read, redirect, thumbnail, PATCH, link assets and DELETE."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from functions.core import storage

MISSING_ID = "0b5c1f7e-9a3d-4c4e-8f55-2b1d6a7c9e01"


def ids(response) -> list[str]:
    return [asset["id"] for asset in response.json()]


# ---- list ----


def test_lists_only_the_callers_assets_newest_first(api, upload):
    # given
    first, second = upload(name="first"), upload(name="second")
    upload(user="user-b")

    # when
    response = api("GET", "/api/v2/assets")

    # then
    assert response.status == 200
    assert ids(response) == [second["id"], first["id"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"clientId": "c1"}, ["image-c1", "video-c1-k1"]),
        ({"campaignId": "k1"}, ["video-c1-k1", "pdf-k1-p7"]),
        ({"projectId": "7"}, ["pdf-k1-p7"]),
        ({"todoId": "15"}, ["audio-t15"]),
        ({"asset_type": "video"}, ["video-c1-k1"]),
        ({"clientId": "c1", "asset_type": "image"}, ["image-c1"]),
        ({"campaignId": "k1", "asset_type": "document"}, ["pdf-k1-p7"]),
        ({"tag": "brand"}, ["image-c1", "pdf-k1-p7"]),
        ({"clientId": "c1", "campaignId": "k1"}, ["video-c1-k1"]),
        ({"clientId": "nobody"}, []),
    ],
)
def test_every_filter(api, upload, query, expected):
    # given
    upload(name="image-c1", clientId="c1", tags=["brand"])
    upload(name="video-c1-k1", type="video", format="mp4", clientId="c1", campaignId="k1")
    upload(name="pdf-k1-p7", type="document", format="pdf", campaignId="k1", projectId="7", tags=["brand", "print"])
    upload(name="audio-t15", type="audio", format="mp3", todoId="15")
    upload(user="user-b", name="image-c1", clientId="c1", tags=["brand"])

    # when
    response = api("GET", "/api/v2/assets", query=query)

    # then
    assert response.status == 200
    assert sorted(asset["name"] for asset in response.json()) == sorted(expected)


def test_limit_offset_and_cursor_page_through_everything_once(api, upload):
    # given
    created = [upload(name=f"a{number}")["id"] for number in range(7)]
    newest_first = list(reversed(created))

    # when
    default = api("GET", "/api/v2/assets")
    window = api("GET", "/api/v2/assets", query={"limit": "2", "offset": "3"})
    pages, cursor = [], None
    while True:
        query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = api("GET", "/api/v2/assets", query=query)
        pages.append(ids(page))
        cursor = page.headers.get("x-next-cursor")
        if not cursor:
            break

    # then
    assert ids(default) == newest_first
    assert ids(window) == newest_first[3:5]
    assert pages == [newest_first[0:3], newest_first[3:6], newest_first[6:7]]


@pytest.mark.parametrize(
    ("query", "detail_part"),
    [
        ({"limit": "101"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"asset_type": "spreadsheet"}, "asset_type"),
        ({"cursor": "bm90LWEta2V5"}, "Invalid cursor"),
        ({"clientId": "x" * 200}, "clientId"),
    ],
)
def test_bad_list_parameters_are_400(api, query, detail_part):
    # when
    response = api("GET", "/api/v2/assets", query=query)

    # then
    assert response.status == 400
    assert detail_part in response.json()["detail"]


# ---- read ----


def test_json_record_with_accept_json(api, upload):
    # given
    asset = upload(name="logo.png", clientId="client-uuid-123")

    # when
    response = api("GET", f"/api/v2/assets/{asset['id']}", headers={"Accept": "application/json"})

    # then
    assert response.status == 200
    assert response.json() == asset


def test_a_ready_file_redirects_to_a_short_lived_presigned_url(api, upload, make_ready):
    # given
    asset = upload(name="logo.png")
    make_ready(asset["id"])

    # when
    response = api("GET", f"/api/v2/assets/{asset['id']}", headers={"Accept": "image/*"})

    # then
    assert response.status == 302
    location = urlsplit(response.headers["location"])
    query = parse_qs(location.query)
    assert location.path.endswith(f"/files/{asset['id']}")
    assert query["X-Amz-Expires"] == ["300"]
    assert query["response-content-type"] == ["image/png"]
    assert query["response-content-disposition"][0].startswith('inline; filename="logo.png"')
    assert response.headers["cache-control"] == "no-store"


def test_a_file_that_is_not_ready_is_409(api, upload):
    # given
    asset = upload()

    # when
    response = api("GET", f"/api/v2/assets/{asset['id']}")

    # then
    assert response.status == 409
    assert response.json() == {"detail": "Asset is not ready (status: pending)"}


def test_thumbnail_redirects_when_there_is_one_and_is_404_otherwise(api, upload, make_ready):
    # given
    with_thumbnail, without = upload(), upload(type="audio", format="mp3")
    make_ready(with_thumbnail["id"])
    make_ready(without["id"], thumbnail=False)

    # when
    found = api("GET", f"/api/v2/assets/{with_thumbnail['id']}/thumbnail")
    missing = api("GET", f"/api/v2/assets/{without['id']}/thumbnail")

    # then
    assert found.status == 302
    assert urlsplit(found.headers["location"]).path.endswith(f"/thumbnails/{with_thumbnail['id']}.jpg")
    assert missing.status == 404
    assert missing.json() == {"detail": "Thumbnail not found"}


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("GET", "/thumbnail", None),
        ("PATCH", "", {"name": "x"}),
        ("DELETE", "", None),
    ],
)
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "1", "0b5c1f7e-9a3d-1c4e-8f55-2b1d6a7c9e01", "..%2F..%2Fetc"])
def test_ids_are_checked_as_uuids_before_any_lookup(api, method, suffix, body, bad_id):
    # when
    response = api(method, f"/api/v2/assets/{bad_id}{suffix}", body=body)

    # then
    assert response.status == 400
    assert response.json() == {"detail": "Invalid asset ID: must be a UUID"}


@pytest.mark.parametrize(("method", "suffix", "body"), [("GET", "", None), ("GET", "/thumbnail", None), ("PATCH", "", {"name": "x"}), ("DELETE", "", None)])
def test_a_missing_asset_is_404(api, method, suffix, body):
    # when
    response = api(method, f"/api/v2/assets/{MISSING_ID}{suffix}", body=body)

    # then
    assert response.status == 404
    assert response.json() == {"detail": "Asset not found"}


# ---- PATCH ----


def test_patch_changes_only_what_is_sent_and_null_unlinks(api, upload):
    # given
    asset = upload(name="old", clientId="c1", campaignId="k1", tags=["a"])

    # when
    response = api(
        "PATCH",
        f"/api/v2/assets/{asset['id']}",
        body={"name": "new", "clientId": None, "projectId": "3", "tags": ["b", "c"], "description": "d"},
    )

    # then
    assert response.status == 200
    patched = response.json()
    assert (patched["name"], patched["clientId"], patched["campaignId"]) == ("new", None, "k1")
    assert (patched["projectId"], patched["tags"], patched["description"]) == ("3", ["b", "c"], "d")
    listed_by_client = api("GET", "/api/v2/assets", query={"clientId": "c1"})
    listed_by_project = api("GET", "/api/v2/assets", query={"projectId": "3"})
    assert ids(listed_by_client) == [] and ids(listed_by_project) == [asset["id"]]


@pytest.mark.parametrize(
    ("body", "detail_part"),
    [
        ({"name": None}, "name: Input should be a valid string"),  # the document: not nullable
        ({"url": None}, "url: Input should be a valid string"),
        ({"url": "https://example.com"}, "Only link assets"),
        ({"width": 10}, "width"),
        ({"tags": ["x" * 65]}, "tags"),
    ],
)
def test_patch_refuses_what_cannot_change(api, upload, body, detail_part):
    # given
    asset = upload()

    # when
    response = api("PATCH", f"/api/v2/assets/{asset['id']}", body=body)

    # then
    assert response.status == 400
    assert detail_part in response.json()["detail"]


# ---- link assets ----


def test_creates_a_link_asset_that_is_ready_at_once(api):
    # given
    body = {"name": "Flink SQL Helper Library", "url": "https://github.com/org/flink-sql-helpers", "projectId": "1"}

    # when
    response = api("POST", "/api/v2/assets", body=body)

    # then
    assert response.status == 201
    link = response.json()
    assert (link["type"], link["status"], link["url"], link["format"]) == ("link", "ready", body["url"], "url")
    redirect = api("GET", f"/api/v2/assets/{link['id']}")
    assert redirect.status == 302 and redirect.headers["location"] == body["url"]


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://example.com/a", "https://", "//example.com", "https://exa mple.com"]
)
def test_only_http_urls_make_link_assets(api, url):
    # when
    response = api("POST", "/api/v2/assets", body={"name": "x", "url": url})

    # then
    assert response.status == 400
    assert "url" in response.json()["detail"]


def test_patching_a_link_to_a_javascript_url_is_refused(api):
    # given
    link = api("POST", "/api/v2/assets", body={"name": "x", "url": "https://example.com"}).json()

    # when
    response = api("PATCH", f"/api/v2/assets/{link['id']}", body={"url": "javascript:alert(1)"})

    # then
    assert response.status == 400
    assert api("GET", f"/api/v2/assets/{link['id']}", headers={"Accept": "application/json"}).json()["url"] == "https://example.com"


# ---- DELETE ----


def test_delete_removes_record_file_and_thumbnail(api, upload, make_ready, s3, bucket):
    # given
    asset = upload()
    make_ready(asset["id"])

    # when
    response = api("DELETE", f"/api/v2/assets/{asset['id']}")

    # then
    assert response.status == 200
    assert response.json() == {"success": True, "message": f"Asset {asset['id']} deleted successfully"}
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    assert api("GET", f"/api/v2/assets/{asset['id']}", headers={"Accept": "application/json"}).status == 404
    assert storage.upload_key(asset["id"]) == f"uploads/{asset['id']}"
