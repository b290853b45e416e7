"""Token-free rendition URLs, signed in CloudFront's own format (a canned policy: `Expires`,
`Signature`, `Key-Pair-Id`), so an `<img srcset>` can load a private rendition without the Bearer token.

In AWS, CloudFront checks the signature against the public key of its trusted key group before it
serves `/renditions/*` from its cache or asks the origin; the origin (the API function) checks it again
with the same code, so it cannot be called unsigned either. Locally the API's check is the only one.

A URL expires at the end of the *next* whole validity window: every URL made during one window is the
same, so browsers and CloudFront cache it, and it stays valid for at least one window. The path names
the asset's content version (from the checked object's ETag), so new bytes give new URLs and nothing
cached for the old bytes is served for the new ones.

Pure: no AWS call, no environment; the key and the asset's record are passed in.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.signers import CloudFrontSigner
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from functions.core import topology
from functions.core.errors import Forbidden
from functions.core.models import AssetModel
from functions.renditions.spec import RenditionSpec, content_version, plan
from functions.renditions.store import check_renderable

# The query parameters of a canned-policy signed URL, and the only ones a rendition URL has.
SIGNATURE_PARAMS = ("Expires", "Signature", "Key-Pair-Id")
# Where token-free renditions are served: a CloudFront behaviour in AWS, the local front locally.
PATH_PREFIX = f"{topology.RENDITION_LINKS_PATH}/"
# `/renditions/<asset id>/<content version>/<spec name>` (RenditionSpec.name, `640x-inside-p1.webp`):
# the parts are parsed again (RenditionSpec.parse) after the signature, so only allowed values render.
VERSION_PATTERN = r"[0-9a-f]{16}"
NAME_PATTERN = (
    r"(?P<w>\d{0,5})x(?P<h>\d{0,5})-(?P<fit>[a-z]{1,10})-p(?P<page>\d{1,6})\.(?P<format>[a-z]{1,5})"
)
_PATH = re.compile(
    rf"^/renditions/(?P<asset_id>[0-9a-f-]{{36}})/(?P<version>{VERSION_PATTERN})/(?P<name>{NAME_PATTERN})$"
)
# CloudFront's forms: epoch seconds (no leading zero), and its URL-safe base64 alphabet.
_EXPIRES = re.compile(r"[1-9][0-9]{0,11}")
_SIGNATURE = re.compile(r"[A-Za-z0-9~_-]+")
_SIGNATURE_BYTES_MAX = 1024


class InvalidLink(Forbidden):
    """A token-free rendition URL that is not one this service signed, or no longer valid: 403."""


@dataclass(frozen=True)
class SigningKey:
    """The private key of the CloudFront public key `key_pair_id` (the public key's id in CloudFront)."""

    key_pair_id: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def from_pem(cls, key_pair_id: str, pem: str | bytes) -> SigningKey:
        key = serialization.load_pem_private_key(pem.encode() if isinstance(pem, str) else pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("CloudFront signed URLs need an RSA key")
        return cls(key_pair_id, key)

    def public_pem(self) -> str:
        """The public key as CloudFront's PublicKey resource takes it (PEM, SubjectPublicKeyInfo)."""
        return (
            self.private_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def _sign(self, message: bytes) -> bytes:
        # CloudFront's canned and custom policies are signed with RSA (PKCS #1 v1.5) over SHA-1.
        return self.private_key.sign(message, padding.PKCS1v15(), hashes.SHA1())

    def cloudfront_signer(self) -> CloudFrontSigner:
        return CloudFrontSigner(self.key_pair_id, self._sign)


@dataclass(frozen=True)
class RenditionPath:
    """What a token-free rendition path names: the spec's parts as text, for RenditionSpec.parse."""

    asset_id: str
    version: str
    name: str
    w: str
    h: str
    fit: str
    page: str
    format: str


def rendition_path(asset_id: str, version: str, spec_name: str) -> str:
    return f"{PATH_PREFIX}{asset_id}/{version}/{spec_name}"


def parse_rendition_path(path: str) -> RenditionPath:
    match = _PATH.match(path)
    if match is None:
        raise InvalidLink("Not a rendition link")
    return RenditionPath(**match.groupdict())


def window_expiry(now: float, window_seconds: int) -> int:
    """The end of the window after the one `now` is in: the same for every moment of a window, and
    between one and two windows away."""
    return (int(now) // window_seconds + 2) * window_seconds


def sign_url(url: str, expires: int, key: SigningKey) -> str:
    """`url` (no query string) with the canned-policy parameters CloudFront checks."""
    return key.cloudfront_signer().generate_presigned_url(
        url, date_less_than=datetime.fromtimestamp(expires, UTC)
    )


def verify_url(url: str, raw_query: str, key: SigningKey, *, now: float) -> int:
    """Check a signed URL as CloudFront does: `url` is the resource as requested (scheme, host and path,
    no query string), `raw_query` its query string as sent, read without decoding: each value in the
    one form CloudFront writes it, so no other spelling of a signed URL is a second valid URL. Returns
    the expiry (epoch seconds); InvalidLink (403) when the URL was not signed by `key` for exactly this
    resource, or has expired."""
    query = dict(part.partition("=")[::2] for part in raw_query.split("&")) if raw_query else {}
    if sorted(query) != sorted(SIGNATURE_PARAMS) or raw_query.count("&") != len(SIGNATURE_PARAMS) - 1:
        raise InvalidLink(
            f"A rendition link has exactly the parameters {', '.join(SIGNATURE_PARAMS)}, once each"
        )
    expires, signature, key_pair_id = (query[name] for name in SIGNATURE_PARAMS)
    if key_pair_id != key.key_pair_id:
        raise InvalidLink("The rendition link is not signed with this service's key")
    policy = key.cloudfront_signer().build_policy(url, _expiry_time(expires)).encode()
    try:
        key.private_key.public_key().verify(
            _url_b64decode(signature), policy, padding.PKCS1v15(), hashes.SHA1()
        )
    except InvalidSignature:
        raise InvalidLink("The rendition link's signature does not match") from None
    if int(expires) <= now:
        raise InvalidLink("The rendition link has expired; ask for new links")
    return int(expires)


def _expiry_time(expires: str) -> datetime:
    """`Expires` as CloudFront writes it (epoch seconds, no leading zero) as a time a datetime holds."""
    if not _EXPIRES.fullmatch(expires):
        raise InvalidLink("The rendition link's expiry is not a time")
    try:
        return datetime.fromtimestamp(int(expires), UTC)
    except (ValueError, OverflowError, OSError):  # past the year 9999
        raise InvalidLink("The rendition link's expiry is not a time") from None


def _url_b64decode(text: str) -> bytes:
    """CloudFront's URL-safe base64 (`-` for `+`, `_` for `=`, `~` for `/`) back to bytes; no other
    alphabet (standard base64, percent-encoded characters) is the signature."""
    if len(text) > _SIGNATURE_BYTES_MAX * 2 or not _SIGNATURE.fullmatch(text):
        raise InvalidLink("The rendition link's signature is not one")
    standard = text.replace("-", "+").replace("_", "=").replace("~", "/")
    try:
        return base64.b64decode(standard, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidLink("The rendition link's signature is not one") from None


@dataclass(frozen=True)
class SignedSource:
    width: int
    url: str


@dataclass(frozen=True)
class SignedSet:
    """One format's renditions at every allowed width, signed: a srcset."""

    spec: RenditionSpec  # the narrowest; the others differ only in width
    expires: int
    sources: tuple[SignedSource, ...]


def srcset_specs(
    item: AssetModel, *, format: str | None, page: str | int | None, accept: str | None
) -> list[RenditionSpec]:
    """The renditions a srcset of `item` offers: each allowed width up to the picture's own (a
    rendition is never enlarged; a picture narrower than every allowed width gets the narrowest, at its
    own size). Widths only: the whole picture (`inside`), which a page crops with CSS if it wants.
    InvalidRendition (400) or NotRenderable (409) before anything is signed."""
    specs = [RenditionSpec.parse(side, None, None, format, page, accept) for side in topology.RENDITION_SIDES]
    check_renderable(item, specs[0])  # the same refusals as GET /api/v2/assets/{id}/renditions
    return [spec for spec in specs if not item.width or spec.width <= item.width] or specs[:1]


def signed_set(
    item: AssetModel,
    specs: list[RenditionSpec],
    *,
    base_url: str,
    key: SigningKey,
    now: float,
    window_seconds: int,
) -> SignedSet:
    """Signed URLs of `item`'s renditions `specs` (srcset_specs), all expiring at the end of the next
    window."""
    expires = window_expiry(now, window_seconds)
    version = content_version(item.etag)
    sources = tuple(
        SignedSource(
            width=_output_width(item, spec),
            url=sign_url(f"{base_url}{rendition_path(item.id, version, spec.name)}", expires, key),
        )
        for spec in specs
    )
    return SignedSet(spec=specs[0], expires=expires, sources=sources)


def _output_width(item: AssetModel, spec: RenditionSpec) -> int:
    """The width the rendition will have: the spec's, or less for a smaller picture (a PDF page,
    whose size is not recorded, is drawn at the spec's)."""
    if not (item.width and item.height):
        return int(spec.width or 0)
    return plan(int(item.width), int(item.height), spec).output[0]
