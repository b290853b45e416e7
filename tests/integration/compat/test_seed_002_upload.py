"""Seed 002 replayed: POST /api/v2/upload-asset (multipart, processed before the answer), its list,
read and delete examples, its Migration Guide and its Error Handling table."""

from __future__ import annotations

import pytest

from tests.integration.compat import seed_examples as seed
from tests.integration.compat.conftest import multipart_body

UPLOAD = "/api/v2/upload-asset"
MISSING_ID = "0b5c1f7e-9a3d-4c4e-8f55-2b1d6a7c9e01"
API_TOO_LARGE = (
    "File too large for this endpoint (max 4.0MB). "
    "Upload larger files with POST /api/v2/uploads (a presigned S3 POST, up to 50MB)."
)


def stored_keys(s3, bucket: str) -> list[str]:
    return [entry["Key"] for entry in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


# ---- "Upload Asset": the examples ----


def test_the_curl_example_answers_201_with_the_image_asset(call, media):
    # given: seed 002's cURL example, -F file=@logo.png -F clientId=client-uuid-123 -F "name=Company Logo"
    form = [
        ("file", ("logo.png", media.logo_png, "image/png")),
        ("clientId", "client-uuid-123"),
        ("name", "Company Logo"),
    ]

    # when
    response = call("POST", UPLOAD, form=form)

    # then: the image example, field by field; `name` is the one sent (the seed's table: "Custom
    # display name (defaults to filename)"), where the seed's example shows the file name
    assert response.status == 201, response.body
    asset = response.json()
    expected = {**seed.as_seed_shows(seed.IMAGE_ASSET, asset), "name": "Company Logo"}
    assert seed.seed_fields(asset, seed.IMAGE_ASSET) == expected
    assert asset["status"] == "ready"


def test_without_a_name_the_answer_is_the_image_example_exactly(call, media):
    # when
    response = call(
        "POST",
        UPLOAD,
        form=[("file", ("logo.png", media.logo_png, "image/png")), ("clientId", "client-uuid-123")],
    )

    # then
    assert response.status == 201, response.body
    asset = response.json()
    assert seed.seed_fields(asset, seed.IMAGE_ASSET) == seed.as_seed_shows(seed.IMAGE_ASSET, asset)


def test_the_audio_example(call, media):
    # when
    form = [
        ("file", ("voiceover.mp3", media.voiceover_mp3, "audio/mpeg")),
        ("campaignId", "campaign-uuid-456"),
    ]
    response = call("POST", UPLOAD, form=form)

    # then
    assert response.status == 201, response.body
    asset = response.json()
    assert seed.seed_fields(asset, seed.AUDIO_ASSET) == seed.as_seed_shows(seed.AUDIO_ASSET, asset)


def test_the_document_example_with_the_page_count_and_thumbnail_the_seed_had_planned(call, media):
    # when
    form = [
        ("file", ("brand_guidelines.pdf", media.guidelines_pdf, "application/pdf")),
        ("clientId", "client-uuid-123"),
    ]
    response = call("POST", UPLOAD, form=form)

    # then: seed 002's "Notes" list the page count as planned; Trove fills it, and a first-page thumbnail
    assert response.status == 201, response.body
    asset = response.json()
    expected = {
        **seed.as_seed_shows(seed.DOCUMENT_ASSET, asset),
        "pageCount": 3,
        "thumbnailUrl": f"https://api.example.com/api/v2/assets/{asset['id']}/thumbnail",
    }
    assert seed.seed_fields(asset, seed.DOCUMENT_ASSET) == expected


def test_the_video_example_is_too_large_for_this_path_and_matches_through_the_presigned_one(
    call, media, upload_presigned
):
    # given: the video example's 12,345,678 bytes, more than API Gateway and Lambda carry
    form = [("file", ("product_demo.mp4", media.demo_mp4, "video/mp4")), ("campaignId", "campaign-uuid-456")]

    # when
    through_api = call("POST", UPLOAD, form=form)
    presigned = upload_presigned(
        "product_demo.mp4", media.demo_mp4, "video", "mp4", campaignId="campaign-uuid-456"
    )

    # then
    assert through_api.status == 413
    assert through_api.json() == {"detail": API_TOO_LARGE}
    assert seed.seed_fields(presigned, seed.VIDEO_ASSET) == seed.as_seed_shows(seed.VIDEO_ASSET, presigned)


def test_the_processor_runs_synchronously_and_its_late_notification_is_a_no_op(call, media, monkeypatch):
    # given: a spy on the processor's own function
    from functions.core.models import AssetModel
    from functions.core.settings import get_settings
    from functions.processor import pipeline

    seen: list[str] = []
    process_upload = pipeline.process_upload

    def spy(key, settings, s3=None, **options):
        seen.append(key)
        return process_upload(key, settings, s3, **options)

    monkeypatch.setattr(pipeline, "process_upload", spy)

    # when
    asset = call("POST", UPLOAD, form=[("file", ("logo.png", media.logo_png, "image/png"))]).json()
    before = AssetModel.get(asset["id"])
    late = process_upload(f"uploads/{asset['id']}", get_settings())  # the S3 notification, arriving later

    # then
    assert seen == [f"uploads/{asset['id']}"]
    assert late.status == "skipped"
    after = AssetModel.get(asset["id"])
    assert (after.version, after.status, after.width) == (before.version, "ready", 800)


# ---- "List Assets", "Get Asset File", "Get Asset Thumbnail", "Delete Asset" ----


@pytest.fixture
def seed_list_assets(call, media, upload_presigned) -> dict[str, dict]:
    """The two assets of the List example: logo.png (client) through multipart, product_video.mp4
    (client and campaign, 10 MB) through the presigned flow."""
    logo = call(
        "POST",
        UPLOAD,
        form=[("file", ("logo.png", media.logo_png, "image/png")), ("clientId", "client-uuid-123")],
    )
    assert logo.status == 201, logo.body
    video = upload_presigned(
        "product_video.mp4",
        media.gallery_mp4,
        "video",
        "mp4",
        clientId="client-uuid-123",
        campaignId="campaign-uuid-456",
    )
    return {"logo.png": logo.json(), "product_video.mp4": video}


def test_the_list_example_answer(call, seed_list_assets):
    # when
    response = call("GET", "/api/v2/assets", query={"clientId": "client-uuid-123"})

    # then: the example's two assets, field by field (Trove lists newest first; the example's order is oldest first)
    assert response.status == 200
    by_name = {asset["name"]: asset for asset in response.json()}
    assert set(by_name) == {"logo.png", "product_video.mp4"}
    for example in seed.LIST_RESPONSE:
        actual = by_name[example["name"]]
        assert seed.seed_fields(actual, example) == seed.as_seed_shows(example, actual)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        (seed.LIST_REQUESTS[0], {"logo.png", "product_video.mp4"}),
        (seed.LIST_REQUESTS[1], {"logo.png", "product_video.mp4"}),
        (seed.LIST_REQUESTS[2], {"product_video.mp4"}),
        (seed.LIST_REQUESTS[3], {"logo.png"}),
        (seed.MIGRATION_LISTS[0], {"logo.png", "product_video.mp4"}),
        (seed.MIGRATION_LISTS[1], {"product_video.mp4"}),
        (seed.MIGRATION_LISTS[2], {"product_video.mp4"}),
        (seed.MIGRATION_LISTS[3], {"logo.png"}),
    ],
)
def test_every_list_request_of_the_seed(call, seed_list_assets, query, names):
    # when
    response = call("GET", "/api/v2/assets", query=query)

    # then
    assert response.status == 200
    assert {asset["name"] for asset in response.json()} == names


