"""Token-free rendition URLs: CloudFront's canned-policy format, refused when anything in them changes
or when they expire, stable within a validity window, and a srcset never wider than the picture."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from functions.renditions import InvalidRendition, NotRenderable, RenditionSpec
from functions.renditions.signing import (
    InvalidLink,
    SigningKey,
    content_version,
    parse_rendition_path,
    rendition_path,
    sign_url,
    signed_set,
    srcset_specs,
    verify_url,
    window_expiry,
)
from functions.renditions.store import check_renderable

BASE = "https://d111111abcdef8.cloudfront.net"
ASSET_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
PATH = rendition_path(ASSET_ID, "0123456789abcdef", "640x-inside-p1.webp")
NOW = 1_767_290_000
WINDOW = 3600


def split(url: str) -> tuple[str, dict[str, str]]:
    """A signed URL as CloudFront and the API see it: the resource, and the query's parameters."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", dict(
        parse_qsl(parts.query, keep_blank_values=True)
    )


def joined(query: dict[str, str]) -> str:
    """The query string as sent: the values as they are, undecoded (CloudFront's forms need no encoding)."""
    return "&".join(f"{name}={value}" for name, value in query.items())


def test_a_signed_url_verifies_until_it_expires(signing_key: SigningKey) -> None:
    # given
    expires = window_expiry(NOW, WINDOW)
    resource, query = split(sign_url(f"{BASE}{PATH}", expires, signing_key))

    # when
    verified = verify_url(resource, joined(query), signing_key, now=expires - 1)

    # then
    assert verified == expires
    assert list(query) == ["Expires", "Signature", "Key-Pair-Id"]
    assert query["Key-Pair-Id"] == "K2JCJMDEHXQW5F"
    with pytest.raises(InvalidLink, match="expired"):
        verify_url(resource, joined(query), signing_key, now=expires)


def test_the_signature_is_cloudfronts_canned_policy_in_its_base64(signing_key: SigningKey) -> None:
    """What CloudFront checks, rebuilt from its documentation: RSA-SHA1 over the canned policy with no
    whitespace, base64 with `-` for `+`, `_` for `=` and `~` for `/`."""
    # given
    expires = window_expiry(NOW, WINDOW)
    resource, query = split(sign_url(f"{BASE}{PATH}", expires, signing_key))
    policy = json.dumps(
        {"Statement": [{"Resource": resource, "Condition": {"DateLessThan": {"AWS:EpochTime": expires}}}]},
        separators=(",", ":"),
    )

    # when
    signature = base64.b64decode(query["Signature"].replace("-", "+").replace("_", "=").replace("~", "/"))

    # then: verify raises if the signature is not the policy's
    signing_key.private_key.public_key().verify(signature, policy.encode(), padding.PKCS1v15(), hashes.SHA1())
    assert query["Expires"] == str(expires)
    assert not set(query["Signature"]) & set("+=/")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda resource, query: (resource.replace("640x-", "320x-"), query), "signature does not match"),
        (
            lambda resource, query: (resource.replace(ASSET_ID, ASSET_ID[::-1]), query),
            "signature does not match",
        ),
        (
            lambda resource, query: (resource.replace(BASE, "https://elsewhere.example"), query),
            "does not match",
        ),
        (
            lambda resource, query: (resource, {**query, "Expires": str(int(query["Expires"]) + 3600)}),
            "match",
        ),
        (lambda resource, query: (resource, {**query, "Expires": "soon"}), "not a time"),
        (lambda resource, query: (resource, {**query, "Signature": "A" + query["Signature"][1:]}), "match"),
        (lambda resource, query: (resource, {**query, "Signature": "not*base64"}), "not one"),
        (lambda resource, query: (resource, {**query, "Key-Pair-Id": "KOTHER"}), "this service's key"),
        (lambda resource, query: (resource, {**query, "w": "2560"}), "exactly the parameters"),
        (lambda resource, query: (resource, {k: v for k, v in query.items() if k != "Signature"}), "exactly"),
    ],
    ids=[
        "width",
        "asset",
        "host",
        "expiry",
        "expiry-text",
        "signature",
        "signature-text",
        "key",
        "extra",
        "missing",
    ],
)
def test_a_changed_url_is_refused(signing_key: SigningKey, change, reason: str) -> None:
    # given
    resource, query = split(sign_url(f"{BASE}{PATH}", window_expiry(NOW, WINDOW), signing_key))

    # when
    changed_resource, changed_query = change(resource, query)

    # then
    with pytest.raises(InvalidLink, match=reason) as refusal:
        verify_url(changed_resource, joined(changed_query), signing_key, now=NOW)
    assert refusal.value.detail  # shown to the caller as a 403's detail


