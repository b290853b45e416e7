"""URLs as Trove stores and answers them: http(s) only, in the ASCII form RFC 3986 defines."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import quote, urlsplit, urlunsplit

import idna

MAX_URL_LENGTH = 2048

# RFC 3986 §2-3: what each part keeps as it is (unreserved, sub-delims, ":" "@", and "/" "?" where they
# belong); "%" keeps the escapes already there. Everything else is percent-encoded as UTF-8.
_USERINFO_SAFE = "!$&'()*+,;=:-._~%"
_PATH_SAFE = _USERINFO_SAFE + "@/"
_QUERY_SAFE = _PATH_SAFE + "?"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_HOST_LABEL = re.compile(r"[a-z0-9_-]+")
_MAX_LABEL, _MAX_HOST = 63, 253  # RFC 1035 §2.3.4, in the IDNA form


def _percent_encoded(part: str, safe: str) -> str:
    encoded = quote(_STRAY_PERCENT.sub("%25", part), safe=safe)
    return _ESCAPE.sub(lambda escape: escape.group().upper(), encoded)


def _ascii_host(host: str) -> str:
    """A DNS name as browsers resolve it (UTS 46, non-transitional: `ß` stays `ß`), in its IDNA
    A-label form; an IP address as it is."""
    if ":" in host:  # urlsplit has taken the brackets off an IPv6 literal
        return f"[{ipaddress.IPv6Address(host).compressed}]"
    try:
        labels = idna.uts46_remap(host, std3_rules=False, transitional=False).split(".")
        labels = [label if label.isascii() else idna.alabel(label).decode() for label in labels]
    except idna.IDNAError as error:
        raise ValueError(f"has a host that is not a valid domain name ({error})") from None
    # A trailing dot (a fully qualified name) leaves one empty label at the end, and only there.
    name = labels[:-1] if labels[-1] == "" else labels
    if not all(_HOST_LABEL.fullmatch(label) for label in name):
        raise ValueError("has a host that is not a valid domain name")
    if any(len(label) > _MAX_LABEL for label in name) or len(".".join(name)) > _MAX_HOST:
        raise ValueError(
            f"has a host longer than DNS allows ({_MAX_LABEL} characters a label, {_MAX_HOST} in all)"
        )
    return ".".join(labels)


def ascii_url(value: str) -> str:
    """An http(s) URL in the ASCII form RFC 3986 defines: the host in IDNA, everything else
    percent-encoded as UTF-8 (`https://de.wikipedia.org/wiki/Müller` →
    `https://de.wikipedia.org/wiki/M%C3%BCller`). Already-encoded URLs come back unchanged, so it
    can be applied again. Links are stored and answered in this form, and a Location header can
    carry it as it is."""
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("must not contain spaces or control characters")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL")
    userinfo, at, _ = parts.netloc.rpartition("@")
    port = parts.port  # a ValueError when it is not a number from 0 to 65535
    netloc = "".join(
        (
            _percent_encoded(userinfo, _USERINFO_SAFE),
            at,
            _ascii_host(parts.hostname),
            f":{port}" if port is not None else "",
        )
    )
    url = urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            _percent_encoded(parts.path, _PATH_SAFE),
            _percent_encoded(parts.query, _QUERY_SAFE),
            _percent_encoded(parts.fragment, _QUERY_SAFE),
        )
    )
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"must be at most {MAX_URL_LENGTH} characters once percent-encoded")
    return url
