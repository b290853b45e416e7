"""Token-free rendition URLs on the local stack, as an `<img srcset>` uses them: the owner asks for a
signed srcset with the token, then anything fetches the URLs with no token at all (plain HTTP, as a
browser loads an image); a URL changed in any part is refused."""

from __future__ import annotations

import http.client
import io
import json
import os
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import pytest
import requests
from PIL import Image

from infra.local.harness import Client, Sample

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

SOURCE_SIZE = (1000, 750)


def jpeg(size: tuple[int, int]) -> bytes:
    """A photo-like JPEG: a gradient, so every width decodes to something real."""
    image = Image.linear_gradient("L").convert("RGB").resize(size)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo(alice: Client, settle: Callable[[Client, str], dict]) -> dict:
    asset = alice.upload(Sample.declared("gradient.jpg", jpeg(SOURCE_SIZE)))
    settled = settle(alice, asset["id"])
    assert settled["status"] == "ready", settled
    return settled


def links(client: Client, asset_id: str, **query: str) -> requests.Response:
    return client.api("GET", f"/api/v2/assets/{asset_id}/rendition-links", params=query)


def with_query(url: str, change: Callable[[dict[str, str]], dict[str, str]]) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode(change(dict(parse_qsl(parts.query))))))


def test_a_srcset_url_serves_the_rendition_without_a_token(alice: Client, photo: dict) -> None:
    # given
    answer = links(alice, photo["id"], format="webp")
    assert answer.status_code == 200, answer.text
    srcset = answer.json()
    source = next(source for source in srcset["sources"] if source["width"] == 640)

    # when: no Authorization header, no session: an image request
    fetched = requests.get(source["url"], timeout=60)

    # then
    assert fetched.status_code == 200, fetched.text
    assert fetched.headers["Content-Type"] == "image/webp"
    assert "max-age=" in fetched.headers["Cache-Control"]
    image = Image.open(io.BytesIO(fetched.content))
    assert (image.format, image.size) == ("WEBP", (640, 480))
    assert (srcset["format"], srcset["fit"]) == ("webp", "inside")


def test_the_srcset_stops_at_the_pictures_width(alice: Client, photo: dict) -> None:
    # when
    srcset = links(alice, photo["id"], format="jpeg").json()

    # then
    assert [source["width"] for source in srcset["sources"]] == [160, 320, 640, 960]
    assert all(
        urlsplit(source["url"]).path.endswith(f"/{source['width']}x-inside-p1.jpeg")
        for source in srcset["sources"]
    )


def test_the_same_window_hands_out_the_same_urls(alice: Client, photo: dict) -> None:
    # when
    first, second = (links(alice, photo["id"], format="avif").json() for _ in range(2))

    # then: unless an hour ended between the two calls, nothing changed
    if first["expiresAt"] == second["expiresAt"]:
        assert first == second
    else:
        assert first["sources"] != second["sources"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda url: url.replace("/640x-inside-p1.webp", "/1280x-inside-p1.webp"),
        lambda url: url.replace(".webp?", ".png?"),
        lambda url: with_query(url, lambda query: {**query, "Expires": str(int(query["Expires"]) + 3600)}),
        lambda url: with_query(url, lambda query: {**query, "Signature": query["Signature"][::-1]}),
        lambda url: with_query(url, lambda query: {k: v for k, v in query.items() if k != "Signature"}),
        lambda url: url.split("?")[0],
    ],
    ids=["wider", "format", "expiry", "signature", "no-signature", "no-query"],
)
def test_a_tampered_url_is_refused(alice: Client, photo: dict, tamper) -> None:
    # given
    (source,) = [
        source
        for source in links(alice, photo["id"], format="webp").json()["sources"]
        if source["width"] == 640
    ]

    # when
    fetched = requests.get(tamper(source["url"]), timeout=30)

    # then
    assert fetched.status_code == 403, fetched.text
    assert fetched.json()["detail"]


def test_only_the_owner_gets_links(alice: Client, bob: Client, photo: dict) -> None:
    # when
    answer = links(bob, photo["id"], format="webp")
    anonymous = requests.get(f"{alice.url}/api/v2/assets/{photo['id']}/rendition-links", timeout=30)

    # then: as for the asset itself (GET /api/v2/assets/{id}): 403 for another user's asset
    assert answer.status_code == bob.record(photo["id"]).status_code == 403
    assert anonymous.status_code == 401


def test_unknown_formats_are_refused_with_the_allowed_ones(alice: Client, photo: dict) -> None:
    # when
    answer = links(alice, photo["id"], format="gif")

    # then
    assert answer.status_code == 400
    assert "webp" in answer.json()["detail"]


