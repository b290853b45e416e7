"""Per request, one log line (route template, method, status, latency, the caller's id) and a count
and latency metric per route template (functions/api/request_log.py)."""

from __future__ import annotations

from collections.abc import Callable

TOKEN = "eyJhbGciOiJSUzI1NiJ9.secret-token-body.signature"


def _request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line.get("message") == "Request"]


def test_a_request_is_logged_by_route_template_with_status_latency_and_user_id(
    api, upload, log_lines: Callable[[], list[dict]]
) -> None:
    # given
    asset = upload()
    log_lines()  # the upload's own line is not this test's

    # when
    response = api(
        "GET", f"/api/v2/assets/{asset['id']}", headers={"Accept": "application/json", "Authorization": f"Bearer {TOKEN}"}
    )

    # then
    assert response.status == 200
    (line,) = _request_lines(log_lines())[-1:]
    assert line["route"] == "GET /api/v2/assets/{asset_id}"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert isinstance(line["latency_ms"], float) and line["latency_ms"] >= 0
    assert line["user"] == "user-a"


def test_the_token_is_never_logged(api, log_lines: Callable[[], list[dict]]) -> None:
    # when
    api("GET", "/api/v2/assets", headers={"Authorization": f"Bearer {TOKEN}"})

    # then
    assert _request_lines(log_lines())
    assert not any("secret-token-body" in str(line) for line in log_lines())


def test_each_request_is_counted_and_timed_under_its_route_template_not_its_path(
    api, upload, metric_blobs: Callable[[], list[dict]]
) -> None:
    # given
    asset = upload()
    metric_blobs()

    # when
    api("GET", f"/api/v2/assets/{asset['id']}/thumbnail")

    # then
    (blob,) = [blob for blob in metric_blobs() if "Requests" in blob]
    assert blob["Requests"] == [1.0]
    (latency,) = blob["Latency"]
    assert latency >= 0
    assert blob["route"] == "GET /api/v2/assets/{asset_id}/thumbnail"
    (dimensions,) = blob["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    assert sorted(dimensions) == ["route", "service"]
    assert asset["id"] not in str(blob)


def test_bad_input_is_logged_with_the_400_it_answered(api, log_lines: Callable[[], list[dict]]) -> None:
    # when: request validation refuses the body before any middleware would run
    response = api("POST", "/api/v2/uploads", body={"name": "x"})

    # then
    assert response.status == 400
    (line,) = _request_lines(log_lines())
    assert (line["route"], line["status"]) == ("POST /api/v2/uploads", 400)


def test_a_domain_error_is_logged_with_the_status_it_became(api, log_lines: Callable[[], list[dict]]) -> None:
    # when
    response = api("GET", "/api/v2/assets/7c9e6679-7425-40de-944b-e07fc1f90ae7", user="user-b")

    # then
    assert response.status == 404
    (line,) = _request_lines(log_lines())
    assert (line["route"], line["status"], line["user"]) == ("GET /api/v2/assets/{asset_id}", 404, "user-b")


def test_paths_no_route_serves_share_one_dimension(api, metric_blobs: Callable[[], list[dict]]) -> None:
    # when
    api("GET", "/api/v2/nothing-here/123")
    api("DELETE", "/api/v2/uploads")

    # then: neither the path nor the method makes a new series
    routes = [blob["route"] for blob in metric_blobs() if "Requests" in blob]
    assert routes == ["unmatched", "unmatched"]


def test_a_request_without_a_token_is_logged_without_a_user(api, log_lines: Callable[[], list[dict]]) -> None:
    # when
    response = api("GET", "/api/v2/assets", user=None)

    # then
    assert response.status == 401
    (line,) = _request_lines(log_lines())
    assert line["status"] == 401
    assert "user" not in line  # the Logger leaves out a key whose value is None
