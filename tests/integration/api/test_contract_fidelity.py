"""The document and the API agree (issue 14): what the served OpenAPI document calls valid, the API
accepts, and what it refuses, the document calls invalid; every answer's status and headers are in
it. Each case here is one schemathesis found before the document or the API was fixed."""

from __future__ import annotations

import base64
import json
import uuid

import jsonschema
import pytest


@pytest.fixture
def document(api) -> dict:
    return api("GET", "/api/openapi.json", user=None).json()


def valid(document: dict, schema: dict, value: object) -> bool:
    """Whether `value` is valid against `schema`, a part of the document (its $refs resolve)."""
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]}).is_valid(value)


def component(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def parameter(document: dict, path: str, method: str, name: str) -> dict:
    return next(p for p in document["paths"][path][method]["parameters"] if p["name"] == name)["schema"]


UPLOAD = {"name": "clip", "size": 1024}


@pytest.mark.parametrize(
    ("declared", "status"),
    [
        ({"type": "audio", "format": "gif"}, 400),
        ({"type": "image", "format": "png", "contentType": "image/jpeg"}, 400),
        ({"type": "image", "format": "png", "contentType": ""}, 400),
        ({"type": "audio", "format": "wav", "contentType": "audio/x-wav"}, 201),
        ({"type": "image", "format": "jpeg"}, 201),
        ({"type": "document", "format": "pdf", "contentType": None}, 201),
    ],
)
def test_an_uploads_type_format_and_media_type_pair_as_documented(api, document, declared, status):
    # given
    body = {**UPLOAD, **declared}

    # when
    response = api("POST", "/api/v2/uploads", body=body)

    # then
    assert response.status == status, response.body
    assert valid(document, component("UploadRequest"), body) is (status == 201)


def test_a_cursor_of_the_documented_form_is_read(api, document):
    # given: a cursor as the API makes them (a list key in base64url), and one a character off
    key = f"2026-01-01T00:00:00.000000Z#{uuid.uuid4()}"
    cursor = base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")
    schema = parameter(document, "/api/v2/assets", "get", "cursor")

    # when
    read = api("GET", "/api/v2/assets", query={"cursor": cursor})
    refused = api("GET", "/api/v2/assets", query={"cursor": cursor[:-1] + "!"})

    # then
    assert (read.status, read.json()) == (200, [])
    assert valid(document, schema, cursor)
    assert refused.status == 400 and "Invalid cursor" in refused.json()["detail"]
    assert not valid(document, schema, cursor[:-1] + "!")


def test_the_next_cursor_header_is_documented_and_of_its_form(api, upload, document):
    # given
    for _ in range(2):
        upload()

    # when
    response = api("GET", "/api/v2/assets", query={"limit": "1"})

    # then
    header = document["paths"]["/api/v2/assets"]["get"]["responses"]["200"]["headers"]["X-Next-Cursor"]
    assert valid(document, header["schema"], response.headers["x-next-cursor"])


@pytest.mark.parametrize(
    ("consumer", "status"),
    [("job:1234", 201), ("flow:f/etl/daily", 201), ("", 201), ("job:" + "a" * 255, 201), ("job:" + "a" * 256, 400),
     ("0", 400), ("job:a//b", 400)],
)  # fmt: skip
def test_the_consumer_header_as_documented(api, document, consumer, status):
    # when
    response = api(
        "POST", "/api/v2/uploads", body={**UPLOAD, "type": "image", "format": "png"},
        headers={"X-Trove-Consumer": consumer},
    )

    # then
    assert response.status == status, response.body
    assert valid(document, parameter(document, "/api/v2/uploads", "post", "x-trove-consumer"), consumer) is (
        status == 201
    )


@pytest.mark.parametrize("field", ["name", "url"])
def test_a_patch_cannot_null_a_name_or_url_and_the_document_says_so(api, document, field):
    # given
    link = api("POST", "/api/v2/assets", body={"name": "Rates", "url": "https://example.com/r.csv"}).json()

    # when
    response = api("PATCH", f"/api/v2/assets/{link['id']}", body={field: None})

    # then
    assert response.status == 400
    assert not valid(document, component("AssetPatch"), {field: None})
    assert valid(document, component("AssetPatch"), {"description": None, "tags": None, "clientId": None})


def test_seed_000_links_take_integral_numbers(api, document):
    # given: JSON has one number type, and 3408868.0 is an integer to JSON Schema
    body = {"name": "Helper", "reference_url": "https://example.com/", "todo_id": 3408868.0}

    # when
    response = api("POST", "/api/assets/", body=body)

    # then
    assert response.status == 201 and response.json()["todo_id"] == 3408868
    assert valid(document, component("LegacyAssetCreate"), body)
    assert not valid(document, component("LegacyAssetCreate"), {**body, "todo_id": 1.5})
    assert api("POST", "/api/assets/", body={**body, "todo_id": 1.5}).status == 400


def test_a_seed_000_put_without_reference_url_keeps_the_links_url(api, document):
    # given
    link = api("POST", "/api/assets/", body={"name": "Helper", "reference_url": "https://example.com/a"}).json()

    # when
    response = api("PUT", f"/api/assets/{link['id']}", body={"name": "Helper 2"})

    # then
    assert response.status == 200
    assert (response.json()["name"], response.json()["reference_url"]) == ("Helper 2", "https://example.com/a")
    assert valid(document, component("LegacyAssetUpdate"), {"name": "Helper 2"})


@pytest.mark.parametrize(
    ("host", "status"),
    [("a" * 63 + ".example", 201), ("a" * 64 + ".example", 400), (("a" * 63 + ".") * 3 + "a" * 61, 201),
     (("a" * 63 + ".") * 3 + "a" * 62, 400)],
)  # fmt: skip
def test_link_hosts_within_dns_limits_as_documented(api, document, host, status):
    # given
    body = {"name": "Long host", "url": f"https://{host}/"}

    # when
    response = api("POST", "/api/v2/assets", body=body)

    # then
    assert response.status == status, response.body
    assert valid(document, component("LinkCreate"), body) is (status == 201)


def test_answers_and_their_headers_are_documented(document):
    # given
    paths = document["paths"]

    # then
    assert "200" in paths["/api/v2/assets/{asset_id}"]["delete"]["responses"]
    assert "200" in paths["/api/v2/usages/{usage_id}"]["patch"]["responses"]
    for path in ("/api/v2/assets/{asset_id}", "/api/v2/assets/{asset_id}/thumbnail"):
        redirect = paths[path]["get"]["responses"]["302"]
        assert redirect["headers"]["Location"]["required"] is True and redirect.get("content") == {}
    assert set(paths["/api/v2/assets/{asset_id}/thumbnail"]["get"]["responses"]) & {"200", "500"} == set()
    assert "201" in paths["/api/v2/upload-asset"]["post"]["responses"]
    assert "multipart/form-data" in paths["/api/v2/upload-asset"]["post"]["requestBody"]["content"]
    removed = paths["/api/clients/{client_id}/assets"]["post"]["responses"]
    assert "410" in removed and "200" not in removed
    assert not any("500" in op["responses"] for methods in paths.values() for op in methods.values())
    assert "#/components/schemas/ValidationError" not in json.dumps(document)


def test_links_lead_from_created_resources_to_their_operations(document):
    # given
    operations = {op.get("operationId") for methods in document["paths"].values() for op in methods.values()}
    created = {
        ("/api/v2/uploads", "post", "201"): "$response.body#/asset/id",
        ("/api/v2/assets", "post", "201"): "$response.body#/id",
        ("/api/assets/", "post", "201"): "$response.body#/id",
    }

    # then
    for (path, method, status), expression in created.items():
        links = document["paths"][path][method]["responses"][status]["links"]
        assert {link["parameters"]["asset_id"] for link in links.values()} == {expression}
        assert {link["operationId"] for link in links.values()} <= operations
    scan_links = document["paths"]["/api/v2/scans"]["post"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in scan_links.values()} == {"consumerUsages", "setUsageMode"}


def test_another_method_on_a_known_path_is_405_with_allow(api):
    # when
    wrong_method = api("PUT", "/api/v2/assets")
    unknown_path = api("PUT", "/api/v2/nothing-here")

    # then
    assert (wrong_method.status, wrong_method.headers["allow"]) == (405, "GET, POST")
    assert "detail" in wrong_method.json()
    assert unknown_path.status == 404


def test_a_usage_id_that_names_no_usage_is_404_and_a_malformed_one_400(api, document):
    # given
    schema = parameter(document, "/api/v2/usages/{usage_id}", "patch", "usage_id")

    # when
    well_formed = api("PATCH", "/api/v2/usages/ac447c8f-437f-5f32-997c-29dfdf478e31", body={"mode": "read"})
    malformed = api("PATCH", "/api/v2/usages/a%2Bb", body={"mode": "read"})

    # then
    assert well_formed.status == 404 and valid(document, schema, "ac447c8f-437f-5f32-997c-29dfdf478e31")
    assert malformed.status == 400 and not valid(document, schema, "a+b")


def test_a_scan_names_a_unicode_link_in_its_stored_ascii_form(api):
    # given
    link = api("POST", "/api/v2/assets", body={"name": "Müller", "url": "https://de.wikipedia.org/wiki/Müller"}).json()
    code = 'import wmill\nwmill.load_s3_file("https://de.wikipedia.org/wiki/Müller")'

    # when
    usages = api(
        "POST", "/api/v2/scans", body={"path": "f/x/script", "kind": "script", "language": "python", "content": code}
    ).json()["usages"]

    # then
    assert link["url"] == "https://de.wikipedia.org/wiki/M%C3%BCller"
    assert [usage["assetId"] for usage in usages] == [link["id"]]


@pytest.mark.parametrize(("tag", "status"), [("brand", 200), ("p\x1fq", 400), ("\u202eevil", 400)])
def test_the_tag_filter_as_documented(api, document, tag, status):
    # when
    response = api("GET", "/api/v2/assets", query={"tag": tag})

    # then
    assert response.status == status
    assert valid(document, parameter(document, "/api/v2/assets", "get", "tag"), tag) is (status == 200)
