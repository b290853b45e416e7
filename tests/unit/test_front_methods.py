"""The local front answers methods API Gateway's HTTP API has no route for as API Gateway does: a JSON
404, never Python's HTML 501 page."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.front import Front


@pytest.fixture
def front(tmp_path: Path) -> Iterator[Front]:
    server = Front(0, web_root=tmp_path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "BREW", "get"])
@pytest.mark.parametrize("path", ["/api/v2/assets", "/api/openapi.json", "/index.html"])
def test_a_method_without_a_route_is_api_gateways_json_404(front: Front, method: str, path: str) -> None:
    # given
    host, port = front.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)

    # when
    connection.request(method, path, body=b"ignored", headers={"Content-Type": "text/plain"})
    answer = connection.getresponse()

    # then
    assert answer.status == 404
    assert answer.getheader("Content-Type") == "application/json"
    assert json.loads(answer.read()) == {"message": "Not Found"}


@pytest.mark.parametrize(
    ("method", "expected"), [("TRACE", 404), ("OPTIONS", 204)], ids=["refused TRACE", "CORS preflight"]
)
def test_the_connection_carries_the_next_request_after_one(front: Front, method: str, expected: int) -> None:
    # given: a request with a body answered without reading it as a route would, on a kept-alive connection
    host, port = front.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request(method, "/api/v2/assets", body=b'{"mode": "read"}', headers={"Content-Type": "application/json"})
    first = connection.getresponse()
    first.read()
    assert first.status == expected

    # when
    connection.request("GET", "/local/health")
    answer = connection.getresponse()

    # then
    assert answer.status == 200
    assert json.loads(answer.read())["status"] == "ok"
