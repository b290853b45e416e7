"""The OpenAPI document says what the rendition routes and the upload check really accept and answer:
a client (or a fuzzer) that follows it sends only values the API takes, and reads every answer."""

from __future__ import annotations

import pytest

from functions.api.openapi_schemas import text_pattern
from functions.core.topology import MAX_UPLOAD_BYTES, RENDITION_SIDES

HASH = "a" * 64


@pytest.fixture
def document(api) -> dict:
    return api("GET", "/api/openapi.json", user=None).json()


def operation(document: dict, operation_id: str) -> dict:
    return next(
        operation
        for operations in document["paths"].values()
        for operation in operations.values()
        if operation.get("operationId") == operation_id
    )


def query_schemas(operation: dict) -> dict[str, dict]:
    return {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}


def test_the_signed_rendition_takes_no_token(document: dict) -> None:
    # when
    signed = operation(document, "getSignedRendition")

    # then: like any public route, no bearer security and no 401; the signature's refusal is a 403
    assert signed["security"] == []
    assert "401" not in signed["responses"]
    assert "403" in signed["responses"]
    assert document["security"] == [{"bearer": []}]
    assert "security" not in operation(document, "getRenditionLinks")


def test_the_signed_renditions_answers_are_bytes_or_a_redirect(document: dict) -> None:
    # when
    responses = operation(document, "getSignedRendition")["responses"]

    # then
    assert responses["302"]["headers"]["Location"]["required"] is True
    assert responses["302"]["content"] == {}
    assert {"image/webp", "image/avif", "image/jpeg", "image/png"} == set(responses["200"]["content"])
    assert responses["200"]["content"]["image/webp"]["schema"] == {"type": "string", "format": "binary"}


@pytest.mark.parametrize("operation_id", ["getRendition", "getRenditionLinks"])
def test_rendition_values_are_the_allowed_ones(document: dict, operation_id: str) -> None:
    # when
    schemas = query_schemas(operation(document, operation_id))

    # then: enums and integers, not free text (`h=00000` is no value the schema allows)
    assert schemas["format"]["enum"] == ["webp", "avif", "jpeg", "png", "auto"]
    assert (schemas["page"]["type"], schemas["page"]["minimum"]) == ("integer", 1)
    if operation_id == "getRendition":
        assert schemas["w"] == schemas["h"] | {"title": "W"}
        assert (schemas["w"]["type"], schemas["w"]["enum"]) == ("integer", list(RENDITION_SIDES))
        assert schemas["fit"]["enum"] == ["inside", "contain", "cover"]


def test_the_signed_path_says_what_a_rendition_path_is(document: dict) -> None:
    # when
    schemas = {p["name"]: p["schema"] for p in operation(document, "getSignedRendition")["parameters"]}

    # then
    assert schemas["version"]["pattern"] == "^[0-9a-f]{16}$"
    assert "?P<" not in schemas["name"]["pattern"]  # JSON Schema patterns have no named groups
    assert schemas["name"]["pattern"].startswith("^") and "-p" in schemas["name"]["pattern"]


def test_the_renditions_json_answer_and_links_have_schemas(document: dict) -> None:
    # when
    answer = operation(document, "getRendition")["responses"]["200"]["content"]["application/json"]
    schemas = document["components"]["schemas"]

    # then
    assert answer["schema"] == {"$ref": "#/components/schemas/Rendition"}
    assert set(schemas["Rendition"]["required"]) == {
        "url",
        "width",
        "height",
        "format",
        "contentType",
        "expiresAt",
    }
    assert schemas["Rendition"]["properties"]["expiresAt"]["format"] == "date-time"
    assert schemas["RenditionLinks"]["properties"]["expiresAt"]["format"] == "date-time"


def test_a_file_to_check_is_documented_as_checked(document: dict) -> None:
    # when
    properties = document["components"]["schemas"]["FileToCheck"]["properties"]

    # then: the same name rules as every other name, and sizes up to the upload limit
    assert properties["name"]["pattern"] == text_pattern()
    assert (properties["size"]["minimum"], properties["size"]["maximum"]) == (1, MAX_UPLOAD_BYTES)


@pytest.mark.parametrize("size", [True, 1.5, "1"], ids=["boolean", "fraction", "text"])
def test_a_size_that_is_no_whole_number_is_refused(api, size) -> None:
    # when
    response = api(
        "POST", "/api/v2/uploads/check", body={"files": [{"name": "a.png", "size": size, "sha256": HASH}]}
    )

    # then
    assert response.status == 400
    assert response.json()["detail"].startswith("files.0.size:")


def test_a_size_with_no_fraction_is_a_whole_number_as_json_schema_says(api) -> None:
    # when: 2.0 is a JSON Schema integer
    response = api(
        "POST", "/api/v2/uploads/check", body={"files": [{"name": "a.png", "size": 2.0, "sha256": HASH}]}
    )

    # then
    assert response.status == 200, response.body
    assert response.json()["files"][0]["size"] == 2
