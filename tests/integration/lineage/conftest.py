"""Lineage fixtures: scans and ready assets through the API (the `aws` fixture creates the usages table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.integration.conftest import Api, ApiResponse


@pytest.fixture
def scan(api: Api) -> Callable[..., ApiResponse]:
    """POST /api/v2/scans: `scan("load_s3_file('s3://b/k')", path="f/etl/extract")`."""

    def post(
        content: str, *, path: str = "f/x/script", kind: str = "script", language: str = "python", user: str = "user-a"
    ) -> ApiResponse:
        body = {"path": path, "kind": kind, "language": language, "content": content}
        return api("POST", "/api/v2/scans", user=user, body=body)

    return post


@pytest.fixture
def ready_asset(upload, make_ready) -> Callable[..., dict]:
    """A ready image of `user`, as the API showed it on upload."""

    def create(user: str = "user-a", **fields: Any) -> dict:
        asset = upload(user=user, **fields)
        make_ready(asset["id"])
        return asset

    return create
