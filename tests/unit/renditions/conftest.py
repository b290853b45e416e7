"""A signing key, and asset records as the processor leaves them, for the rendition tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from functions.core.models import AssetModel, now
from functions.renditions.signing import SigningKey


def _new_key(key_pair_id: str) -> SigningKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningKey.from_pem(key_pair_id, pem)


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return _new_key("K2JCJMDEHXQW5F")


@pytest.fixture(scope="session")
def other_key() -> SigningKey:
    """Another key pair under the same id: what a forger without the private key would have."""
    return _new_key("K2JCJMDEHXQW5F")


@pytest.fixture
def ready_asset() -> Callable[..., AssetModel]:
    """A record as the processor leaves a checked file (not saved anywhere)."""

    def make(**fields: Any) -> AssetModel:
        moment = now()
        values = {
            "owner": "owner-sub",
            "asset_type": "image",
            "status": "ready",
            "name": "photo.jpg",
            "etag": '"9b2cf535f27731c974343645a3985328"',
            "width": 1000,
            "height": 750,
            "uploaded_at": moment,
            "created_at": moment,
            "updated_at": moment,
            **fields,
        }
        return AssetModel("0f8fad5b-d9cb-469f-a165-70867728950e", **values)

    return make
