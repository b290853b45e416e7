"""The hostile corpus (hostile.py) through the API and the processor (the presigned flow, and the
files again through the multipart POST /api/v2/upload-asset): each case ends in the documented
terminal status or a 4xx, with 0 wrongly accepted, 0 crashes, 0 left pending and
0 orphan objects, checked case by case; the figures go to the ledger (area "hostile")."""

from __future__ import annotations

import re
import tempfile
import time

import pytest

from functions.core.topology import INSPECTION_BUDGETS, MAX_API_UPLOAD_BYTES
from tests.reliability.conftest import World, presigned_params
from tests.reliability.hostile import (
    DECODE_COST,
    FILE_CASES,
    HTTP_4XX,
    READY,
    REQUEST_CASES,
    FileCase,
    RequestCase,
)

pytestmark = pytest.mark.xdist_group("reliability-hostile")

# A Content-Disposition whose filename cannot break out of its quotes or the header.
SAFE_DISPOSITION = re.compile(r"^inline; filename=\"[^\"\\\r\n]*\"; filename\*=UTF-8''[A-Za-z0-9%._~!*'()-]*$")
MAX_SECONDS = 10  # a case that takes longer is a denial of service, whatever its outcome


def _max_seconds(case: FileCase) -> float:
    """A decode-cost bomb may take its type's whole inspection budget before it is refused."""
    if case.category == DECODE_COST:
        return max(MAX_SECONDS, INSPECTION_BUDGETS[case.type].wall_seconds + 5)
    return MAX_SECONDS


def _skip_unbudgeted(case: FileCase, config: pytest.Config) -> None:
    """Decode-cost bombs cost tens of seconds, gigabytes, or a crash (PDFium's SIGABRT and SIGSEGV)
    to a processor that inspects in its own process: they run only where inspection is budgeted
    (in a worker process under limits). The slow ones (refused only when their budget runs out) run
    when asked for by name: `pytest -k decode_cost` selects every bomb."""
    from functions.processor import inspect

    if case.category != DECODE_COST:
        return
    if not hasattr(inspect, "examine_within_budget"):
        pytest.skip("decode-cost bombs need the budgeted inspection (issue 13)")
    if case.slow and "decode_cost" not in (config.getoption("keyword") or ""):
        pytest.skip("refused only when its budget runs out (~15 s): run with -k decode_cost")


@pytest.mark.parametrize("case", FILE_CASES, ids=lambda case: case.id)
def test_hostile_file(world: World, ledger, case: FileCase, pytestconfig: pytest.Config):
    # given
    _skip_unbudgeted(case, pytestconfig)
    data = case.data()
    size = case.declared_size if case.declared_size is not None else (case.size_only or len(data))
    declaration = {"name": case.declared_name, "type": case.type, "format": case.format, "size": size}
    if case.content_type is not None:
        declaration["contentType"] = case.content_type
    problems: list[str] = []

    # when
    started = time.monotonic()
    answer = world.api("POST", "/api/v2/uploads", body=declaration)
    outcome, reason, settled, delivered = f"HTTP {answer.status}", "", None, None
    if answer.status == 201:
        asset_id = answer.json()["asset"]["id"]
        _put_object(world, f"uploads/{asset_id}", data, case.size_only)
        delivered = world.deliver(f"uploads/{asset_id}")
        settled = world.api("GET", f"/api/v2/assets/{asset_id}", headers={"Accept": "application/json"}).json()
        outcome, reason = settled["status"], settled["statusReason"] or ""
    elif 400 <= answer.status < 500:
        outcome, reason = HTTP_4XX, answer.json()["detail"]
    seconds = time.monotonic() - started

    # then
    crash = answer.status >= 500 or bool(delivered and delivered["batchItemFailures"])
    pending = outcome == "pending"
    wrongly_accepted = outcome == READY and READY not in case.expect
    if crash:
        problems.append(f"crash: {answer.status} {answer.body[:200]} {delivered}")
    if outcome not in case.expect:
        problems.append(f"ended {outcome} ({reason}), expected {sorted(case.expect)}")
    if case.reason and case.reason.lower() not in reason.lower():
        problems.append(f"reason {reason!r} lacks {case.reason!r}")
    if outcome == READY and case.stored_format and settled["format"] != case.stored_format:
        problems.append(f"stored as {settled['format']}, the bytes are {case.stored_format}")
    if outcome == READY:
        problems += _served_safely(world, settled)
    if outcome != READY and outcome != "pending" and settled and settled.get("thumbnailUrl"):
        problems.append("a thumbnail is named for media that was not accepted")
    orphans = world.orphans()
    if orphans:
        problems.append(f"orphan objects: {orphans}")
    if seconds > _max_seconds(case):
        problems.append(f"took {seconds:.1f} s")
    ledger("hostile").record(
        case.id,
        passed=not problems,
        category=case.category,
        what=case.what,
        declared=f"{case.type}/{case.format}",
        expected=" or ".join(sorted(case.expect)),
        outcome=outcome,
        reason=reason[:120],
        seconds=round(seconds, 3),
        wrongly_accepted=int(wrongly_accepted),
        crash=int(crash),
        pending=int(pending),
        orphans=len(orphans),
        problems="; ".join(problems),
    )
    for key in orphans:  # the next case starts from a clean bucket either way
        world.s3.delete_object(Bucket=world.bucket, Key=key)
    assert not problems, problems