def test_a_deleted_assets_urls_are_gone(alice: Client, settle: Callable[[Client, str], dict]) -> None:
    # given: links handed out, then the asset deleted
    asset = alice.upload(Sample.declared("short-lived.jpg", jpeg((400, 300))))
    assert settle(alice, asset["id"])["status"] == "ready"
    (source,) = links(alice, asset["id"], format="jpeg").json()["sources"][1:2]
    assert requests.get(source["url"], timeout=60).status_code == 200
    assert alice.api("DELETE", f"/api/v2/assets/{asset['id']}").status_code == 200

    # when
    fetched = requests.get(source["url"], timeout=30)

    # then
    assert fetched.status_code == 404
    assert "new links" in fetched.json()["detail"]


def test_a_rendition_too_large_to_answer_inline_is_a_redirect_to_its_bytes(
    alice: Client, settle: Callable[[Client, str], dict]
) -> None:
    # given: noise, which PNG cannot compress: a 2560-px rendition of it is far over what a Lambda may answer
    noise = Image.frombytes("RGB", (2560, 1440), os.urandom(2560 * 1440 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG", compress_level=1)
    asset = alice.upload(Sample.declared("noise.png", buffer.getvalue()))
    assert settle(alice, asset["id"])["status"] == "ready"
    source = links(alice, asset["id"], format="png").json()["sources"][-1]

    # when
    fetched = requests.get(source["url"], timeout=120)

    # then
    (redirect,) = fetched.history
    assert redirect.status_code == 302
    assert 0 < int(redirect.headers["Cache-Control"].removeprefix("max-age=")) <= 150
    assert fetched.status_code == 200
    image = Image.open(io.BytesIO(fetched.content))
    assert (source["width"], image.format, image.size) == (2560, "PNG", (2560, 1440))
    assert len(fetched.content) > 4 * 1024 * 1024


def get_as_sent(url: str) -> tuple[int, dict]:
    """GET `url` byte for byte (requests would undo percent-escapes of unreserved characters): the status
    and the JSON answer."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def raw_query(url: str, change: Callable[[str, str], str]) -> str:
    """`url` with its query string rewritten as text, without re-encoding: the exact spellings sent."""
    path, query = url.split("?")
    return f"{path}?{change(query, dict(parse_qsl(query))['Signature'])}"


@pytest.mark.parametrize(
    "respell",
    [
        lambda url: url.replace("/640x-", "/%36%340x-"),
        lambda url: url.replace("-inside-", "%2Dinside-"),
        lambda url: url.replace("/renditions/", "/rendition%73/"),
        lambda url: raw_query(url, lambda query, _: query.replace("Expires=", "Expires=0")),
        lambda url: raw_query(url, lambda query, sig: query.replace(sig, sig.replace("_", "%5F"))),
        lambda url: raw_query(
            url,
            lambda query, sig: query.replace(
                sig, quote(sig.replace("-", "+").replace("_", "=").replace("~", "/"), safe="")
            ),
        ),
        lambda url: raw_query(url, lambda query, _: f"{query}&Expires={dict(parse_qsl(query))['Expires']}"),
    ],
    ids=[
        "pct-digits",
        "pct-dash",
        "pct-prefix",
        "expires-leading-zero",
        "signature-pct-5F",
        "signature-standard-base64",
        "expires-twice",
    ],
)
def test_a_signed_url_spelled_otherwise_is_refused(alice: Client, photo: dict, respell) -> None:
    """The same rendition and signature in another spelling would be a second URL CloudFront caches apart
    (and a way round its check): only the URL as signed is served."""
    # given
    (source,) = [s for s in links(alice, photo["id"], format="webp").json()["sources"] if s["width"] == 640]
    assert requests.get(source["url"], timeout=60).status_code == 200

    # when
    status, answer = get_as_sent(respell(source["url"]))

    # then
    assert status in (403, 404), answer  # 404: a path that is no rendition's
    assert answer["detail"]


@pytest.mark.parametrize("expires", ["253402300800", "999999999999"])
def test_an_expiry_past_the_year_9999_is_refused(alice: Client, photo: dict, expires: str) -> None:
    # given
    (source,) = links(alice, photo["id"], format="webp").json()["sources"][:1]

    # when
    fetched = requests.get(with_query(source["url"], lambda query: {**query, "Expires": expires}), timeout=30)

    # then
    assert fetched.status_code == 403, fetched.text
    assert "not a time" in fetched.json()["detail"]


def test_head_answers_as_get_without_the_body(alice: Client, photo: dict) -> None:
    # given
    (source,) = links(alice, photo["id"], format="jpeg").json()["sources"][:1]
    fetched = requests.get(source["url"], timeout=60)

    # when
    headed = requests.head(source["url"], timeout=60)

    # then: as CloudFront answers HEAD on a GET behaviour
    assert (headed.status_code, headed.headers["Content-Type"]) == (200, "image/jpeg")
    assert int(headed.headers["Content-Length"]) == len(fetched.content)
    assert headed.content == b""
