"""The processor's outcome metrics, as CloudWatch receives them (powertools' EMF lines on stdout): the
alarms on failed and rejected uploads read these names and dimensions."""

from __future__ import annotations

import json


def _metric_blobs(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{") and '"_aws"' in line]


def test_a_rejected_upload_is_counted_per_function(uploaded, deliver, capsys) -> None:
    # given: a photo declared as a PDF
    asset = uploaded("photo.jpg", "document", "pdf")
    capsys.readouterr()

    # when
    deliver(f"uploads/{asset['id']}")

    # then
    (blob,) = [blob for blob in _metric_blobs(capsys.readouterr().out) if "Upload_rejected" in blob]
    assert blob["Upload_rejected"] == [1.0]
    assert blob["function"] == "trove-api"  # the test LambdaContext's function_name
    (dimensions,) = blob["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    assert sorted(dimensions) == ["function", "service"]


def test_a_ready_upload_is_counted_as_ready(uploaded, deliver, capsys) -> None:
    # given
    asset = uploaded("photo.jpg", "image", "jpg")
    capsys.readouterr()

    # when
    deliver(f"uploads/{asset['id']}")

    # then
    names = {name for blob in _metric_blobs(capsys.readouterr().out) for name in blob if name.startswith("Upload_")}
    assert names == {"Upload_ready"}
