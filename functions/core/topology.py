"""The one declaration of Trove's resources, shared by the CDK stack and the local stack.

Names, key prefixes, indexes and limits live here and nowhere else, so the deployed topology
and the embedded one cannot drift. Plain data only: no AWS SDK imports, cheap to import.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024

# Seed 002: "50MB file size limit".
MAX_UPLOAD_BYTES = 50 * MB
# What API Gateway (HTTP API) carries in a request body is 10 MB, and Lambda's synchronous
# payload is 6 MB, base64 included: multipart uploads through the API stop well below both.
MAX_API_UPLOAD_BYTES = 4 * MB
PRESIGN_EXPIRY_SECONDS = 600
DOWNLOAD_URL_EXPIRY_SECONDS = 300
# A pending item whose bytes never arrive is removed by DynamoDB TTL after this long.
PENDING_TTL_SECONDS = 24 * 3600
# Objects left under uploads/ (the quarantine: bytes nobody has checked yet, or whose check never
# finished) and abandoned multipart uploads are removed by a bucket lifecycle rule after this long.
ABANDONED_UPLOAD_DAYS = 1

# Browsers post to uploads/ (never served); the processor copies bytes that pass its checks to
# files/ (the only prefix a download URL names) and deletes the upload. Thumbnails are made from
# checked bytes only.
UPLOADS_PREFIX = "uploads/"
FILES_PREFIX = "files/"
THUMBNAILS_PREFIX = "thumbnails/"
# Renditions (functions/renditions/): `renditions/{assetId}/{version}/{w}x{h}-{fit}-p{page}.{format}`, made on
# request from checked bytes. Widths and heights come from this list only, so a caller cannot make
# the service render (and store) every size there is.
RENDITIONS_PREFIX = "renditions/"
RENDITION_SIDES: tuple[int, ...] = (160, 320, 640, 960, 1280, 1920, 2560)
# Token-free rendition URLs (functions/renditions/signing.py) are served under this path: CloudFront's
# `/renditions/*` behaviour in AWS, the local front locally. A URL made at any moment of one window
# expires at the end of the next, so it is the same URL for a whole window and browsers and CloudFront
# cache it. What the token-free path answers inline: a Lambda's answer is at most 6 MB, base64
# included; a larger rendition is a redirect to a short-lived S3 URL instead.
RENDITION_LINKS_PATH = "/renditions"
RENDITION_LINK_WINDOW_SECONDS = 3600
MAX_INLINE_RENDITION_BYTES = 4 * MB
# The Secrets Manager secret holding the signing key's private half (PEM); its public half is a
# CloudFront public key. The stack suffixes the name with the stage, like every resource.
RENDITION_KEY_SECRET = "trove-rendition-signing-key"


@dataclass(frozen=True)
class InspectionBudget:
    """What checking one file may cost, enforced by the operating system on the inspection worker:
    CPU seconds (RLIMIT_CPU), memory (RLIMIT_AS over the worker's idle footprint) and wall-clock
    seconds (the caller kills the worker). A file over budget is rejected as too costly to process."""

    cpu_seconds: int
    memory_mb: int
    wall_seconds: int


# Sized from the benchmark and test corpora (docs/decisions.md): every legitimate file passes with
# margin (at most 1.7 s of CPU; 420 MB for the largest, a 100 MP RGBA PNG, which is why images get
# more memory than the rest), and a worker at its budget beside its parent (about 100 MB) fits the
# functions that run it (API 1,024 MB, processor and sweep 2,048 MB).
INSPECTION_BUDGETS: dict[str, InspectionBudget] = {
    "image": InspectionBudget(cpu_seconds=8, memory_mb=576, wall_seconds=15),
    "video": InspectionBudget(cpu_seconds=8, memory_mb=320, wall_seconds=15),
    "audio": InspectionBudget(cpu_seconds=4, memory_mb=192, wall_seconds=10),
    "document": InspectionBudget(cpu_seconds=8, memory_mb=320, wall_seconds=15),
}

# Lineage scans (POST /api/v2/scans): what analysing one consumer's code may cost. Sized from the
# parsers' worst inputs (bench/scan_worst.py) so that every scan answers within a few seconds.
# Code per parser family, as UTF-8, each sized so its worst input costs about 3 s of CPU: tree-sitter
# takes 4 s per MB of nested TypeScript generic calls, and sqlglot (pure Python) 20 s per MB of JSON
# paths (`x->'a'->'a'…`) in SQL that DuckDB, then PostgreSQL, parse to the end and refuse.
MAX_SCAN_CODE_BYTES: dict[str, int] = {"python": 1 * MB, "javascript/typescript": MB // 2, "sql": MB // 8}
# An asset URI is part of a usage's DynamoDB keys (partition key at most 2,048 bytes, with the owner).
MAX_ASSET_URI_BYTES = 1024
# How many names one name may be defined through (`a = f"{b}"`, `b = f"{c}"`, ...).
MAX_NAME_RESOLUTION_DEPTH = 64
# Functions, lambdas and classes nested in one another: finding a name's binding climbs through them.
MAX_SCOPE_NESTING = 100


@dataclass(frozen=True)
class Index:
    name: str
    hash_key: str
    range_key: str


@dataclass(frozen=True)
class TableTopology:
    name: str
    hash_key: str
    ttl_attribute: str
    indexes: tuple[Index, ...]
    range_key: str | None = None


@dataclass(frozen=True)
class QueueTopology:
    name: str
    dlq_name: str
    max_receive_count: int
    visibility_timeout_seconds: int
    batch_size: int
    # The most processor invocations the event source runs at once (SQS event sources: 2 to 1,000).
    max_concurrency: int


@dataclass(frozen=True)
class BucketTopology:
    name: str
    uploads_prefix: str
    files_prefix: str
    thumbnails_prefix: str
    cors_methods: tuple[str, ...]
    cors_headers: tuple[str, ...]
    # What a browser may read back from S3's answers (a presigned POST's ETag and Location, which
    # upload widgets such as Uppy's AwsS3 require), and how long it may cache a preflight.
    cors_exposed_headers: tuple[str, ...]
    cors_max_age_seconds: int


# Every list filter is a Query on one of these; newest first through the shared range key.
SORT_KEY = "listKey"
BY_OWNER = Index("byOwner", "owner", SORT_KEY)
BY_OWNER_CLIENT = Index("byOwnerClient", "ownerClient", SORT_KEY)
BY_OWNER_CAMPAIGN = Index("byOwnerCampaign", "ownerCampaign", SORT_KEY)
BY_OWNER_PROJECT = Index("byOwnerProject", "ownerProject", SORT_KEY)
BY_OWNER_TODO = Index("byOwnerTodo", "ownerTodo", SORT_KEY)
BY_OWNER_TYPE = Index("byOwnerType", "ownerType", SORT_KEY)
BY_OWNER_SHA256 = Index("byOwnerSha256", "ownerSha256", SORT_KEY)
ASSET_INDEXES: tuple[Index, ...] = (
    BY_OWNER, BY_OWNER_CLIENT, BY_OWNER_CAMPAIGN, BY_OWNER_PROJECT, BY_OWNER_TODO, BY_OWNER_TYPE, BY_OWNER_SHA256,
)  # fmt: skip

# Usages: the table's key (`pk` = `{owner}#{assetUri}`, `sk` = `{kind}:{path}#{origin}`) answers "who
# uses this asset"; this index answers "what does this consumer use" (`consumerPath` equal) and "what
# do a flow's steps use" (`consumerPath` begins with the flow's path), both within one owner.
BY_OWNER_CONSUMER_PATH = Index("byOwnerConsumerPath", "owner", "consumerPath")
USAGE_INDEXES: tuple[Index, ...] = (BY_OWNER_CONSUMER_PATH,)

ASSETS_TABLE = TableTopology(
    name="trove-assets", hash_key="id", ttl_attribute="expiresAt", indexes=ASSET_INDEXES
)
USAGES_TABLE = TableTopology(
    name="trove-usages", hash_key="pk", range_key="sk", ttl_attribute="expiresAt", indexes=USAGE_INDEXES
)

UPLOADS_QUEUE = QueueTopology(
    name="trove-uploads",
    dlq_name="trove-uploads-dlq",
    # Lambda's advice for SQS sources is at least 5: every receive counts, also one whose batch timed
    # out or was reported unfinished (a slow file in the same batch) and one Lambda could not invoke
    # (throttled), so 5 gives an innocent message room to be retried before it is dead-lettered.
    max_receive_count=5,
    # At least 6x the processor's timeout (its timeout is derived from this: 30 s), so a batch still
    # running is never handed to a second invocation.
    visibility_timeout_seconds=180,
    # One upload per invocation: the records of a batch are processed one after another, so in a
    # batch of several, another user's bomb would hold an innocent upload for its whole budget (the
    # isolation benchmark: at worst 25 s, instead of 8 with batches of one). An invocation costs milliseconds beside a file's check.
    batch_size=1,
    # With a maximum concurrency the pollers stop reading when that many invocations run, instead of
    # invoking and being throttled (throttled receives count towards max_receive_count). 10 files at
    # once is 20 GB of processor memory, and leaves the account's concurrency (1,000 by default) to
    # the API. Keep it below any reserved concurrency given to the processor.
    max_concurrency=10,
)

BUCKET = BucketTopology(
    name="trove-assets",
    uploads_prefix=UPLOADS_PREFIX,
    files_prefix=FILES_PREFIX,
    thumbnails_prefix=THUMBNAILS_PREFIX,
    cors_methods=("GET", "POST", "HEAD"),
    cors_headers=("*",),
    cors_exposed_headers=("ETag", "Location"),
    cors_max_age_seconds=3000,
)

API_PREFIX = "/api"
OPENAPI_PATH = "/api/openapi.json"

# The web page's `config.json`, written by the local stack and by the CDK stack, read by
# web/js/auth.js (which accepts these keys and no other spelling).
WEB_CONFIG_FILE = "config.json"
WEB_AUTH_LOCAL = "local"
WEB_AUTH_COGNITO = "cognito"


def web_config(
    *,
    api_base: str,
    auth: str,
    region: str | None = None,
    user_pool_id: str | None = None,
    user_pool_client_id: str | None = None,
) -> dict[str, str]:
    """The page's configuration: where the API is (`""` = the page's own origin) and how to sign in;
    the Cognito keys only in Cognito mode."""
    config = {"apiBase": api_base, "auth": auth}
    if auth == WEB_AUTH_COGNITO:
        if not (region and user_pool_id and user_pool_client_id):
            raise ValueError("Cognito sign-in needs the region, the user pool id and its client id")
        config |= {"region": region, "userPoolId": user_pool_id, "userPoolClientId": user_pool_client_id}
    return config
