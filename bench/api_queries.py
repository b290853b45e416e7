"""The API's reads, counted: which DynamoDB operations (and S3 calls) each list or read costs.

    python -m bench.api_queries

One process, in-process moto. 150 ready assets of one owner (images, videos, documents with clients,
campaigns and tags) plus 50 of another owner; then the API handler is called with HTTP API v2 events,
as API Gateway would, and every DynamoDB operation pynamodb sends is recorded at
`pynamodb.connection.base.Connection.dispatch`, every S3 call at botocore's `_make_api_call`.
A list of 100 must be one Query and nothing per item (no N+1). Latency through the handler on moto is
reported too (median of 10 calls), as a relative figure only: moto is not DynamoDB.
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
OWNER, OTHER = "bench-owner", "someone-else"
CASES = [
    # name, path, query, expected DynamoDB operations
    ("list 100", "/api/v2/assets", {"limit": "100"}, ["Query"]),
    ("list 100 of one client", "/api/v2/assets", {"clientId": "client-1", "limit": "100"}, ["Query"]),
    ("list 50 after 50 (offset)", "/api/v2/assets", {"limit": "50", "offset": "50"}, ["Query"]),
    (
        "list 100 by type and tag",
        "/api/v2/assets",
        {"asset_type": "image", "tag": "winter", "limit": "100"},
        None,
    ),
    ("one asset as JSON", "/api/v2/assets/{id}", {}, ["GetItem"]),
]


class _Context:
    function_name = "trove-api"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:trove-api"
    aws_request_id = "bench"


def _event(path: str, query: dict[str, str], accept: str = "application/json") -> dict:
    event = json.loads((ROOT / "events" / "api" / "list_assets.json").read_text())
    event = copy.deepcopy(event)
    event["rawPath"] = path
    event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = "GET"
    event["rawQueryString"] = urlencode(query)
    event.pop("queryStringParameters", None)
    if query:
        event["queryStringParameters"] = dict(query)
    event["headers"]["accept"] = accept
    event["requestContext"]["authorizer"]["jwt"]["claims"] = {"sub": OWNER}
    return event


def _seed(model, count: int, owner: str) -> list[str]:
    from functions.core.models import now

    kinds = [("image", "jpg"), ("video", "mp4"), ("document", "pdf"), ("audio", "mp3")]
    ids = []
    start = now() - timedelta(hours=1)
    for number in range(count):
        kind, fmt = kinds[number % len(kinds)]
        moment = start + timedelta(seconds=number)
        item = model(
            str(uuid.uuid4()),
            owner=owner,
            asset_type=kind,
            status="ready",
            name=f"asset-{number}.{fmt}",
            format=fmt,
            content_type="application/octet-stream",
            size=1000 + number,
            client_id=f"client-{number % 3}",
            campaign_id=f"campaign-{number % 5}",
            tags=["summer", "launch"] if number % 2 else ["winter"],
            width=640 if kind in ("image", "video") else None,
            height=480 if kind in ("image", "video") else None,
            uploaded_at=moment,
            created_at=moment,
            updated_at=moment,
        )
        item.object_key = f"uploads/{item.id}"
        item.thumbnail_key = f"thumbnails/{item.id}.jpg" if kind != "audio" else None
        item.save()
        ids.append(item.id)
    return ids


def run(calls: int = 10) -> dict:
    from bench.processor import ENVIRONMENT

    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    for variable in ("TROVE_S3_ENDPOINT", "TROVE_DYNAMODB_ENDPOINT"):
        os.environ.pop(variable, None)

    import warnings

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    from botocore.client import BaseClient
    from moto import mock_aws
    from pynamodb.connection.base import Connection

    with mock_aws():
        from functions.api.handler import lambda_handler
        from functions.core.models import AssetModel
        from functions.lineage.models import UsageModel

        for model in (AssetModel, UsageModel):
            model._connection = None
            model.create_table(wait=True)
        mine = _seed(AssetModel, 150, OWNER)
        _seed(AssetModel, 50, OTHER)

        dynamodb: list[str] = []
        s3: list[str] = []
        dispatch, make_api_call = Connection.dispatch, BaseClient._make_api_call

        def counted_dispatch(self, operation_name, operation_kwargs):
            dynamodb.append(operation_name)
            return dispatch(self, operation_name, operation_kwargs)

        def counted_call(self, operation_name, params):
            if self.meta.service_model.service_name == "s3":
                s3.append(operation_name)
            return make_api_call(self, operation_name, params)

        Connection.dispatch = counted_dispatch
        BaseClient._make_api_call = counted_call
        results = []
        try:
            for name, path, query, expected in CASES:
                event = _event(path.format(id=mine[-1]), query)
                lambda_handler(copy.deepcopy(event), _Context())  # warm: first-call costs are not the figure
                dynamodb.clear()
                s3.clear()
                response = lambda_handler(copy.deepcopy(event), _Context())
                operations, s3_calls = list(dynamodb), list(s3)
                body = json.loads(response.get("body") or "null")
                returned = len(body) if isinstance(body, list) else 1
                timings = []
                for _ in range(calls):
                    started = time.perf_counter()
                    lambda_handler(copy.deepcopy(event), _Context())
                    timings.append(time.perf_counter() - started)
                results.append(
                    {
                        "case": name,
                        "query": query,
                        "status": int(response["statusCode"]),
                        "items": returned,
                        "dynamodb_operations": operations,
                        "s3_calls": s3_calls,
                        "expected": expected,
                        "as_expected": expected is None or operations == expected,
                        "median_ms_on_moto": round(statistics.median(timings) * 1000, 1),
                    }
                )
        finally:
            Connection.dispatch = dispatch
            BaseClient._make_api_call = make_api_call
    return {"assets": {"owner": 150, "other_owner": 50}, "cases": results}


def main() -> int:
    result = run()
    for case in result["cases"]:
        print(
            f"{case['case']:28} {case['status']} {case['items']:>3} items  DynamoDB {case['dynamodb_operations']}"
            f"  S3 {case['s3_calls']}  {case['median_ms_on_moto']} ms"
        )
    return 0 if all(case["as_expected"] for case in result["cases"]) else 1


if __name__ == "__main__":
    sys.exit(main())
