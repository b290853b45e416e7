"""The front as API Gateway: the JWT authorizer's 401s, owner-only access, the public routes, bad input."""

from __future__ import annotations

import base64
import http.client
import json
import time
from urllib.parse import urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.local.harness import Client, StackProcess

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

UNAUTHORIZED = {"message": "Unauthorized"}


def token_for(stack: StackProcess, user: str, **extra: object) -> str:
    answer = requests.post(f"{stack.url}/local/token", json={"user": user, **extra}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def list_with(stack: StackProcess, authorization: str | None) -> requests.Response:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return requests.get(f"{stack.url}/api/v2/assets", headers=headers, timeout=10)


def test_a_request_without_a_token_gets_api_gateways_401(local_stack: StackProcess) -> None:
    for authorization in (None, "", "Bearer", "Bearer not-a-jwt"):
        answer = list_with(local_stack, authorization)
        assert answer.status_code == 401
        assert answer.json() == UNAUTHORIZED
        assert answer.headers["www-authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(local_stack: StackProcess) -> None:
    token = token_for(local_stack, "alice", expiresIn=1)
    time.sleep(2.1)  # past `exp`: the authorizer allows no leeway
    answer = list_with(local_stack, f"Bearer {token}")
    assert answer.status_code == 401
    assert "expired" in answer.headers["www-authenticate"]


def test_a_token_signed_with_another_key_is_refused(local_stack: StackProcess) -> None:
    genuine = token_for(local_stack, "alice")
    claims = jwt.decode(genuine, options={"verify_signature": False})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers=jwt.get_unverified_header(genuine))
    assert list_with(local_stack, f"Bearer {forged}").status_code == 401


def test_a_tampered_or_unsigned_token_is_refused(local_stack: StackProcess) -> None:
    header, payload, signature = token_for(local_stack, "alice").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    tampered = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert list_with(local_stack, f"Bearer {header}.{tampered}.{signature}").status_code == 401
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    assert list_with(local_stack, f"Bearer {unsigned}").status_code == 401


def test_a_valid_token_reaches_the_api_with_or_without_the_bearer_scheme(local_stack: StackProcess) -> None:
    token = token_for(local_stack, "alice")
    assert list_with(local_stack, f"Bearer {token}").status_code == 200
    assert list_with(local_stack, token).status_code == 200


def test_tokens_carry_a_stable_identity_per_user(local_stack: StackProcess, alice: Client) -> None:
    first, second = (
        jwt.decode(token_for(local_stack, "alice"), options={"verify_signature": False}) for _ in "12"
    )
    assert (
        first["sub"]
        == second["sub"]
        != jwt.decode(token_for(local_stack, "bob"), options={"verify_signature": False})["sub"]
    )
    assert first["token_use"] == "id"
    assert first["cognito:username"] == "alice"
    link = alice.api("POST", "/api/v2/assets", json={"name": "docs", "url": "https://example.com/docs"})
    assert link.json()["userId"] == int(first["custom:userId"])


def test_another_user_can_neither_reach_nor_list_an_asset(alice: Client, bob: Client) -> None:
    created = alice.api(
        "POST", "/api/v2/assets", json={"name": "alice's link", "url": "https://example.com/a"}
    )
    assert created.status_code == 201
    path = f"/api/v2/assets/{created.json()['id']}"

    for method, suffix, body in [
        ("GET", "", None),
        ("GET", "/thumbnail", None),
        ("PATCH", "", {"name": "mine now"}),
        ("DELETE", "", None),
    ]:
        answer = bob.api(method, path + suffix, json=body, allow_redirects=False)
        assert answer.status_code in (403, 404), (method, suffix, answer.status_code)
    assert bob.record(created.json()["id"]).status_code in (403, 404)
    assert created.json()["id"] not in {asset["id"] for asset in bob.api("GET", "/api/v2/assets").json()}
    assert alice.record(created.json()["id"]).json()["name"] == "alice's link"


def test_the_openapi_document_needs_no_token(local_stack: StackProcess) -> None:
    answer = requests.get(f"{local_stack.url}/api/openapi.json", timeout=10)
    assert answer.status_code == 200
    assert "/api/v2/uploads" in answer.json()["paths"]


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[1, 2]",
        "{}",
        '{"user": ""}',
        '{"user": "a b"}',
        '{"user": 7}',
        '{"user": "x", "expiresIn": 0}',
    ],
)
def test_a_bad_token_request_gets_400_with_a_detail(local_stack: StackProcess, body: str) -> None:
    answer = requests.post(f"{local_stack.url}/local/token", data=body, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["detail"]


def test_the_page_its_config_and_cors(local_stack: StackProcess) -> None:
    page = requests.get(f"{local_stack.url}/", timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert requests.get(f"{local_stack.url}/config.json", timeout=10).json() == {
        "apiBase": "",
        "auth": "local",
    }
    assert requests.get(f"{local_stack.url}/no-such-file.js", timeout=10).status_code == 404

    preflight = requests.options(
        f"{local_stack.url}/api/v2/assets",
        headers={"Origin": "http://elsewhere.example", "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()


def raw_request(stack: StackProcess, request: bytes) -> int:
    """The status of a hand-written request, for what a well-behaved client would never send."""
    address = urlsplit(stack.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.connect()
    connection.sock.sendall(request)
    response = http.client.HTTPResponse(connection.sock)
    response.begin()
    connection.close()
    return response.status


def test_the_front_survives_bad_requests(local_stack: StackProcess) -> None:
    assert raw_request(local_stack, b"GET /../../pyproject.toml HTTP/1.1\r\nHost: x\r\n\r\n") == 404
    assert (
        raw_request(local_stack, b"POST /local/token HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
        == 400
    )
    assert (
        raw_request(
            local_stack, b"POST /api/v2/uploads HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n"
        )
        == 413
    )
    assert raw_request(local_stack, b"GET /a b HTTP/1.1\r\n\r\n") == 400
    assert requests.get(f"{local_stack.url}/local/health", timeout=10).ok