def _put_object(world: World, key: str, data: bytes, size_only: int | None) -> None:
    if size_only is None:
        world.s3.put_object(Bucket=world.bucket, Key=key, Body=data)
        return
    with tempfile.TemporaryFile() as sparse:  # holes, not bytes: cheap at any size
        sparse.truncate(size_only)
        sparse.seek(0)
        world.s3.put_object(Bucket=world.bucket, Key=key, Body=sparse)


def _served_safely(world: World, asset: dict) -> list[str]:
    """A ready file is served by a short-lived URL with the stored type and a safe disposition."""
    problems = []
    answer = world.api("GET", f"/api/v2/assets/{asset['id']}")
    if answer.status != 302:
        return [f"download answered {answer.status}"]
    params = presigned_params(answer.headers["location"])
    if not params.get("response-content-type", "").startswith(("image/", "video/", "audio/", "application/pdf")):
        problems.append(f"served as {params.get('response-content-type')}")
    if not SAFE_DISPOSITION.match(params.get("response-content-disposition", "")):
        problems.append(f"unsafe disposition {params.get('response-content-disposition')!r}")
    return problems


@pytest.fixture(scope="module")
def own_assets(world: World) -> dict[str, str]:
    """user-a's ready image and link asset, the targets of `{asset}` and `{link}` in request cases."""
    from functions.core.models import AssetModel

    image = world.api(
        "POST", "/api/v2/uploads", body={"name": "mine.png", "type": "image", "format": "png", "size": 10}
    ).json()["asset"]["id"]
    item = AssetModel.get(image)
    item.status = "ready"
    item.save()
    link = world.api("POST", "/api/v2/assets", body={"name": "mine", "url": "https://example.com/"}).json()["id"]
    return {"asset": image, "link": link}


@pytest.mark.parametrize("case", REQUEST_CASES, ids=lambda case: case.id)
def test_hostile_request(world: World, ledger, own_assets: dict[str, str], case: RequestCase):
    # given
    before = {asset_id: _snapshot(world, asset_id) for asset_id in own_assets.values()}
    listed_before = _listed(world)

    # when
    started = time.monotonic()
    answer = world.api(case.method, case.path.format(**own_assets), body=case.body, base64_body=case.base64_body)
    seconds = time.monotonic() - started

    # then
    problems: list[str] = []
    crash = answer.status >= 500
    accepted = 200 <= answer.status < 300
    wrongly_accepted = accepted and not any(200 <= code < 300 for code in case.expect)
    if answer.status not in case.expect:
        problems.append(f"answered {answer.status} {answer.body[:200]}, expected {sorted(case.expect)}")
    if not accepted and answer.status < 500 and not answer.json().get("detail"):
        problems.append("an error without a detail")
    if accepted and case.check:
        problems += _name_kept_as_text(world, answer.json()["asset"], case.body["name"])
    if not accepted:
        after = {asset_id: _snapshot(world, asset_id) for asset_id in own_assets.values()}
        if after != before or _listed(world) != listed_before:
            problems.append("a refused request changed something")
    ledger("hostile").record(
        case.id,
        passed=not problems,
        category=case.category,
        what=case.what,
        declared=f"{case.method} {case.path}",
        expected=" or ".join(str(code) for code in sorted(case.expect)),
        outcome=f"HTTP {answer.status}",
        reason=(answer.json().get("detail", "") if answer.body.startswith("{") else "")[:120],
        seconds=round(seconds, 3),
        wrongly_accepted=int(wrongly_accepted),
        crash=int(crash),
        pending=0,
        orphans=0,
        problems="; ".join(problems),
    )
    assert not problems, problems


def _snapshot(world: World, asset_id: str) -> str:
    return world.api("GET", f"/api/v2/assets/{asset_id}", headers={"Accept": "application/json"}).body


def _listed(world: World) -> list[str]:
    return [asset["id"] for asset in world.api("GET", "/api/v2/assets?limit=100").json()]