def test_get_file_and_thumbnail_redirect_to_the_bytes(call, seed_list_assets):
    # given
    video = seed_list_assets["product_video.mp4"]

    # when
    file = call("GET", f"/api/v2/assets/{video['id']}")
    thumbnail = call("GET", f"/api/v2/assets/{video['id']}/thumbnail")

    # then
    assert file.status == 302 and f"/files/{video['id']}?" in file.headers["location"]
    assert thumbnail.status == 302 and f"/thumbnails/{video['id']}.jpg?" in thumbnail.headers["location"]


def test_the_delete_example_answer(call, seed_list_assets, s3, bucket):
    # given
    video = seed_list_assets["product_video.mp4"]

    # when: curl -X DELETE ".../api/v2/assets/asset-uuid-abc"
    response = call("DELETE", f"/api/v2/assets/{video['id']}")

    # then
    assert response.status == 200
    assert response.json() == {**seed.DELETE_RESPONSE, "message": f"Asset {video['id']} deleted successfully"}
    assert not [key for key in stored_keys(s3, bucket) if video["id"] in key]


# ---- "Migration Guide" ----


@pytest.mark.parametrize("links", seed.MIGRATION_UPLOADS)
def test_the_migration_guides_uploads(call, media, links):
    # when
    response = call(
        "POST", UPLOAD, form=[("file", ("logo.png", media.logo_png, "image/png")), *links.items()]
    )

    # then
    assert response.status == 201, response.body
    asset = response.json()
    assert (asset["clientId"], asset["campaignId"]) == (links.get("clientId"), links.get("campaignId"))


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        (
            "/api/clients/client-uuid-123/assets",
            "This endpoint was removed. Use POST /api/v2/upload-asset with clientId=client-uuid-123",
        ),
        (
            "/api/campaigns/campaign-uuid-456/assets",
            "This endpoint was removed. Use POST /api/v2/upload-asset with campaignId=campaign-uuid-456",
        ),
    ],
)
def test_the_retired_endpoints_are_410_gone_pointing_to_the_new_one(call, media, path, detail):
    # when: the "Before" of the Migration Guide, FormData: { file }
    response = call("POST", path, form=[("file", ("logo.png", media.logo_png, "image/png"))])

    # then
    assert response.status == 410
    assert response.json() == {"detail": detail}


