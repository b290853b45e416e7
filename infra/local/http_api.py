"""API Gateway's HTTP API in miniature: a request as the payload 2.0 event a Lambda receives, and the
Lambda's answer as the HTTP response API Gateway sends back.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from infra.local.runtime import ACCOUNT_ID

# API Gateway's own quota for an HTTP API request body.
MAX_BODY_BYTES = 10 * 1024 * 1024
API_ID = "local"
# Bodies of these types arrive as text; anything else is base64-encoded, as API Gateway does.
TEXT_CONTENT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "+json",
    "+xml",
)


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str  # path and query, as on the request line
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def json(cls, status: int, payload: object, headers: list[tuple[str, str]] | None = None) -> HttpResponse:
        body = json.dumps(payload, separators=(",", ":")).encode()  # compact, as API Gateway writes it
        return cls(status, [("Content-Type", "application/json"), *(headers or [])], body)


def unauthorized(reason: str) -> HttpResponse:
    """API Gateway's JWT authorizer refusal, body and header alike."""
    challenge = f'Bearer scope="" error="invalid_token" error_description="{reason}"'
    return HttpResponse.json(401, {"message": "Unauthorized"}, [("www-authenticate", challenge)])


def internal_error() -> HttpResponse:
    return HttpResponse.json(500, {"message": "Internal Server Error"})


def too_large() -> HttpResponse:
    return HttpResponse.json(413, {"message": "Request Entity Too Large"})


def to_event(request: HttpRequest, claims: dict[str, str] | None) -> dict:
    """The payload 2.0 event: lower-cased headers and repeated query values joined with commas,
    cookies apart, a decoded path, the authorizer's claims when the route has one."""
    parts = urlsplit(request.target)
    path = unquote(parts.path)
    headers = _joined((name.lower(), value) for name, value in request.headers if name.lower() != "cookie")
    host = headers.get("host", "localhost")
    now = time.time()
    context = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": "$default",
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": parts.query,
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": False,
    }
    cookies = [
        cookie.strip()
        for name, value in request.headers
        if name.lower() == "cookie"
        for cookie in value.split(";")
        if cookie.strip()
    ]
    if cookies:
        event["cookies"] = cookies
    if parts.query:
        event["queryStringParameters"] = _joined(parse_qsl(parts.query, keep_blank_values=True))
    if request.body:
        event.update(_body(request.body, headers.get("content-type", "")))
    return event


def from_result(result: dict, request_id: str) -> HttpResponse:
    """The Lambda's payload 2.0 answer as HTTP: each header (a list value is one line per value),
    each cookie as its own Set-Cookie, the body decoded when the Lambda base64-encoded it."""
    headers = [("apigw-requestid", request_id)]
    for name, value in (result.get("headers") or {}).items():
        headers.extend((name, str(item)) for item in (value if isinstance(value, list) else [value]))
    headers.extend(("Set-Cookie", cookie) for cookie in result.get("cookies") or [])
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return HttpResponse(int(result["statusCode"]), headers, raw)


def _joined(pairs) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in pairs:
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


def _body(raw: bytes, content_type: str) -> dict:
    if any(kind in content_type.lower() for kind in TEXT_CONTENT_TYPES):
        try:
            return {"body": raw.decode("utf-8"), "isBase64Encoded": False}
        except UnicodeDecodeError:
            pass
    return {"body": base64.b64encode(raw).decode(), "isBase64Encoded": True}
