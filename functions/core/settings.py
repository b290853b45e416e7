"""Settings: one typed object, built once from the environment at cold start.

Domain code receives a Settings; only this module reads os.environ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from functions.core import topology


@dataclass(frozen=True)
class Settings:
    table_name: str = topology.ASSETS_TABLE.name
    usages_table_name: str = topology.USAGES_TABLE.name
    bucket_name: str = topology.BUCKET.name
    region: str = "us-east-1"
    # The base of the `url`/`thumbnailUrl` fields; when empty, the API uses the request's own host.
    public_base_url: str = ""
    # Local stack only: where moto answers. Empty in AWS.
    s3_endpoint_url: str = ""
    dynamodb_endpoint_url: str = ""
    max_upload_bytes: int = topology.MAX_UPLOAD_BYTES
    max_api_upload_bytes: int = topology.MAX_API_UPLOAD_BYTES
    presign_expiry_seconds: int = topology.PRESIGN_EXPIRY_SECONDS
    download_expiry_seconds: int = topology.DOWNLOAD_URL_EXPIRY_SECONDS
    pending_ttl_seconds: int = topology.PENDING_TTL_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        defaults = cls()
        return cls(
            table_name=env.get("TROVE_TABLE", defaults.table_name),
            usages_table_name=env.get("TROVE_USAGES_TABLE", defaults.usages_table_name),
            bucket_name=env.get("TROVE_BUCKET", defaults.bucket_name),
            region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", defaults.region)),
            public_base_url=env.get("TROVE_PUBLIC_URL", defaults.public_base_url).rstrip("/"),
            s3_endpoint_url=env.get("TROVE_S3_ENDPOINT", defaults.s3_endpoint_url),
            dynamodb_endpoint_url=env.get("TROVE_DYNAMODB_ENDPOINT", defaults.dynamodb_endpoint_url),
            max_upload_bytes=int(env.get("TROVE_MAX_UPLOAD_BYTES", defaults.max_upload_bytes)),
            max_api_upload_bytes=int(env.get("TROVE_MAX_API_UPLOAD_BYTES", defaults.max_api_upload_bytes)),
            presign_expiry_seconds=int(env.get("TROVE_PRESIGN_EXPIRY", defaults.presign_expiry_seconds)),
            download_expiry_seconds=int(env.get("TROVE_DOWNLOAD_EXPIRY", defaults.download_expiry_seconds)),
            pending_ttl_seconds=int(env.get("TROVE_PENDING_TTL", defaults.pending_ttl_seconds)),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env(os.environ)
