"""Rendition links through the API handler on moto: owner only, and a token-free URL of bytes that were
replaced, or of a deleted asset, is refused before anything is rendered."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

import boto3
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_PAIR_ID = "KTESTSIGNING"
SECRET = "test-rendition-signing-key"


def ready_photo(upload, make_ready, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A ready 1000×750 image of user-a's, and a signing key in (moto's) Secrets Manager named in the
    routes' settings, as the stack provides them (a fresh key cache, restored after the test)."""
    from functions.api.routes import rendition_links

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name=SECRET, SecretString=pem.decode()
    )
    configured = replace(
        rendition_links.settings, rendition_key_pair_id=KEY_PAIR_ID, rendition_key_secret=SECRET
    )
    monkeypatch.setattr(rendition_links, "settings", configured)
    fresh_cache = lru_cache(maxsize=1)(rendition_links.stored_signing_key.__wrapped__)
    monkeypatch.setattr(rendition_links, "stored_signing_key", fresh_cache)
    asset = upload(name="photo.jpg", type="image", format="jpg", size=1000)
    make_ready(asset["id"], width=1000, height=750, etag='"9b2cf535f27731c974343645a3985328"')
    return asset


def fetch(api, url: str, method: str = "GET"):
    """A token-free URL as CloudFront hands it to the API: no authorizer, the signature's parameters."""
    parts = urlsplit(url)
    return api(method, parts.path, user=None, query=dict(parse_qsl(parts.query)))


def test_the_owner_gets_a_srcset_and_nobody_else(api, upload, make_ready, monkeypatch) -> None:
    # given
    photo = ready_photo(upload, make_ready, monkeypatch)

    # when
    own = api("GET", f"/api/v2/assets/{photo['id']}/rendition-links", query={"format": "webp"})
    other = api(
        "GET", f"/api/v2/assets/{photo['id']}/rendition-links", user="user-b", query={"format": "webp"}
    )
    anonymous = api("GET", f"/api/v2/assets/{photo['id']}/rendition-links", user=None)

    # then
    assert own.status == 200, own.body
    assert [source["width"] for source in own.json()["sources"]] == [160, 320, 640, 960]
    assert all(
        source["url"].startswith("https://api.example.com/renditions/") for source in own.json()["sources"]
    )
    assert (other.status, other.json()) == (403, {"detail": "You don't have permission to access this asset"})
    assert anonymous.status == 401


def test_a_url_of_replaced_bytes_is_gone(api, upload, make_ready, monkeypatch) -> None:
    # given: links handed out, then new bytes settled for the asset (another ETag)
    photo = ready_photo(upload, make_ready, monkeypatch)
    from functions.core.models import AssetModel

    (source, *_) = api(
        "GET", f"/api/v2/assets/{photo['id']}/rendition-links", query={"format": "webp"}
    ).json()["sources"]
    item = AssetModel.get(photo["id"])
    item.etag = '"0cc175b9c0f1b6a831c399e269772661"'
    item.save()

    # when
    fetched = fetch(api, source["url"])
    fresh = api("GET", f"/api/v2/assets/{photo['id']}/rendition-links", query={"format": "webp"}).json()[
        "sources"
    ][0]

    # then
    assert fetched.status == 404
    assert "new links" in fetched.json()["detail"]
    assert fresh["url"] != source["url"]


def test_a_url_of_a_deleted_asset_is_gone_and_a_changed_one_refused(
    api, upload, make_ready, monkeypatch
) -> None:
    # given
    photo = ready_photo(upload, make_ready, monkeypatch)
    (source, *_) = api(
        "GET", f"/api/v2/assets/{photo['id']}/rendition-links", query={"format": "webp"}
    ).json()["sources"]
    assert api("DELETE", f"/api/v2/assets/{photo['id']}").status == 200

    # when
    gone = fetch(api, source["url"])
    changed = fetch(api, source["url"].replace("160x-", "320x-"))

    # then
    assert gone.status == 404
    assert changed.status == 403
    assert changed.json()["detail"] == "The rendition link's signature does not match"


def test_head_is_answered_as_get(api, upload, make_ready, monkeypatch) -> None:
    """CloudFront allows HEAD on `/renditions/*` and forwards one it has not cached: the API answers it
    as GET (API Gateway leaves the body out)."""
    # given
    photo = ready_photo(upload, make_ready, monkeypatch)
    (source, *_) = api(
        "GET", f"/api/v2/assets/{photo['id']}/rendition-links", query={"format": "webp"}
    ).json()["sources"]
    changed = source["url"].replace("160x-", "320x-")

    # when
    headed, got = fetch(api, changed, method="HEAD"), fetch(api, changed)

    # then: the same refusal, not a 404 for a method with no route
    assert (headed.status, headed.json()) == (got.status, got.json())
    assert headed.status == 403