# ---- "Error Handling" ----


@pytest.mark.parametrize(
    "part_type",
    [
        "application/octet-stream",  # what curl -F file=@logo.bmp sends: it has no type for .bmp
        "image/bmp",  # what browsers send
    ],
)
def test_a_bmp_is_400_with_the_seeds_message(call, media, s3, bucket, part_type):
    # when
    response = call("POST", UPLOAD, form=[("file", ("logo.bmp", media.logo_bmp, part_type))])

    # then
    assert response.status == 400
    assert response.json() == seed.INVALID_TYPE
    assert call("GET", "/api/v2/assets").json() == []
    assert stored_keys(s3, bucket) == []


def test_a_bmp_named_png_is_rejected_by_the_processor_with_the_seeds_message_and_nothing_is_kept(
    call, media, s3, bucket
):
    # when: the name and the part's type say PNG; the bytes say BMP
    response = call("POST", UPLOAD, form=[("file", ("logo.png", media.logo_bmp, "image/png"))])

    # then
    assert response.status == 400
    assert response.json() == seed.INVALID_TYPE
    assert call("GET", "/api/v2/assets").json() == []
    assert stored_keys(s3, bucket) == []


def test_broken_media_is_400_with_the_processors_reason_and_nothing_is_kept(call, media, s3, bucket):
    # given: an allowed type the processor cannot read (it marks such an upload `failed`)
    truncated = media.logo_png[:2000]

    # when
    response = call("POST", UPLOAD, form=[("file", ("logo.png", truncated, "image/png"))])

    # then
    assert response.status == 400
    assert response.json()["detail"]
    assert call("GET", "/api/v2/assets").json() == []
    assert stored_keys(s3, bucket) == []


def test_too_large_is_413_here_and_the_seeds_400_on_the_presigned_path(call):
    # given
    oversized = b"\x89PNG\r\n\x1a\n" + bytes(4 * 1024 * 1024)

    # when
    through_api = call("POST", UPLOAD, form=[("file", ("big.png", oversized, "image/png"))])
    presigned = call(
        "POST",
        "/api/v2/uploads",
        json={"name": "big.mp4", "type": "video", "format": "mp4", "size": 50 * 1024 * 1024 + 1},
    )

    # then
    assert through_api.status == 413
    assert through_api.json() == {"detail": API_TOO_LARGE}
    assert presigned.status == 400
    assert presigned.json() == seed.TOO_LARGE


def test_the_declared_length_is_checked_before_the_body_is_read(call):
    # given: a Content-Length over the limit and a body that is not even multipart
    headers = {"content-type": "multipart/form-data; boundary=x", "content-length": str(5 * 1024 * 1024)}

    # when
    response = call("POST", UPLOAD, json="not a form", headers=headers)

    # then
    assert response.status == 413
    assert response.json() == {"detail": API_TOO_LARGE}


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", f"/api/v2/assets/{MISSING_ID}"), ("DELETE", f"/api/v2/assets/{MISSING_ID}")],
)
def test_a_missing_asset_is_404(call, method, path):
    # when
    response = call(method, path, headers={"Accept": "application/json"})

    # then
    assert response.status == 404
    assert response.json() == seed.NOT_FOUND


