"""GET /api/v2/assets/{id}/processing on moto: the record the processor handler keeps, as its owner
reads it, and the same ids in the processor's log lines."""

from __future__ import annotations

STEPS = ["sniff", "inspect", "thumbnail", "hash", "settle"]


def test_the_owner_reads_each_attempt_of_a_ready_upload(api, uploaded, deliver):
    # given
    asset = uploaded("photo.jpg", "image", "jpg")
    deliver(f"uploads/{asset['id']}")

    # when
    response = api("GET", f"/api/v2/assets/{asset['id']}/processing")

    # then
    assert response.status == 200
    body = response.json()
    assert (body["assetId"], body["status"]) == (asset["id"], "ready")
    (attempt,) = body["attempts"]
    assert (attempt["attempt"], attempt["outcome"], attempt["error"]) == (1, "ready", None)
    assert [step["name"] for step in attempt["steps"]] == STEPS
    assert attempt["steps"][0]["bytesRead"] > 0 and attempt["steps"][0]["gets"] > 0
    assert attempt["peakMemoryBytes"] > 0


def test_a_rejected_upload_says_which_step_refused_it_and_why(api, uploaded, deliver, record):
    # given: a photo declared as a PDF
    asset = uploaded("photo.jpg", "document", "pdf")
    deliver(f"uploads/{asset['id']}")

    # when
    body = api("GET", f"/api/v2/assets/{asset['id']}/processing").json()

    # then
    reason = record(asset["id"])["statusReason"]
    (attempt,) = body["attempts"]
    assert (body["status"], attempt["outcome"], attempt["error"]) == ("rejected", "rejected", reason)
    assert [(step["name"], step["outcome"], step["error"]) for step in attempt["steps"]] == [
        ("sniff", "error", reason),
        ("settle", "ok", None),
    ]


def test_a_throttled_read_is_retried_and_both_attempts_are_recorded(api, uploaded, deliver, throttle_s3_gets):
    # given: the first delivery's first GET is throttled
    asset = uploaded("photo.jpg", "image", "jpg")
    throttle_s3_gets(times=1)
    first = deliver(f"uploads/{asset['id']}")

    # when: SQS delivers the message again
    second = deliver(f"uploads/{asset['id']}", receive_count=2)

    # then
    assert first["batchItemFailures"] and second == {"batchItemFailures": []}
    retried, ready = api("GET", f"/api/v2/assets/{asset['id']}/processing").json()["attempts"]
    assert (retried["attempt"], retried["outcome"]) == (1, "retried")
    assert "SlowDown" in retried["error"] and retried["steps"][-1]["outcome"] == "error"
    assert (ready["attempt"], ready["outcome"]) == (2, "ready")


def test_the_processor_logs_carry_the_correlation_id_the_record_shows(api, uploaded, deliver, log_lines):
    # given
    asset = uploaded("photo.jpg", "image", "jpg")

    # when
    deliver(f"uploads/{asset['id']}")

    # then
    (attempt,) = api("GET", f"/api/v2/assets/{asset['id']}/processing").json()["attempts"]
    settled = [line for line in log_lines() if line.get("asset_id") == asset["id"]]
    assert settled and all(line["correlation_id"] == attempt["correlationId"] for line in settled)


def test_another_users_asset_answers_as_reading_the_asset_does(api, uploaded, deliver):
    # given
    asset = uploaded("photo.jpg", "image", "jpg")
    deliver(f"uploads/{asset['id']}")

    # when
    processing = api("GET", f"/api/v2/assets/{asset['id']}/processing", user="user-b")

    # then
    reading = api(
        "GET", f"/api/v2/assets/{asset['id']}", user="user-b", headers={"Accept": "application/json"}
    )
    assert (processing.status, processing.json()) == (reading.status, reading.json())
    assert processing.status == 403 and "attempts" not in processing.body


def test_a_malformed_id_is_refused(api):
    # when
    response = api("GET", "/api/v2/assets/not-a-uuid/processing")

    # then
    assert response.status == 400
    assert response.json() == {"detail": "Invalid asset ID: must be a UUID"}


def test_an_unknown_asset_is_not_found(api):
    # when
    response = api("GET", "/api/v2/assets/5f0c1c1e-8a8e-4b8e-9a3e-2f7d2b0c9d11/processing")

    # then
    assert (response.status, response.json()) == (404, {"detail": "Asset not found"})


def test_a_link_asset_and_an_upload_not_yet_processed_have_no_attempts(api, upload):
    # given
    link = api("POST", "/api/v2/assets", body={"name": "Docs", "url": "https://example.com/docs"}).json()
    pending = upload()

    # when
    records = [api("GET", f"/api/v2/assets/{asset['id']}/processing").json() for asset in (link, pending)]

    # then
    assert records == [
        {"assetId": link["id"], "status": link["status"], "attempts": []},
        {"assetId": pending["id"], "status": "pending", "attempts": []},
    ]
