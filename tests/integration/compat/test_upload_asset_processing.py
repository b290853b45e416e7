"""POST /api/v2/upload-asset processes the file inside the API request: the attempt is recorded like
the processor's, its log lines carry the attempt's correlation id, and the request's own line keeps
the request's."""

from __future__ import annotations

from tests.media.generate import jpeg


def test_a_multipart_upload_records_its_attempt_and_the_request_keeps_its_correlation_id(call, log_lines):
    # given
    form = [("file", ("photo.jpg", jpeg(64, 48), "image/jpeg")), ("name", "Photo")]

    # when
    asset = call("POST", "/api/v2/upload-asset", form=form).json()

    # then
    (attempt,) = call("GET", f"/api/v2/assets/{asset['id']}/processing").json()["attempts"]
    assert (asset["status"], attempt["outcome"]) == ("ready", "ready")
    lines = log_lines()
    (settled,) = [line for line in lines if line["message"] == "Upload settled"]
    (request,) = [line for line in lines if line.get("route") == "POST /api/v2/upload-asset"]
    assert settled["correlation_id"] == attempt["correlationId"]
    assert request["correlation_id"] not in (None, attempt["correlationId"])
