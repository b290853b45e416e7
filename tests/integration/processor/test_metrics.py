"""The processor's outcome metrics, as CloudWatch receives them (powertools' EMF lines on stdout): the
alarms on failed and rejected uploads read these names and dimensions; the same counts per asset type
come in lines of their own."""

from __future__ import annotations

import json


def _metric_blobs(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{") and '"_aws"' in line]


def _dimension_sets(blob: dict) -> list[list[str]]:
    return [sorted(names) for names in blob["_aws"]["CloudWatchMetrics"][0]["Dimensions"]]


def test_a_rejected_upload_is_counted_per_function(uploaded, deliver, capsys) -> None:
    # given: a photo declared as a PDF
    asset = uploaded("photo.jpg", "document", "pdf")
    capsys.readouterr()

    # when
    deliver(f"uploads/{asset['id']}")

    # then
    blobs = [blob for blob in _metric_blobs(capsys.readouterr().out) if "Upload_rejected" in blob]
    (blob,) = [blob for blob in blobs if _dimension_sets(blob) == [["function", "service"]]]
    assert blob["Upload_rejected"] == [1.0]
    assert blob["function"] == "trove-api"  # the test LambdaContext's function_name


def test_a_ready_upload_is_counted_as_ready(uploaded, deliver, capsys) -> None:
    # given
    asset = uploaded("photo.jpg", "image", "jpg")
    capsys.readouterr()

    # when
    deliver(f"uploads/{asset['id']}")

    # then
    names = {
        name for blob in _metric_blobs(capsys.readouterr().out) for name in blob if name.startswith("Upload_")
    }
    assert names == {"Upload_ready"}


def test_each_outcome_is_counted_per_asset_type_too(uploaded, deliver, capsys) -> None:
    # given: a photo declared as a PDF, and a photo declared as one
    rejected = uploaded("photo.jpg", "document", "pdf")
    ready = uploaded("photo.jpg", "image", "jpg")
    capsys.readouterr()

    # when
    deliver(f"uploads/{rejected['id']}")
    deliver(f"uploads/{ready['id']}")

    # then: one line per outcome with the record's type as a third dimension
    typed = [blob for blob in _metric_blobs(capsys.readouterr().out) if "type" in blob]
    assert all(_dimension_sets(blob) == [["function", "service", "type"]] for blob in typed)
    counted = sorted(
        (name, blob["type"], blob["function"], blob[name])
        for blob in typed
        for name in blob
        if name.startswith("Upload_")
    )
    assert counted == [
        ("Upload_ready", "image", "trove-api", [1.0]),
        ("Upload_rejected", "document", "trove-api", [1.0]),
    ]
