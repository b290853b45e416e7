"""The local stand-in for the Lambda runtime: the environment the handlers read, a context, the handlers.

Settings and the pynamodb model read the environment once, at import, so `configure_environment`
must run before anything imports `functions.*`; the handlers are therefore imported lazily.
"""

from __future__ import annotations

import importlib
import logging
import os
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

from functions.core import topology
from functions.core.settings import ENV_NAMES

REGION = "us-east-1"
# moto's default account: the ARNs it hands out (queues, tables) carry it.
ACCOUNT_ID = "123456789012"
# The credentials every local client signs with; the local S3 checks POST policies' signatures with them.
ACCESS_KEY_ID = "local"
SECRET_ACCESS_KEY = "local"
# The local stand-in for the CloudFront public key that checks token-free rendition URLs: the stack
# makes a key pair at start (infra/local/provision.py) and keeps its private half in moto's Secrets
# Manager under the topology's secret name, where the API reads it as it does in AWS.
RENDITION_KEY_PAIR_ID = "KTROVELOCAL"
HANDLER_MODULES = {
    "api": "functions.api.handler",
    "processor": "functions.processor.handler",
    "sweep": "functions.sweep.handler",
}
# A Lambda's default timeout; handlers that look at the remaining time see a plausible figure.
TIMEOUT_SECONDS = 30


def configure_environment(moto_url: str, public_url: str) -> None:
    """Point the handlers at moto and at the front, with fake credentials so nothing reaches AWS."""
    for leftover in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(leftover, None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            ENV_NAMES["s3_endpoint_url"]: moto_url,
            ENV_NAMES["dynamodb_endpoint_url"]: moto_url,
            ENV_NAMES["public_base_url"]: public_url,
            ENV_NAMES["secrets_endpoint_url"]: moto_url,
            ENV_NAMES["rendition_key_pair_id"]: RENDITION_KEY_PAIR_ID,
            ENV_NAMES["rendition_key_secret"]: topology.RENDITION_KEY_SECRET,
            # No X-Ray daemon and no CloudWatch here: tracing and EMF metrics would only print noise.
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "Trove",
        }
    )
    silence_handler_warnings()


def silence_handler_warnings() -> None:
    """With metrics disabled, every invocation would warn that it has none to publish. A process
    started with the environment above (a processor worker) calls this itself: filters are not inherited."""
    warnings.filterwarnings("ignore", message="No application metrics to publish")


def configure_console_logging() -> None:
    """The stack's own lines (requests, asset outcomes) at INFO; libraries only when something is
    wrong. The stack and its processor workers write to the same console, in the same format."""
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)-14s %(message)s", datefmt="%H:%M:%S"
    )
    logging.getLogger("local").setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request lines


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that powertools and the handlers read."""

    function_name: str
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(default_factory=lambda: time.monotonic() + TIMEOUT_SECONDS)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_handler(name: str) -> Callable[[dict, LambdaContext], dict]:
    """`api` or `processor`: the same `lambda_handler` the deployed function runs."""
    return importlib.import_module(HANDLER_MODULES[name]).lambda_handler


def invoke(name: str, event: dict) -> dict:
    """One invocation in this process. A Lambda sandbox serves one request at a time, and the handlers
    rely on it (powertools keeps the current event on the resolver class and the batch state on a
    module-level processor): every caller here is single-threaded, an API instance
    (infra.local.api_sandbox), a processor worker (infra.local.poller) or `make invoke`."""
    return load_handler(name)(event, LambdaContext(function_name=f"trove-{name}"))
