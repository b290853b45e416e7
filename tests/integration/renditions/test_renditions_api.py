"""GET /api/v2/assets/{id}/renditions on moto, from assets the real processor settled: parameters and
their limits, the owner's rule, orientation, every output format decoded, never enlarged, video
posters and PDF pages, made once (a second request touches neither S3 nor a decoder), and removed
with the asset or when new bytes settle."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from functions.core import topology
from functions.core.models import AssetModel
from functions.renditions.spec import content_version
from tests.media import generate

ALLOWED_SIDES = "160, 320, 640, 960, 1280, 1920, 2560"
YELLOW, BLUE = generate.YELLOW, generate.BLUE


def close(colour: tuple[int, ...], expected: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(got - wanted) <= tolerance for got, wanted in zip(colour[:3], expected, strict=True))


# ---- parameters and limits ----


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"w": "100"}, ALLOWED_SIDES),
        ({"w": "640.0"}, ALLOWED_SIDES),
        ({"h": "-320"}, ALLOWED_SIDES),
        ({"w": "６４０"}, ALLOWED_SIDES),  # full-width digits are digits to str.isdigit, not to us
        ({}, ALLOWED_SIDES),
        ({"fit": "cover"}, ALLOWED_SIDES),
        ({"w": "640", "fit": "fill"}, "inside, contain, cover"),
        ({"w": "640", "format": "gif"}, "webp, avif, jpeg, png, auto"),
        ({"w": "640", "format": "WEBP"}, "webp, avif, jpeg, png, auto"),
        ({"w": "640", "page": "0"}, "page must be a whole number"),
        ({"w": "640", "page": "two"}, "page must be a whole number"),
    ],
)
def test_a_value_outside_its_list_is_a_400_naming_the_allowed_values(api, upload, query, named):
    # given
    asset = upload()

    # when
    response = api("GET", f"/api/v2/assets/{asset['id']}/renditions", query=query)

    # then
    assert response.status == 400
    assert named in response.json()["detail"]


def test_a_page_past_the_documents_end_or_on_an_image_is_a_400(api, settled):
    # given
    document = settled(generate.pdf(pages=3), type="document", format="pdf")
    image = settled(generate.jpeg(64, 48))

    # when
    past_end = api("GET", f"/api/v2/assets/{document['id']}/renditions", query={"w": "160", "page": "4"})
    on_image = api("GET", f"/api/v2/assets/{image['id']}/renditions", query={"w": "160", "page": "2"})

    # then
    assert (past_end.status, past_end.json()["detail"]) == (
        400,
        "page must be from 1 to 3, the document's page count",
    )
    assert (on_image.status, on_image.json()["detail"]) == (400, "page applies to PDF documents only")


# ---- who and what ----


def test_only_the_owner_gets_a_rendition(api, settled):
    # given
    asset = settled(generate.jpeg(64, 48))
    path = f"/api/v2/assets/{asset['id']}/renditions"

    # when
    other = api("GET", path, user="user-b", query={"w": "160"})
    anonymous = api("GET", path, user=None, query={"w": "160"})
    missing = api("GET", "/api/v2/assets/0b5c1f7e-9a3d-4c4e-8f55-2b1d6a7c9e01/renditions", query={"w": "160"})

    # then
    assert (other.status, other.json()) == (403, {"detail": "You don't have permission to access this asset"})
    assert anonymous.status == 401
    assert missing.status == 404


def test_audio_links_and_assets_not_ready_are_a_409(api, upload, settled):
    # given
    audio = settled(generate.mp3(), type="audio", format="mp3")
    link = api("POST", "/api/v2/assets", body={"name": "site", "url": "https://example.com/"}).json()
    pending = upload()

    # when
    answers = {
        name: api("GET", f"/api/v2/assets/{asset['id']}/renditions", query={"w": "160"})
        for name, asset in (("audio", audio), ("link", link), ("pending", pending))
    }

    # then
    assert {name: response.status for name, response in answers.items()} == dict.fromkeys(answers, 409)
    assert "audio asset has no picture" in answers["audio"].json()["detail"]
    assert "link asset has no picture" in answers["link"].json()["detail"]
    assert answers["pending"].json()["detail"] == "Asset is not ready (status: pending)"


# ---- what comes out ----


def test_the_answer_is_a_302_to_a_short_lived_url_of_the_stored_rendition(api, settled, s3, bucket):
    # given
    asset = settled(generate.jpeg(800, 600))

    # when
    response = api("GET", f"/api/v2/assets/{asset['id']}/renditions", query={"w": "320", "format": "webp"})

    # then
    assert response.status == 302
    assert response.headers["cache-control"] == "no-store"
    location = urlsplit(response.headers["location"])
    version = content_version(AssetModel.get(asset["id"]).etag)
    assert location.path == f"/{bucket}/renditions/{asset['id']}/{version}/320x-inside-p1.webp"
    assert "X-Amz-Expires=300" in location.query
    assert s3.head_object(Bucket=bucket, Key=f"renditions/{asset['id']}/{version}/320x-inside-p1.webp")[
        "ContentType"
    ] == ("image/webp")


@pytest.mark.parametrize(
    ("format", "pillow_format", "content_type"),
    [
        ("webp", "WEBP", "image/webp"),
        ("avif", "AVIF", "image/avif"),
        ("jpeg", "JPEG", "image/jpeg"),
        ("png", "PNG", "image/png"),
    ],
)
def test_every_format_decodes_at_the_size_and_type_announced(
    settled, rendition, fetched, format, pillow_format, content_type
):
    # given
    asset = settled(generate.jpeg(1600, 1200))

    # when
    answer = rendition(asset["id"], w="640", format=format)

    # then
    picture, stored_type, _ = fetched(answer["url"])
    assert (answer["width"], answer["height"], answer["format"], answer["contentType"]) == (
        640,
        480,
        format,
        content_type,
    )
    assert (picture.format, picture.size, stored_type) == (pillow_format, (640, 480), content_type)
    assert close(picture.getpixel((10, 10)), YELLOW) and close(picture.getpixel((630, 470)), BLUE)
    assert set(answer) == {"url", "width", "height", "format", "contentType", "expiresAt"}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("image/avif,image/webp,image/apng,image/*,*/*;q=0.8", "avif"),
        ("image/webp,*/*", "webp"),
        ("image/avif;q=0,image/webp", "webp"),
        ("image/*,*/*", "jpeg"),
        (None, "jpeg"),
    ],
)
def test_auto_picks_the_format_from_accept(api, settled, accept, expected):
    # given
    asset = settled(generate.jpeg(400, 300))

    # when
    headers = {"Accept": accept} if accept else {}
    response = api("GET", f"/api/v2/assets/{asset['id']}/renditions", query={"w": "160"}, headers=headers)

    # then
    assert response.status == 302
    assert urlsplit(response.headers["location"]).path.endswith(f"/160x-inside-p1.{expected}")


def test_exif_orientation_is_applied_sides_swapped_and_turned(settled, rendition, fetched):
    # given: stored 600×400, shown turned a quarter clockwise (orientation 6): 400×600, its
    # yellow top-left quadrant shown at the top right
    asset = settled(generate.jpeg(600, 400, orientation=6))

    # when
    answer = rendition(asset["id"], w="320", format="png")

    # then
    picture, _, body = fetched(answer["url"])
    assert (answer["width"], answer["height"]) == (320, 480) == picture.size
    assert close(picture.getpixel((300, 20)), YELLOW) and close(picture.getpixel((20, 20)), BLUE)
    assert b"Exif" not in body and picture.getexif().get(0x0112) is None  # metadata stripped


@pytest.mark.parametrize(
    ("query", "size"),
    [
        ({"w": "1280"}, (400, 300)),
        ({"w": "2560", "h": "160"}, (213, 160)),
        ({"w": "640", "h": "640", "fit": "cover"}, (300, 300)),
        ({"w": "640", "h": "640", "fit": "contain"}, (300, 300)),
        ({"w": "320", "h": "160", "fit": "cover"}, (320, 160)),
        ({"w": "320", "h": "160", "fit": "inside"}, (213, 160)),
    ],
)
def test_never_enlarged(settled, rendition, fetched, query, size):
    # given
    asset = settled(generate.jpeg(400, 300))

    # when
    answer = rendition(asset["id"], format="png", **query)

    # then
    assert (answer["width"], answer["height"]) == size == fetched(answer["url"])[0].size


def test_contain_pads_transparently_and_cover_crops_evenly(settled, rendition, fetched):
    # given: 400×300, yellow top-left quadrant
    asset = settled(generate.jpeg(400, 300))

    # when
    contained, _, _ = fetched(rendition(asset["id"], w="160", h="160", fit="contain", format="png")["url"])
    covered, _, _ = fetched(rendition(asset["id"], w="160", h="160", fit="cover", format="png")["url"])

    # then: contain shows the whole 160×120 picture between two 20-px transparent bands
    assert contained.mode == "RGBA" and contained.size == (160, 160)
    assert contained.getpixel((80, 10))[3] == 0 and contained.getpixel((80, 150))[3] == 0
    assert close(contained.getpixel((10, 30)), YELLOW) and contained.getpixel((10, 30))[3] == 255
    # and cover keeps the middle 160×160 of the 213×160 picture: the quadrants meet at its centre line
    assert covered.size == (160, 160)
    assert close(covered.getpixel((5, 5)), YELLOW) and close(covered.getpixel((154, 5)), BLUE)


def test_a_video_renders_its_thumbnail_frame_at_full_resolution(settled, rendition, fetched):
    # given: red frames before 1 s, blue (with the yellow quadrant) from 1 s
    asset = settled(generate.video(320, 240, seconds=2.0), type="video", format="mp4")

    # when
    poster = rendition(asset["id"], w="2560", format="png")
    small = rendition(asset["id"], w="160", format="webp")

    # then
    picture, _, _ = fetched(poster["url"])
    assert (poster["width"], poster["height"]) == (320, 240) == picture.size
    assert close(picture.getpixel((300, 200)), BLUE) and close(picture.getpixel((20, 20)), YELLOW)
    assert fetched(small["url"])[0].size == (160, 120)


def test_a_pdf_renders_the_page_asked_for(settled, rendition, fetched):
    # given: US Letter pages with a dark rectangle 100 pt wide on page 1, 200 pt on page 2
    asset = settled(generate.pdf(pages=3), type="document", format="pdf")

    # when
    first = rendition(asset["id"], w="640", format="png")
    second = rendition(asset["id"], w="640", format="png", page="2")

    # then
    pictures = [fetched(answer["url"])[0].convert("L") for answer in (first, second)]
    assert [picture.size for picture in pictures] == [(640, 828), (640, 828)]
    dark = [sum(1 for value in picture.getdata() if value < 100) for picture in pictures]
    assert 1.8 < dark[1] / dark[0] < 2.2  # page 2's rectangle is twice as wide
    assert first["url"] != second["url"] and "-p2.png" in second["url"]


def test_a_page_the_pdf_cannot_load_is_a_409_remembered(api, settled, api_s3_calls):
    # given: a PDF whose page tree says 3 pages (the processor records that) but holds 2
    data = generate.pdf(pages=2).replace(b"/Count 2", b"/Count 3")
    asset = settled(data, type="document", format="pdf")
    assert AssetModel.get(asset["id"]).page_count == 3

    # when
    path = f"/api/v2/assets/{asset['id']}/renditions"
    first = api("GET", path, query={"w": "320", "page": "3"})
    api_s3_calls.clear()
    again = api("GET", path, query={"w": "320", "page": "3"})

    # then: the file's fault, said at once the second time; the pages it has still render
    assert (first.status, again.status) == (409, 409)
    assert first.json()["detail"].startswith(
        "This asset cannot be rendered: page 3 of this PDF cannot be loaded"
    )
    assert again.json() == first.json() and api_s3_calls == []
    assert api("GET", path, query={"w": "320", "page": "2"}).status == 302


# ---- made once ----


def test_a_second_request_only_presigns_no_s3_call_and_no_render(
    settled, rendition, api_s3_calls, rendition_objects
):
    # given
    asset = settled(generate.jpeg(800, 600))

    # when
    first = rendition(asset["id"], w="640", format="avif")
    calls_to_make = list(api_s3_calls)
    api_s3_calls.clear()
    second = rendition(asset["id"], w="640", format="avif")

    # then
    assert calls_to_make.count("PutObject") == 1 and "GetObject" in calls_to_make
    assert api_s3_calls == []  # no GET of the source, no PUT: the record said where it is
    assert (second["width"], second["height"]) == (first["width"], first["height"]) == (640, 480)
    item = AssetModel.get(asset["id"])
    key = f"renditions/{asset['id']}/{content_version(item.etag)}/640x-inside-p1.avif"
    assert rendition_objects(asset["id"]) == [key]
    recorded = item.renditions.as_dict()
    assert recorded["640x-inside-p1.avif"]["key"] == key
    assert recorded["640x-inside-p1.avif"]["width"] == 640


def test_one_side_means_inside_whatever_the_fit_so_it_is_made_once(settled, rendition, api_s3_calls):
    # given
    asset = settled(generate.jpeg(800, 600))
    rendition(asset["id"], w="320", format="webp")
    api_s3_calls.clear()

    # when
    again = rendition(asset["id"], w="320", fit="cover", format="webp")

    # then
    assert api_s3_calls == []
    assert urlsplit(again["url"]).path.endswith("/320x-inside-p1.webp")


def test_deleting_the_asset_deletes_its_renditions(api, settled, rendition, rendition_objects):
    # given
    asset = settled(generate.jpeg(800, 600))
    for width in ("160", "320"):
        rendition(asset["id"], w=width, format="webp")
    assert len(rendition_objects(asset["id"])) == 2

    # when
    response = api("DELETE", f"/api/v2/assets/{asset['id']}")

    # then
    assert response.status == 200
    assert rendition_objects(asset["id"]) == []


def test_a_cascade_delete_deletes_the_renditions_too(api, settled, rendition, rendition_objects):
    # given
    asset = settled(generate.jpeg(800, 600))
    api("PATCH", f"/api/v2/assets/{asset['id']}", body={"clientId": "c9"})
    rendition(asset["id"], w="160", format="jpeg")

    # when
    response = api("DELETE", "/api/v2/clients/c9")

    # then
    assert response.status == 200, response.body
    assert rendition_objects(asset["id"]) == []


def test_new_bytes_settled_forget_the_old_renditions(settled, rendition, fetched, rendition_objects):
    # given: a landscape photo's rendition
    landscape, portrait = same_length(generate.jpeg(800, 600), generate.jpeg(600, 800))
    asset = settled(landscape)
    before = rendition(asset["id"], w="320", format="png")

    # when: portrait bytes are posted again and settle
    settled.repost(asset["id"], portrait)
    after_settling = rendition_objects(asset["id"])
    after = rendition(asset["id"], w="320", format="png")

    # then
    assert (before["width"], before["height"]) == (320, 240)
    assert after_settling == []
    assert AssetModel.get(asset["id"]).renditions.as_dict().keys() == {"320x-inside-p1.png"}
    assert (after["width"], after["height"]) == (320, 427) == fetched(after["url"])[0].size


def same_length(*files: bytes) -> list[bytes]:
    """The JPEGs padded to one length (the upload's size is pinned); bytes after the end marker are ignored."""
    longest = max(map(len, files))
    return [data + bytes(longest - len(data)) for data in files]


# ---- budget ----


def test_a_rendition_over_the_render_budget_is_a_409_remembered_without_rendering_again(
    api, settled, monkeypatch, api_s3_calls
):
    # given: a budget no decoding fits in (1 MB over the worker's idle footprint)
    asset = settled(generate.jpeg(3000, 2000))
    monkeypatch.setitem(
        topology.INSPECTION_BUDGETS,
        "image",
        topology.InspectionBudget(cpu_seconds=8, memory_mb=1, wall_seconds=15),
    )
    query = {"w": "2560", "format": "png"}

    # when
    first = api("GET", f"/api/v2/assets/{asset['id']}/renditions", query=query)
    api_s3_calls.clear()
    again = api("GET", f"/api/v2/assets/{asset['id']}/renditions", query=query)

    # then: the same answer, the second without reading the source (nothing rendered)
    assert (first.status, again.status) == (409, 409)
    assert first.json() == again.json()
    assert first.json()["detail"].startswith("This asset cannot be rendered at this size: ")
    assert api_s3_calls == []


def test_a_request_without_the_time_to_render_is_a_503_and_leaves_nothing(
    api, settled, rendition_objects, monkeypatch
):
    # given: the invocation has no more than the margin kept for answering
    from tests.integration.conftest import LambdaContext

    asset = settled(generate.jpeg(800, 600))
    monkeypatch.setattr(LambdaContext, "remaining_seconds", 2.0)

    # when
    response = api("GET", f"/api/v2/assets/{asset['id']}/renditions", query={"w": "640"})

    # then
    assert response.status == 503
    assert response.json() == {
        "detail": "The rendition could not be made within this request's time; try again"
    }
    assert rendition_objects(asset["id"]) == []
    assert AssetModel.get(asset["id"]).renditions is None


def test_a_rendition_another_request_is_making_is_a_503_with_retry_after(
    api, settled, rendition_objects, monkeypatch
):
    # given: another request's lease on the rendition, valid for 30 s more; no time to wait for it
    from functions.renditions import rendering

    asset = settled(generate.jpeg(800, 600))
    item = AssetModel.get(asset["id"])
    lease = {"version": content_version(item.etag), "lease": "another", "until": int(time.time()) + 30}
    item.update(actions=[AssetModel.renditions.set({"320x-inside-p1.webp": lease})])
    monkeypatch.setattr(rendering, "WAIT_SECONDS", 0.0)

    # when
    response = api("GET", f"/api/v2/assets/{asset['id']}/renditions", query={"w": "320", "format": "webp"})

    # then
    assert response.status == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["detail"].startswith("This rendition is being made by another request")
    assert rendition_objects(asset["id"]) == []
