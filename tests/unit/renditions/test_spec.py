"""RenditionSpec.parse, format negotiation and the size plan: allow-listed values only, never enlarged."""

from __future__ import annotations

import pytest

from functions.core import topology
from functions.renditions import InvalidRendition, RenditionSpec
from functions.renditions.spec import Plan, negotiate, plan


def spec(w=None, h=None, fit=None, format="webp", page=None, accept=None) -> RenditionSpec:
    return RenditionSpec.parse(w, h, fit, format, page, accept)


def test_parses_allowed_values_into_a_spec_and_its_names():
    # when
    parsed = spec("640", "320", "cover", "avif", "2")

    # then
    assert parsed == RenditionSpec(width=640, height=320, fit="cover", format="avif", page=2)
    assert parsed.name == "640x320-cover-p2.avif"
    assert parsed.content_type == "image/avif"
    assert parsed.key("0b5c1f7e-9a3d-4c4e-8f55-2b1d6a7c9e01", "11df216efae2b56f") == (
        "renditions/0b5c1f7e-9a3d-4c4e-8f55-2b1d6a7c9e01/11df216efae2b56f/640x320-cover-p2.avif"
    )


def test_defaults_inside_page_one_and_ints_are_taken_as_well_as_strings():
    # when
    parsed = spec(w=1280)

    # then
    assert (parsed.width, parsed.height, parsed.fit, parsed.page, parsed.name) == (
        1280,
        None,
        "inside",
        1,
        "1280x-inside-p1.webp",
    )


@pytest.mark.parametrize("fit", ["cover", "contain"])
def test_one_side_makes_every_fit_inside(fit):
    assert spec(h="160", fit=fit).name == "x160-inside-p1.webp"


def test_every_allowed_side_parses_and_the_list_is_the_topologys():
    assert [spec(w=str(side)).width for side in topology.RENDITION_SIDES] == [
        160,
        320,
        640,
        960,
        1280,
        1920,
        2560,
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"w": "100"}, "w must be one of 160, 320, 640, 960, 1280, 1920, 2560"),
        ({"h": "640"}, None),
        (
            {"h": "0640"},
            "h must be one of 160, 320, 640, 960, 1280, 1920, 2560",
        ),  # not how the document spells 640
        ({"w": "640", "page": "01"}, "page must be a whole number from 1 to the document's page count"),
        ({"w": "1e3"}, "w must be one of 160, 320, 640, 960, 1280, 1920, 2560"),
        ({"w": " 640"}, "w must be one of 160, 320, 640, 960, 1280, 1920, 2560"),
        ({"w": "²"}, "w must be one of 160, 320, 640, 960, 1280, 1920, 2560"),
        ({}, "Give w or h (or both), each one of 160, 320, 640, 960, 1280, 1920, 2560"),
        ({"w": "640", "fit": "stretch"}, "fit must be one of inside, contain, cover"),
        ({"w": "640", "format": "heic"}, "format must be one of webp, avif, jpeg, png, auto"),
        ({"w": "640", "page": "0"}, "page must be a whole number from 1 to the document's page count"),
        ({"w": "640", "page": "100001"}, "page must be a whole number from 1 to the document's page count"),
    ],
)
def test_values_outside_the_lists_are_refused_naming_the_lists(arguments, message):
    arguments = {"format": "webp", **arguments}
    if message is None:
        assert spec(**arguments).height == 640
        return
    with pytest.raises(InvalidRendition) as refused:
        spec(**arguments)
    assert refused.value.detail == message


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "avif"),  # Chrome's for <img>
        ("image/webp,*/*", "webp"),
        ("IMAGE/AVIF", "avif"),
        ("image/avif;q=0, image/webp;q=0.5", "webp"),
        ("image/avif; q=0.0", "jpeg"),
        ("*/*", "jpeg"),
        ("image/*", "jpeg"),
        ("", "jpeg"),
        (None, "jpeg"),
    ],
)
def test_auto_negotiates_from_accept(accept, expected):
    assert negotiate(accept) == expected
    assert spec(w="160", format="auto", accept=accept).format == expected
    assert spec(w="160", format=None, accept=accept).format == expected


@pytest.mark.parametrize(
    ("size", "arguments", "expected"),
    [
        ((6000, 4000), {"w": 640}, Plan((640, 427), (640, 427))),
        ((6000, 4000), {"h": 640}, Plan((960, 640), (960, 640))),
        ((6000, 4000), {"w": 640, "h": 640}, Plan((640, 427), (640, 427))),
        ((6000, 4000), {"w": 640, "h": 640, "fit": "cover"}, Plan((960, 640), (640, 640))),
        ((6000, 4000), {"w": 640, "h": 640, "fit": "contain"}, Plan((640, 427), (640, 640))),
        ((400, 300), {"w": 640}, Plan((400, 300), (400, 300))),
        ((400, 300), {"w": 2560, "h": 160}, Plan((213, 160), (213, 160))),
        ((400, 300), {"w": 640, "h": 640, "fit": "cover"}, Plan((400, 300), (300, 300))),
        ((400, 300), {"w": 640, "h": 640, "fit": "contain"}, Plan((300, 225), (300, 300))),
        ((400, 300), {"w": 1280, "h": 320, "fit": "cover"}, Plan((400, 300), (400, 100))),
        ((1, 5000), {"w": 160}, Plan((1, 5000), (1, 5000))),
        ((5000, 1), {"w": 160}, Plan((160, 1), (160, 1))),
    ],
)
def test_the_plan_never_enlarges(size, arguments, expected):
    # when
    sizes = plan(
        *size,
        RenditionSpec.parse(arguments.get("w"), arguments.get("h"), arguments.get("fit"), "png", None, None),
    )

    # then
    assert sizes == expected
    assert sizes.scaled[0] <= size[0] and sizes.scaled[1] <= size[1]
    assert sizes.output[0] <= size[0] and sizes.output[1] <= size[1]