def _name_kept_as_text(world: World, asset: dict, name: str) -> list[str]:
    """The name is stored as sent; the key is the id's; the download's filename is escaped."""
    from functions.core import storage
    from functions.core.models import AssetModel

    problems = []
    item = AssetModel.get(asset["id"])
    if item.name != name or asset["name"] != name:
        problems.append(f"name stored as {item.name!r}")
    if item.object_key != f"files/{asset['id']}":
        problems.append(f"object key {item.object_key!r} is not built from the id alone")
    disposition = storage.content_disposition(name)
    if not SAFE_DISPOSITION.match(disposition):
        problems.append(f"unsafe disposition {disposition!r}")
    return problems


# ---- the same files through POST /api/v2/upload-asset (multipart, processed before the answer) ----

# What the multipart path answers where it differs from the presigned one: it has no declared size
# (the bytes are the size), and its limit is what API Gateway carries (413 above 4 MB).
MULTIPART_EXPECT = {
    "declared-over-limit": frozenset({201}),  # 50 MB + 1 was only declared; the bytes are a small PNG
    "sent-over-limit": frozenset({413}),  # Content-Length says 50 MB + 1: refused before reading
}
MULTIPART_SKIP = {"content-type-header-injection"}  # a CR LF cannot be sent inside a part's header
MULTIPART_CASES = [case for case in FILE_CASES if case.id not in MULTIPART_SKIP]


def _multipart_expect(case: FileCase) -> frozenset[int]:
    if case.id in MULTIPART_EXPECT:
        return MULTIPART_EXPECT[case.id]
    if READY not in case.expect:
        return frozenset({400})
    return frozenset({201}) if case.expect == {READY} else frozenset({201, 400})


@pytest.mark.parametrize("case", MULTIPART_CASES, ids=lambda case: case.id)
def test_hostile_file_through_multipart(world: World, ledger, case: FileCase, pytestconfig: pytest.Config):
    # given
    _skip_unbudgeted(case, pytestconfig)
    from urllib3 import encode_multipart_formdata

    from functions.core import media

    declared = media.by_format(case.format)
    part_type = case.content_type or (declared.mime_types[0] if declared else "application/octet-stream")
    body, content_type = encode_multipart_formdata([("file", (case.declared_name, case.data(), part_type))])
    length = str(case.size_only) if case.size_only else str(len(body))
    listed_before = _listed(world)

    # when
    started = time.monotonic()
    answer = world.api("POST", "/api/v2/upload-asset", base64_body=body,
                       headers={"content-type": content_type, "content-length": length})
    seconds = time.monotonic() - started

    # then
    expected = _multipart_expect(case)
    if case.size_only is None and len(body) > MAX_API_UPLOAD_BYTES:
        expected = frozenset({413})  # more than this path carries (the large bombs): refused unread
    problems: list[str] = []
    crash = answer.status >= 500
    if answer.status not in expected:
        problems.append(f"answered {answer.status} {answer.body[:200]}, expected {sorted(expected)}")
    outcome = f"HTTP {answer.status}"
    if answer.status == 201:
        asset = answer.json()
        outcome = f"HTTP 201 {asset['status']}"
        if asset["status"] != READY:
            problems.append(f"201 with status {asset['status']}")
        if case.stored_format and asset["format"] != case.stored_format:
            problems.append(f"stored as {asset['format']}")
    elif answer.status < 500:
        declaration_only = case.expect == {HTTP_4XX}  # its reason is about the JSON declaration
        reason = case.reason.lower()
        if reason and not declaration_only and answer.status == 400 and reason not in answer.json()["detail"].lower():
            problems.append(f"detail {answer.json()['detail']!r} lacks {case.reason!r}")
        if _listed(world) != listed_before:
            problems.append("a refused upload left a record")
    orphans = world.orphans()
    if orphans:
        problems.append(f"orphan objects: {orphans}")
    wrongly_accepted = answer.status == 201 and 201 not in expected
    ledger("hostile").record(
        f"multipart/{case.id}", passed=not problems, category=f"{case.category} (multipart)", what=case.what,
        declared=f"{part_type} {case.declared_name}", expected=" or ".join(map(str, sorted(expected))),
        outcome=outcome, reason=(answer.json().get("detail", "") if answer.status != 201 else "")[:120],
        seconds=round(seconds, 3), wrongly_accepted=int(wrongly_accepted), crash=int(crash), pending=0,
        orphans=len(orphans), problems="; ".join(problems),
    )
    for key in orphans:
        world.s3.delete_object(Bucket=world.bucket, Key=key)
    assert not problems, problems
