"""The two parsers every link and every declared type goes through: link URLs to their ASCII form
(RFC 3986, IDNA hosts), and Content-Types to their media type (RFC 9110)."""

from __future__ import annotations

import re

import pytest

from functions.core.media import parse_media_type
from functions.core.urls import MAX_URL_LENGTH, ascii_url


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("https://de.wikipedia.org/wiki/Müller", "https://de.wikipedia.org/wiki/M%C3%BCller"),
        ("https://brand.example.com", "https://brand.example.com"),
        ("HTTPS://Brand.Example.COM/Path", "https://brand.example.com/Path"),
        ("https://bücher.de/", "https://xn--bcher-kva.de/"),
        ("https://BÜCHER.de/", "https://xn--bcher-kva.de/"),
        ("https://straße.de/", "https://xn--strae-oqa.de/"),  # UTS 46 non-transitional, as browsers
        ("https://例え.テスト/パス", "https://xn--r8jz45g.xn--zckzah/%E3%83%91%E3%82%B9"),
        ("https://example。com/", "https://example.com/"),  # an ideographic full stop separates labels too
        ("https://a.example/?q=ü&x=1+2#teil-ü", "https://a.example/?q=%C3%BC&x=1+2#teil-%C3%BC"),
        ("https://a.example/%e2%82%ac?x=%2f", "https://a.example/%E2%82%AC?x=%2F"),
        ("https://a.example/100%", "https://a.example/100%25"),
        ('https://a.example/<script>"', "https://a.example/%3Cscript%3E%22"),
        ("https://a.example/\u202egnp.exe", "https://a.example/%E2%80%AEgnp.exe"),
        ("https://user:pä@a.example/", "https://user:p%C3%A4@a.example/"),
        ("https://evil.example\\@good.example/", "https://evil.example%5C@good.example/"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("https://a.example:8443/", "https://a.example:8443/"),
        ("https://a.example./", "https://a.example./"),
        ("https://my_host.example/", "https://my_host.example/"),
    ],
)
def test_a_url_is_normalised_to_ascii(typed: str, normalised: str) -> None:
    # when
    result = ascii_url(typed)

    # then
    assert result == normalised
    assert result.isascii()
    assert ascii_url(result) == result  # applying it again changes nothing


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("ftp://a.example/", "http(s)"),
        ("javascript:alert(1)", "http(s)"),
        ("https://", "http(s)"),
        ("https://a.example/a b", "spaces"),
        ("https://a.example/\x00", "control"),
        ("https://a.example/\r\nX: 1", "control"),
        ("https://a..example/", "host"),
        ("https://a%41.example/", "host"),
        ("https://☃.example/", "host"),
        ("https://a.example:99999/", "Port"),
        ("https://[zz]/", "address"),
    ],
)
def test_what_is_not_an_http_url_is_refused(typed: str, problem: str) -> None:
    # when
    with pytest.raises(ValueError) as refusal:
        ascii_url(typed)

    # then
    assert problem in str(refusal.value)


def test_a_url_too_long_once_encoded_is_refused() -> None:
    # given: within the limit as typed, three times over it once encoded
    typed = "https://a.example/" + "ü" * (MAX_URL_LENGTH // 3)

    # when
    with pytest.raises(ValueError) as refusal:
        ascii_url(typed)

    # then
    assert "percent-encoded" in str(refusal.value)


@pytest.mark.parametrize(
    ("header", "media_type", "parameters"),
    [
        ("image/png", "image/png", {}),
        (" IMAGE/PNG ", "image/png", {}),
        ("application/json; charset=UTF-8", "application/json", {"charset": "UTF-8"}),
        ('application/json;CHARSET="utf-8"', "application/json", {"charset": "utf-8"}),
        ('multipart/form-data; boundary="a b\\"c"', "multipart/form-data", {"boundary": 'a b"c'}),
        ("text/plain;", "text/plain", {}),
        ("audio/wav ; ; codecs=1", "audio/wav", {"codecs": "1"}),
    ],
)
def test_a_content_type_is_its_media_type_and_parameters(header: str, media_type: str, parameters: dict) -> None:
    # when
    parsed = parse_media_type(header)

    # then
    assert parsed == (media_type, parameters)


@pytest.mark.parametrize(
    "header",
    [
        "image/png;\r\nX-Injected: 1",
        "image/png\nX: 1",
        "image/png; charset",
        "image/png; =x",
        "image/png, text/html",
        "image/png; a=b c",
        'image/png; a="open',
        "image/ png",
        "image",
        "",
        "/",
        "imäge/png",
    ],
)
def test_what_is_not_a_content_type_is_a_value_error(header: str) -> None:
    # when / then
    with pytest.raises(ValueError):
        parse_media_type(header)


@pytest.mark.parametrize(
    "url",
    ["https://a.example", "HTTP://A.example.:65535/x?y#z", "https://my_host.example/%C3%BC%2a", "https://a-b.c-d/",
     "https://" + "a" * 63 + ".example/~;=@!$&'()*+,:?q=/?#f"],
)  # fmt: skip
def test_what_the_documents_url_pattern_allows_is_accepted_as_it_is(url: str) -> None:
    # given: the pattern names URLs in the form the API stores (internationalised ones are accepted beyond it)
    from functions.api.openapi_schemas import HTTP_URL_PATTERN

    assert re.match(HTTP_URL_PATTERN, url)

    # when
    stored = ascii_url(url)

    # then: only the case of the scheme, host and escapes changes, so the length the pattern allows holds
    assert stored.lower() == url.lower()
