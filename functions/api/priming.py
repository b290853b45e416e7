"""SnapStart priming for the API function: what its first request would build is built before the
snapshot, and what must differ between sandboxes is renewed after each restore.

With SnapStart (infra/constructs/api.py) Lambda runs the init phase once per published version and
snapshots the memory; every new sandbox resumes from that snapshot. So work done at init is paid
once, at publish time, instead of on a user's first request:

- the schemas: Powertools builds a route's validation models (its pydantic fields, `route.dependant`)
  on the route's first request; generating the OpenAPI document builds them for every route at once,
  so a synthetic `GET /api/openapi.json` is resolved through the app (no AWS call, no token needed);
- the AWS clients: botocore loads and parses its service models and endpoint rules when a client is
  made. S3's client (`storage.s3_client`) and one DynamoDB connection per pynamodb model are made.
  No request is sent: a socket opened before the snapshot would be a dead one after a restore.

Nothing here starts the inspection worker (functions/processor/inspect/budget.py): a snapshot must not
hold child processes, and the worker starts only when a multipart upload is examined.

After a restore (`refresh_after_restore`), per AWS's "Handling uniqueness with Lambda SnapStart":
- `random` is reseeded: every sandbox restored from one snapshot would otherwise draw the same numbers
  (botocore's retry jitter among them, so restored sandboxes would retry in step). `uuid.uuid4` and
  `secrets` read os.urandom on each call, so asset ids are unique per sandbox without any of this;
- the clients are made again in new botocore sessions, so each sandbox resolves its own credentials
  rather than sharing the ones cached in the snapshot (which may be near their expiry). Only the
  sessions are new: the parsed service models are kept (`_loader`), which is what made clients slow.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from functions.core import storage, topology
from functions.core.settings import Settings

if TYPE_CHECKING:
    import botocore.loaders
    import botocore.session
    from pynamodb.models import Model

# boto3 and botocore are imported when priming runs, not with the handler: outside SnapStart this
# module only decides that there is nothing to register.


@dataclass(frozen=True)
class AwsClients:
    """The AWS clients the API's requests use: S3 through boto3's default session, DynamoDB through
    one pynamodb connection per model (each with a botocore session of its own)."""

    settings: Settings
    models: Sequence[type[Model]]

    def make(self) -> None:
        import boto3

        boto3.setup_default_session(botocore_session=_session())
        storage.s3_client(self.settings)
        for model in self.models:
            connection = model._get_connection().connection
            # pynamodb makes a botocore session (per thread) on first use; one that shares the parsed
            # models keeps a restore from parsing DynamoDB's again. Its client is made on first access.
            connection._local.session = _session()
            connection.client  # noqa: B018

    def drop(self) -> None:
        """Forget the clients and the credentials their sessions resolved."""
        import boto3

        storage.s3_client.cache_clear()
        boto3.DEFAULT_SESSION = None
        for model in self.models:
            # How pynamodb forgets a model's connection (functions/core/models.py `bind` does the same).
            model._connection = None


def register_hooks(app: Any, settings: Settings) -> bool:
    """Prime before the snapshot and refresh after each restore, if this runs under SnapStart.

    `snapshot_restore_py` (AWS's Snapshot Restore for Python) ships in Lambda's managed Python
    runtimes, 3.12 and later, not in the function's layers. Where it is absent (the local stack)
    there is no snapshot, and priming would only move the same work from the first request into the
    import, so nothing is registered. Where the hooks are registered but no snapshot is taken (Lambda
    without SnapStart, `$LATEST`, the tests' Python with the PyPI package) nothing calls them."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    from functions.core.models import AssetModel
    from functions.lineage.models import UsageModel

    clients = AwsClients(settings, (AssetModel, UsageModel))
    register_before_snapshot(prime, app, clients)
    register_after_restore(refresh_after_restore, clients)
    return True


def prime(app: Any, clients: AwsClients) -> None:
    """Build, before the snapshot, what the first request would: every route's validation models and
    the AWS clients (`app` is the API's resolver)."""
    build_schemas(app)
    clients.make()


def refresh_after_restore(clients: AwsClients) -> None:
    """What must be this sandbox's own after a restore: randomness and credentials."""
    random.seed()  # from os.urandom
    clients.drop()
    clients.make()


def build_schemas(app: Any) -> None:
    """Resolve `GET /api/openapi.json` once: generating the document builds every route's models."""
    response = app.resolve(_openapi_request(), None)
    if response["statusCode"] != 200:
        raise RuntimeError(f"priming: GET {topology.OPENAPI_PATH} answered {response['statusCode']}")


@cache
def _loader() -> botocore.loaders.Loader:
    """botocore's parsed service models and endpoint rules, shared by every session made here: a new
    session re-resolves credentials without parsing S3's and DynamoDB's models again."""
    import botocore.loaders

    return botocore.loaders.create_loader()


def _session() -> botocore.session.Session:
    import botocore.session

    session = botocore.session.get_session()
    session.register_component("data_loader", _loader())
    return session


def _openapi_request() -> dict:
    """An HTTP API (payload 2.0) event for the public OpenAPI document, as API Gateway sends it."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": topology.OPENAPI_PATH,
        "rawQueryString": "",
        "headers": {"accept": "application/json", "host": "priming.invalid"},
        "requestContext": {
            "domainName": "priming.invalid",
            "http": {"method": "GET", "path": topology.OPENAPI_PATH, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
            "requestId": "snapstart-priming",
            "routeKey": "$default",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }
