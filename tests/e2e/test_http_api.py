"""The front's API Gateway translation, without a stack: the event a Lambda gets, the answer a client gets."""

from __future__ import annotations

import base64

from infra.local.http_api import HttpRequest, from_result, to_event


def request(
    target: str, headers: list[tuple[str, str]], body: bytes = b"", method: str = "GET"
) -> HttpRequest:
    return HttpRequest(method, target, headers, body, source_ip="127.0.0.1")


def test_the_event_is_shaped_as_payload_2_0() -> None:
    headers = [("Host", "127.0.0.1:8000"), ("Accept", "application/json"), ("X-Tag", "a"), ("X-Tag", "b")]
    event = to_event(request("/api/v2/assets?tag=a&tag=b&limit=5&empty=", headers), {"sub": "user"})

    assert event["version"] == "2.0"
    assert event["rawPath"] == "/api/v2/assets"
    assert event["rawQueryString"] == "tag=a&tag=b&limit=5&empty="
    assert event["queryStringParameters"] == {"tag": "a,b", "limit": "5", "empty": ""}
    assert event["headers"] == {"host": "127.0.0.1:8000", "accept": "application/json", "x-tag": "a,b"}
    context = event["requestContext"]
    assert context["http"]["method"] == "GET"
    assert context["http"]["path"] == "/api/v2/assets"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["domainName"] == "127.0.0.1:8000"
    assert context["authorizer"] == {"jwt": {"claims": {"sub": "user"}, "scopes": None}}
    assert context["requestId"]
    assert isinstance(context["timeEpoch"], int)
    assert "body" not in event
    assert "cookies" not in event


def test_cookies_travel_apart_and_public_routes_have_no_authorizer() -> None:
    event = to_event(request("/api/openapi.json", [("Cookie", "a=1; b=2"), ("Cookie", "c=3")]), None)
    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert "cookie" not in event["headers"]
    assert "authorizer" not in event["requestContext"]
    assert "queryStringParameters" not in event


def test_text_bodies_arrive_as_text_and_binary_ones_in_base64() -> None:
    text = to_event(
        request("/api/v2/uploads", [("Content-Type", "application/json")], b'{"a": 1}', "POST"), None
    )
    assert (text["body"], text["isBase64Encoded"]) == ('{"a": 1}', False)

    raw = b"\x89PNG\r\n\x1a\n\x00\xff"
    binary = to_event(
        request("/api/v2/upload-asset", [("Content-Type", "multipart/form-data")], raw, "POST"), None
    )
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == raw


def test_the_answer_keeps_every_header_cookie_and_redirect() -> None:
    result = {
        "statusCode": 302,
        "headers": {"Location": "http://127.0.0.1:4566/x", "Vary": ["Accept", "Origin"]},
        "cookies": ["a=1; Path=/", "b=2"],
        "body": base64.b64encode(b"\x00\x01").decode(),
        "isBase64Encoded": True,
    }
    response = from_result(result, request_id="req-1")
    assert response.status == 302
    assert ("Location", "http://127.0.0.1:4566/x") in response.headers
    assert [value for name, value in response.headers if name == "Vary"] == ["Accept", "Origin"]
    assert [value for name, value in response.headers if name == "Set-Cookie"] == ["a=1; Path=/", "b=2"]
    assert ("apigw-requestid", "req-1") in response.headers
    assert response.body == b"\x00\x01"