def test_deleting_someone_elses_asset_is_403(call, media):
    # given
    asset = call("POST", UPLOAD, form=[("file", ("logo.png", media.logo_png, "image/png"))]).json()

    # when
    response = call("DELETE", f"/api/v2/assets/{asset['id']}", user="user-b")

    # then
    assert response.status == 403
    assert response.json() == seed.FORBIDDEN
    assert call("GET", f"/api/v2/assets/{asset['id']}", headers={"Accept": "application/json"}).status == 200


# ---- the form itself ----


def test_without_identity_it_is_401(call, media):
    # when
    response = call("POST", UPLOAD, user=None, form=[("file", ("logo.png", media.logo_png, "image/png"))])

    # then
    assert response.status == 401
    assert response.json() == {"detail": "Not authenticated"}


def test_the_name_defaults_to_the_files_last_path_segment(call, media):
    # when: old browsers send the whole client-side path
    response = call("POST", UPLOAD, form=[("file", ("C:\\Users\\me\\logo.png", media.logo_png, "image/png"))])

    # then
    assert response.status == 201
    assert response.json()["name"] == "logo.png"


@pytest.mark.parametrize(
    ("form", "detail_part"),
    [
        ([("clientId", "client-uuid-123")], "file: Field required"),
        ([("file", "just text")], "file: must be a file"),
        ([("file", ("logo.png", b"", "image/png"))], "File is empty"),
        ([("file", ("notes.txt", b"hello", "text/plain"))], "Invalid file type: text/plain"),
        ([("file", ("logo.png", b"\x89PNG", "image/png")), ("clientId", "a#b")], "clientId"),
        ([("file", ("logo.png", b"\x89PNG", "image/png")), ("name", "a\u202egnp.exe")], "name"),
        ([("file", ("logo.png", b"\x89PNG", "image/png")), ("clientID", "c1")], "clientID"),
        (
            [("file", ("logo.png", b"\x89PNG", "image/png")), ("name", "a"), ("name", "b")],
            "name: sent more than once",
        ),
    ],
)
def test_bad_forms_are_400(call, form, detail_part):
    # when
    response = call("POST", UPLOAD, form=form)

    # then
    assert response.status == 400, response.body
    assert detail_part in response.json()["detail"]


def test_a_body_that_is_not_multipart_is_415(call):
    # when
    response = call("POST", UPLOAD, json={"file": "logo.png"})

    # then
    assert response.status == 415
    assert response.json() == {"detail": "Content-Type must be multipart/form-data"}


def test_a_multipart_body_without_a_boundary_is_400(call):
    # when
    response = call("POST", UPLOAD, headers={"content-type": "multipart/form-data"})

    # then
    assert response.status == 400
    assert response.json() == {"detail": "multipart/form-data without a boundary"}


@pytest.mark.parametrize("part_type", ["image/png; charset=utf-8", "IMAGE/PNG", 'image/png; name="logo.png"'])
def test_the_parts_content_type_is_stored_as_its_bare_media_type(call, media, part_type):
    # given: parameters and case the processor would not look at
    form = [("file", ("logo.png", media.logo_png, part_type))]

    # when
    response = call("POST", UPLOAD, form=form)

    # then
    assert response.status == 201, response.body
    from functions.core.models import AssetModel

    assert AssetModel.get(response.json()["id"]).content_type == "image/png"


def test_a_parts_content_type_that_is_not_a_media_type_is_400(call, media):
    # given
    form = [("file", ("logo.png", media.logo_png, "image/png, text/html"))]

    # when
    response = call("POST", UPLOAD, form=form)

    # then
    assert response.status == 400
    assert response.json() == {"detail": "file: the part's Content-Type is not a media type"}


def test_a_truncated_multipart_body_is_400(call):
    # given
    body, content_type = multipart_body([("file", ("logo.png", b"plain bytes", "image/png"))])

    # when
    response = call("POST", UPLOAD, json=body[:-20].decode(), headers={"content-type": content_type})

    # then
    assert response.status == 400
    assert response.json()["detail"].startswith("Malformed multipart/form-data body")