@pytest.mark.parametrize("expires", ["253402300800", "999999999999"], ids=["year-10000", "twelve-nines"])
def test_an_expiry_past_the_year_9999_is_refused_not_an_error(signing_key: SigningKey, expires: str) -> None:
    # given: any signature, and an expiry no datetime holds
    resource, query = split(sign_url(f"{BASE}{PATH}", window_expiry(NOW, WINDOW), signing_key))

    # then
    with pytest.raises(InvalidLink, match="not a time"):
        verify_url(resource, joined({**query, "Expires": expires}), signing_key, now=NOW)


def std_base64_encoded(signature: str) -> str:
    standard = signature.replace("-", "+").replace("_", "=").replace("~", "/")
    return quote(standard, safe="")


@pytest.mark.parametrize(
    ("respell", "reason"),
    [
        (lambda query: {**query, "Expires": "0" + query["Expires"]}, "not a time"),
        (lambda query: {**query, "Signature": query["Signature"].replace("~", "/")}, "not one"),
        (lambda query: {**query, "Signature": std_base64_encoded(query["Signature"])}, "not one"),
        (lambda query: {**query, "Signature": query["Signature"].replace("_", "%5F")}, "not one"),
        (lambda query: {**query, "Key-Pair-Id": "K2JCJMDEHXQW5%46"}, "this service's key"),
    ],
    ids=[
        "expires-leading-zero",
        "signature-slash",
        "signature-standard-base64",
        "signature-pct-5F",
        "key-pct",
    ],
)
def test_a_signed_url_spelled_otherwise_is_refused(signing_key: SigningKey, respell, reason: str) -> None:
    """The same values in another spelling would be a second valid URL for one rendition (and another
    cache key in CloudFront): only CloudFront's own spelling is accepted."""
    # given: a signature with each of CloudFront's substitutes in it, so every respelling changes it
    expires = next(
        expires
        for expires in range(window_expiry(NOW, WINDOW), window_expiry(NOW, WINDOW) + 10_000)
        if {"~", "_"} <= set(split(sign_url(f"{BASE}{PATH}", expires, signing_key))[1]["Signature"])
    )
    resource, query = split(sign_url(f"{BASE}{PATH}", expires, signing_key))
    assert verify_url(resource, joined(query), signing_key, now=NOW) == expires

    # then
    with pytest.raises(InvalidLink, match=reason):
        verify_url(resource, joined(respell(query)), signing_key, now=NOW)


def test_a_url_signed_with_another_key_is_refused(signing_key: SigningKey, other_key: SigningKey) -> None:
    # given
    resource, query = split(sign_url(f"{BASE}{PATH}", window_expiry(NOW, WINDOW), other_key))

    # then
    with pytest.raises(InvalidLink, match="signature does not match"):
        verify_url(resource, joined(query), signing_key, now=NOW)


def test_urls_made_in_one_window_are_the_same_and_valid_for_at_least_a_window(
    signing_key: SigningKey,
) -> None:
    # given: the first and the last second of one window, and the first of the next
    start = NOW // WINDOW * WINDOW

    # when
    first, last, next_window = (
        sign_url(f"{BASE}{PATH}", window_expiry(moment, WINDOW), signing_key)
        for moment in (start, start + WINDOW - 1, start + WINDOW)
    )

    # then
    assert first == last
    assert next_window != first
    assert window_expiry(start, WINDOW) == start + 2 * WINDOW
    assert window_expiry(start + WINDOW - 1, WINDOW) - (start + WINDOW - 1) > WINDOW


