"""Settings for every test: fake AWS credentials, no tracing or metrics shipping, no real AWS."""

import io
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from functions.core.settings import ENV_NAMES

# Set before the first get_settings(), which reads them once (importing reads nothing).
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Trove",
        "POWERTOOLS_DEV": "false",
        ENV_NAMES["public_base_url"]: "https://api.example.com",
    }
)
for endpoint in (ENV_NAMES["s3_endpoint_url"], ENV_NAMES["dynamodb_endpoint_url"]):
    os.environ.pop(endpoint, None)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The media corpus (tests/media/generate.py), made once per session by real encoders."""
    from tests.media.generate import write_corpus

    return write_corpus(tmp_path_factory.mktemp("media"))


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict]]]:
    """The JSON lines the Logger writes from now on. Its handler holds the stream it was made with
    (whatever stdout was when functions.core.observability was first imported), so it is pointed at a
    buffer for the test, then back."""
    from functions.core.observability import logger

    handler = logger.registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    handler.setStream(previous)
