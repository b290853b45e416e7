"""Link URLs are stored and answered in their ASCII form (IDNA host, percent-encoded path, query and
fragment), through both contracts; every Location header is ASCII; so is every URL the API builds."""

from __future__ import annotations

import dataclasses

import pytest

TYPED = "https://de.wikipedia.org/wiki/Müller"
ASCII = "https://de.wikipedia.org/wiki/M%C3%BCller"
TYPED_IDN = "https://bücher.de/suche?q=Straße#ergebnis"
ASCII_IDN = "https://xn--bcher-kva.de/suche?q=Stra%C3%9Fe#ergebnis"
JSON = {"Accept": "application/json"}


def test_a_v2_link_is_stored_read_listed_and_followed_in_ascii(api):
    # given
    created = api("POST", "/api/v2/assets", body={"name": "Müller", "url": TYPED})

    # when
    record = api("GET", f"/api/v2/assets/{created.json()['id']}", headers=JSON).json()
    listed = api("GET", "/api/v2/assets").json()
    followed = api("GET", f"/api/v2/assets/{created.json()['id']}")

    # then
    assert created.status == 201
    assert created.json()["url"] == record["url"] == listed[0]["url"] == ASCII
    assert followed.status == 302
    assert followed.headers["location"] == ASCII


def test_a_patched_url_is_normalised_too(api):
    # given
    link_id = api("POST", "/api/v2/assets", body={"name": "x", "url": "https://example.com"}).json()["id"]

    # when
    patched = api("PATCH", f"/api/v2/assets/{link_id}", body={"url": TYPED_IDN})

    # then
    assert patched.status == 200
    assert patched.json()["url"] == ASCII_IDN
    assert api("GET", f"/api/v2/assets/{link_id}").headers["location"] == ASCII_IDN


def test_a_seed_000_reference_url_is_normalised_on_create_and_on_put(api):
    # given
    created = api("POST", "/api/assets/", body={"name": "Müller", "reference_url": TYPED})
    asset_id = created.json()["id"]

    # when
    replaced = api("PUT", f"/api/assets/{asset_id}", body={"name": "Bücher", "reference_url": TYPED_IDN})

    # then
    assert created.status == 201 and created.json()["reference_url"] == ASCII
    assert replaced.status == 200 and replaced.json()["reference_url"] == ASCII_IDN
    assert api("GET", f"/api/v2/assets/{asset_id}", headers=JSON).json()["url"] == ASCII_IDN


def test_an_already_ascii_url_is_stored_as_sent(api):
    # when
    created = api("POST", "/api/v2/assets", body={"name": "x", "url": ASCII_IDN})

    # then
    assert created.json()["url"] == ASCII_IDN


@pytest.mark.parametrize("url", ["https://☃.example/", "https://a..example/", "https://example.com:99999/"])
def test_a_url_without_a_valid_host_is_400_in_both_contracts(api, url):
    # when
    v2 = api("POST", "/api/v2/assets", body={"name": "x", "url": url})
    v1 = api("POST", "/api/assets/", body={"name": "x", "reference_url": url})

    # then
    assert v2.status == v1.status == 400
    assert v2.json()["detail"].startswith("url: ")
    assert v1.json()["detail"].startswith("reference_url: ")


def test_a_link_stored_before_normalisation_is_followed_through_an_ascii_location(api):
    # given: a record written as typed, as links were before
    from functions.core.models import AssetModel

    link_id = api("POST", "/api/v2/assets", body={"name": "x", "url": "https://example.com"}).json()["id"]
    item = AssetModel.get(link_id)
    item.url = TYPED
    item.save()

    # when
    followed = api("GET", f"/api/v2/assets/{link_id}")

    # then
    assert followed.status == 302
    assert followed.headers["location"] == ASCII


def test_file_urls_built_on_an_internationalised_public_url_are_ascii(api, monkeypatch):
    # given: the API published on a custom domain with a non-ASCII name
    from functions.api import dependencies

    monkeypatch.setattr(dependencies, "settings", dataclasses.replace(dependencies.settings, public_base_url="https://trove.bücher.de"))

    # when
    created = api("POST", "/api/v2/uploads", body={"name": "x.png", "type": "image", "format": "png", "size": 5})

    # then
    asset = created.json()["asset"]
    assert asset["url"] == f"https://trove.xn--bcher-kva.de/api/v2/assets/{asset['id']}"