def test_a_rendition_path_reads_back_as_it_was_made() -> None:
    # when
    parsed = parse_rendition_path(rendition_path(ASSET_ID, "0123456789abcdef", "x320-cover-p3.png"))

    # then
    assert (parsed.asset_id, parsed.version, parsed.name) == (
        ASSET_ID,
        "0123456789abcdef",
        "x320-cover-p3.png",
    )
    assert (parsed.w, parsed.h, parsed.fit, parsed.page, parsed.format) == ("", "320", "cover", "3", "png")
    for path in (
        f"/renditions/{ASSET_ID}/0123456789abcdef/../../files/{ASSET_ID}",
        f"/renditions/{ASSET_ID}/0123456789abcdef/640x-inside-p1.webp/extra",
        f"/renditions/{ASSET_ID}/not-a-version/640x-inside-p1.webp",
        f"/api/v2/assets/{ASSET_ID}",
    ):
        with pytest.raises(InvalidLink):
            parse_rendition_path(path)


def srcset(item, key: SigningKey, format: str | None = "webp", page: str | None = None):
    """The srcset the rendition-links route answers for `item`."""
    specs = srcset_specs(item, format=format, page=page, accept=None)
    return signed_set(item, specs, base_url=BASE, key=key, now=NOW, window_seconds=WINDOW)


def test_a_srcset_offers_every_allowed_width_up_to_the_pictures(signing_key: SigningKey, ready_asset) -> None:
    # given: a 1000×750 picture
    item = ready_asset()

    # when
    links = srcset(item, signing_key)

    # then
    assert [source.width for source in links.sources] == [160, 320, 640, 960]
    assert (links.spec.format, links.spec.fit, links.expires) == (
        "webp",
        "inside",
        window_expiry(NOW, WINDOW),
    )
    version = content_version(item.etag)
    for source in links.sources:
        resource, query = split(source.url)
        assert resource == f"{BASE}/renditions/{item.id}/{version}/{source.width}x-inside-p1.webp"
        assert verify_url(resource, joined(query), signing_key, now=NOW) == links.expires


def test_a_picture_narrower_than_every_width_gets_the_narrowest_at_its_own_size(
    signing_key: SigningKey, ready_asset
) -> None:
    # given
    item = ready_asset(width=100, height=80)

    # when
    links = srcset(item, signing_key, format="jpeg")

    # then
    ((source),) = links.sources
    assert source.width == 100
    assert "/160x-inside-p1.jpeg?" in source.url


def test_new_bytes_give_new_urls(signing_key: SigningKey, ready_asset) -> None:
    # given
    before, after = ready_asset(), ready_asset(etag='"0cc175b9c0f1b6a831c399e269772661"')

    # when
    urls = [srcset(item, signing_key).sources[0].url for item in (before, after)]

    # then
    assert urls[0] != urls[1]
    assert content_version(before.etag) in urls[0] and content_version(after.etag) in urls[1]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"status": "pending"}, NotRenderable),
        ({"asset_type": "audio"}, NotRenderable),
        ({"etag": None}, NotRenderable),
        ({"asset_type": "document", "page_count": 2, "width": None, "height": None}, InvalidRendition),
    ],
    ids=["pending", "audio", "no-bytes", "page-past-the-end"],
)
def test_no_srcset_for_what_cannot_be_rendered(ready_asset, fields, error) -> None:
    # given
    item = ready_asset(**fields)

    # then: refused before anything is signed
    with pytest.raises(error):
        srcset_specs(item, format="webp", page="3", accept=None)


def test_unknown_formats_are_refused_with_the_allowed_ones(ready_asset) -> None:
    with pytest.raises(InvalidRendition, match="webp"):
        srcset_specs(ready_asset(), format="gif", page=None, accept=None)


def test_a_page_of_an_image_is_refused_as_the_renditions_route_refuses_it(ready_asset) -> None:
    # given
    item = ready_asset()
    spec = RenditionSpec.parse("160", None, None, "webp", "2", None)

    # when
    with pytest.raises(InvalidRendition) as from_links:
        srcset_specs(item, format="webp", page="2", accept=None)
    with pytest.raises(InvalidRendition) as from_renditions:
        check_renderable(item, spec)

    # then: one message for one mistake, whichever route it is made on
    assert from_links.value.detail == from_renditions.value.detail == "page applies to PDF documents only"
