"""Settings: one typed object, built once from the environment at cold start.

Domain code receives a Settings; only this module reads os.environ. Every variable's name is declared
here once (`ENV_NAMES`), for the code, the CDK stack and the local stack alike.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from functions.core import topology

# Settings field → the environment variable it is read from.
ENV_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "table_name": "TROVE_TABLE",
        "usages_table_name": "TROVE_USAGES_TABLE",
        "bucket_name": "TROVE_BUCKET",
        "public_base_url": "TROVE_PUBLIC_URL",
        "s3_endpoint_url": "TROVE_S3_ENDPOINT",
        "dynamodb_endpoint_url": "TROVE_DYNAMODB_ENDPOINT",
        "max_upload_bytes": "TROVE_MAX_UPLOAD_BYTES",
        "max_api_upload_bytes": "TROVE_MAX_API_UPLOAD_BYTES",
        "presign_expiry_seconds": "TROVE_PRESIGN_EXPIRY",
        "download_expiry_seconds": "TROVE_DOWNLOAD_EXPIRY",
        "pending_ttl_seconds": "TROVE_PENDING_TTL",
        "rendition_key_pair_id": "TROVE_RENDITION_KEY_PAIR_ID",
        "rendition_key_secret": "TROVE_RENDITION_KEY_SECRET",
        "secrets_endpoint_url": "TROVE_SECRETS_ENDPOINT",
        "rendition_link_window_seconds": "TROVE_RENDITION_LINK_WINDOW",
    }
)
# The region comes from the Lambda runtime (AWS_REGION), or from the AWS CLI's variable elsewhere.
REGION_ENV_NAMES: Final = ("AWS_REGION", "AWS_DEFAULT_REGION")
# Set by the Lambda runtime in every function, and nowhere else.
LAMBDA_MARKER: Final = "AWS_LAMBDA_FUNCTION_NAME"
# In a Lambda the stack names its resources (with a stage suffix): a missing name would silently
# point the function at the topology's default, someone else's table or bucket. Locally (the moto
# stack, the tests) the topology's names are the right ones.
REQUIRED_IN_LAMBDA: Final = ("table_name", "bucket_name")


class MissingSetting(RuntimeError):
    """The environment lacks a variable this function needs, or has one that does not parse."""


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
    # Token-free rendition URLs (functions/renditions/signing.py): the CloudFront public key's id, and
    # the Secrets Manager secret holding its private key (PEM). Empty: no such URLs are handed out.
    rendition_key_pair_id: str = ""
    rendition_key_secret: str = ""
    # Local stack only: where moto answers Secrets Manager. Empty in AWS.
    secrets_endpoint_url: str = ""
    rendition_link_window_seconds: int = topology.RENDITION_LINK_WINDOW_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """The settings `env` gives; MissingSetting names the first variable that is required and
        absent, or set to something that is not a number where a number is wanted."""
        if LAMBDA_MARKER in env:
            missing = [ENV_NAMES[name] for name in REQUIRED_IN_LAMBDA if not env.get(ENV_NAMES[name])]
            if missing:
                raise MissingSetting(f"{', '.join(missing)} must be set in a Lambda (the stack names these resources)")
        values: dict[str, str | int] = {}
        for field in fields(cls):
            variable = ENV_NAMES.get(field.name)
            if variable is None or variable not in env:
                continue
            raw = env[variable]
            if field.type == "int":
                try:
                    values[field.name] = int(raw)
                except ValueError:
                    raise MissingSetting(f"{variable} must be a whole number, not {raw!r}") from None
            else:
                # The public URL is joined with paths that start with "/".
                values[field.name] = raw.rstrip("/") if field.name == "public_base_url" else raw
        region = next((env[name] for name in REGION_ENV_NAMES if env.get(name)), None)
        if region:
            values["region"] = region
        return cls(**values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read on first call: handlers call it at cold start."""
    return Settings.from_env(os.environ)
