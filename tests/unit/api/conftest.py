"""The API's resolver with its routes, on in-process moto, and the AWS clients priming makes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.api.priming import AwsClients


@pytest.fixture
def api_handler() -> Iterator[Any]:
    """functions.api.handler on moto, with the tables made, and no client made yet."""
    with mock_aws():
        from functions.api import handler
        from functions.core import storage
        from functions.core.models import AssetModel
        from functions.lineage.models import UsageModel

        for model in (AssetModel, UsageModel):
            model._connection = None  # a connection made outside this mock would reach real AWS
            if not model.exists():
                model.create_table(wait=True)
            model._connection = None
        storage.s3_client.cache_clear()
        boto3.DEFAULT_SESSION = None
        yield handler


@pytest.fixture
def clients(api_handler: Any) -> AwsClients:
    from functions.core.models import AssetModel
    from functions.lineage.models import UsageModel

    return AwsClients(api_handler.settings, (AssetModel, UsageModel))
