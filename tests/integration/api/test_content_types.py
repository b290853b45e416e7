"""Request Content-Types: JSON routes read JSON only (415 otherwise), the multipart upload reads
multipart only, no Content-Type or body makes any route answer 5xx; and the `contentType` an upload
declares reaches the POST policy and the record only as one of its format's media types."""

from __future__ import annotations

import base64
import json

import pytest

from functions.core.media import invalid_type_message

JSON_ONLY = {"detail": "Content-Type must be application/json"}
LINK = {"name": "Brand portal", "url": "https://brand.example.com"}
ODD_CONTENT_TYPES = [
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=xyz",
    "application/x-www-form-urlencoded",
    "text/plain;charset=UTF-8",
    "application/jsonp",
    "application/json, text/html",
    "json",
    ";;",
]
ODD_BODIES = ["", "name=x&url=https://e.com", '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--xyz--\r\n']


def json_routes(asset_id: str) -> list[tuple[str, str]]:
    return [
        ("POST", "/api/v2/uploads"),
        ("POST", "/api/v2/assets"),
        ("PATCH", f"/api/v2/assets/{asset_id}"),
        ("POST", "/api/assets/"),
        ("PUT", f"/api/assets/{asset_id}"),
        ("POST", "/api/v2/scans"),
        ("PATCH", "/api/v2/usages/some-usage"),
    ]


@pytest.fixture
def link_id(api) -> str:
    return api("POST", "/api/v2/assets", body=LINK).json()["id"]


@pytest.mark.parametrize("content_type", ODD_CONTENT_TYPES)
def test_a_json_route_answers_415_to_any_other_content_type(api, link_id, content_type):
    for method, path in json_routes(link_id):
        # when
        response = api(method, path, body='{"name": "x"}', headers={"Content-Type": content_type})

        # then
        assert (response.status, response.json()) == (415, JSON_ONLY), (method, path)


def test_json_in_another_charset_than_utf_8_is_415(api):
    # when
    response = api("POST", "/api/v2/assets", body=LINK, headers={"Content-Type": "application/json; charset=latin-1"})

    # then
    assert (response.status, response.json()) == (415, {"detail": "Content-Type must be application/json (UTF-8)"})


@pytest.mark.parametrize("content_type", [None, "application/json", "Application/JSON; charset=UTF-8", 'application/json;charset="utf-8"'])
def test_json_is_read_with_or_without_its_content_type(api, content_type):
    # given
    headers = {"Content-Type": content_type} if content_type else {}

    # when
    response = api("POST", "/api/v2/assets", body=LINK, headers=headers)

    # then
    assert response.status == 201, response.body


def test_the_multipart_upload_answers_415_to_json_and_400_to_a_form_without_boundary(api):
    # when
    as_json = api("POST", "/api/v2/upload-asset", body={"file": "x"}, headers={"Content-Type": "application/json"})
    no_boundary = api("POST", "/api/v2/upload-asset", body="", headers={"Content-Type": "multipart/form-data"})

    # then
    assert (as_json.status, as_json.json()) == (415, {"detail": "Content-Type must be multipart/form-data"})
    assert (no_boundary.status, no_boundary.json()) == (400, {"detail": "multipart/form-data without a boundary"})


def test_no_documented_operation_answers_5xx_to_an_odd_content_type_or_body(api, link_id):
    # given: every operation the document lists, its path parameters filled in
    document = api("GET", "/api/openapi.json", user=None).json()
    filled = {"asset_id": link_id, "usage_id": "some-usage", "client_id": "c-1", "campaign_id": "k-1"}
    filled |= {"version": "0123456789abcdef", "name": "640x-inside-p1.webp"}  # a token-free rendition URL
    operations = [
        (method.upper(), path.format(**filled)) for path, item in document["paths"].items() for method in item
    ]
    assert len(operations) >= 20

    for method, path in operations:
        for content_type in ODD_CONTENT_TYPES:
            for body in ODD_BODIES:
                # when
                response = api(method, path, body=body, headers={"Content-Type": content_type})

                # then
                assert response.status < 500, (method, path, content_type, body, response.body)
                if response.status >= 400:
                    assert isinstance(response.json()["detail"], str)


# ---- contentType on POST /api/v2/uploads ----


def decoded_policy(fields: dict) -> dict:
    return json.loads(base64.b64decode(fields["policy"]))


@pytest.mark.parametrize(
    ("declared", "stored"),
    [
        ("image/png", "image/png"),
        ("IMAGE/PNG", "image/png"),
        (" image/png ", "image/png"),
        ("image/png; charset=utf-8", "image/png"),
        ('image/png ; name="logo.png"', "image/png"),
        ("image/png;", "image/png"),
    ],
)
def test_parameters_are_dropped_and_only_the_media_type_reaches_the_policy(api, declared, stored):
    # when
    response = api(
        "POST", "/api/v2/uploads", body={"name": "x.png", "type": "image", "format": "png", "size": 5, "contentType": declared}
    )

    # then
    assert response.status == 201, response.body
    fields = response.json()["upload"]["fields"]
    assert fields["Content-Type"] == stored
    assert {"Content-Type": stored} in decoded_policy(fields)["conditions"]
    from functions.core.models import AssetModel

    assert AssetModel.get(response.json()["asset"]["id"]).content_type == stored


@pytest.mark.parametrize(
    "declared",
    [
        "image/png;\r\nX-Injected: 1",
        "image/png\r\nX-Injected: 1",
        "image/png\nContent-Length: 0",
        "image/png; charset",
        "image/png, text/html",
        "image/png; a=b c",
        "image/ png",
        "image",
        "",
        'image/png; x="unterminated',
    ],
)
def test_a_content_type_that_is_not_a_media_type_is_refused_and_nothing_is_made(api, declared):
    # when
    response = api(
        "POST", "/api/v2/uploads", body={"name": "x.png", "type": "image", "format": "png", "size": 5, "contentType": declared}
    )

    # then
    assert response.status == 400
    assert response.json()["detail"].startswith("contentType: ")
    assert api("GET", "/api/v2/assets").json() == []


@pytest.mark.parametrize(
    ("format", "declared"),
    [("png", "image/jpeg"), ("jpg", "image/png; charset=utf-8"), ("pdf", "application/pdf+x"), ("mp4", "video/quicktime")],
)
def test_a_media_type_of_another_format_is_refused(api, format, declared):
    # given
    asset_type = {"png": "image", "jpg": "image", "pdf": "document", "mp4": "video"}[format]

    # when
    response = api(
        "POST", "/api/v2/uploads", body={"name": "x", "type": asset_type, "format": format, "size": 5, "contentType": declared}
    )

    # then
    assert response.status == 400
    assert response.json() == {"detail": invalid_type_message(declared.split(";")[0])}


def test_a_formats_other_media_types_are_kept_as_declared(api):
    # when: image/pjpeg is what older browsers say for a JPEG
    response = api(
        "POST", "/api/v2/uploads", body={"name": "x.jpg", "type": "image", "format": "jpg", "size": 5, "contentType": "image/pjpeg"}
    )

    # then
    assert response.status == 201
    assert response.json()["upload"]["fields"]["Content-Type"] == "image/pjpeg"



def test_the_document_lists_415_wherever_a_body_is_read(api):
    # given
    document = api("GET", "/api/openapi.json", user=None).json()

    # when
    reading = [
        (method, path, operation["responses"])
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation or path == "/api/v2/upload-asset"
    ]

    # then
    assert len(reading) >= 8
    for method, path, responses in reading:
        assert "415" in responses, (method, path)
