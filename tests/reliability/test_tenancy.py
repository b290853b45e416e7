"""The cross-tenant matrix: every route × user B (the foreigner) against user A's assets, usages
and links → 0 leaks. A leak is any of A's ids, names, URLs, consumer paths or object keys in what B
gets back (body or headers, presigned URLs included), or any change to A's records, objects or usages.

A owns: a ready image (object and thumbnail), a pending upload, a failed upload and a link asset, all
linked to the same client, campaign, project and task ids as B's own assets, tagged the same; and
usages of them (a scanned script in a flow, a job's run-time read). B owns look-alikes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest
from urllib3 import encode_multipart_formdata

from tests.integration.conftest import ApiResponse
from tests.reliability.conftest import World

pytestmark = pytest.mark.xdist_group("reliability-tenancy")

LINKS = {"clientId": "shared-client", "campaignId": "shared-campaign", "projectId": "42", "todoId": "shared-todo"}
A_FLOW, A_STEP, A_JOB = "f/a-secret-flow", "f/a-secret-flow/extract", "a-secret-job-7"
A_URL = "https://a-private.example/secret-report"
PRESIGNED = re.compile(r"https?://[^\s\"'<>]*X-Amz-Signature[^\s\"'<>]*")
UUID_IN_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@dataclass
class Tenant:
    user: str
    ids: dict[str, str] = field(default_factory=dict)  # role → asset id
    usage_ids: list[str] = field(default_factory=list)
    a_cursor: str = ""

    def secrets(self) -> set[str]:
        return {*self.ids.values(), "a-secret", A_URL, A_FLOW, A_JOB}


def _as_a(world: World, method: str, path: str, **kwargs: object) -> ApiResponse:
    return world.api(method, path, user="user-a", **kwargs)


def _ready(world: World, asset_id: str, *, thumbnail: bool) -> None:
    from functions.core import storage
    from functions.core.models import AssetModel

    world.s3.put_object(Bucket=world.bucket, Key=storage.upload_key(asset_id), Body=b"\x89PNG\r\n\x1a\nA's bytes")
    item = AssetModel.get(asset_id)
    item.status, item.expires_at = "ready", None
    if thumbnail:
        world.s3.put_object(Bucket=world.bucket, Key=storage.thumbnail_key(asset_id), Body=b"\xff\xd8\xffA")
        item.thumbnail_key = storage.thumbnail_key(asset_id)
    item.save()


def _make_tenant(world: World, user: str, prefix: str) -> Tenant:
    from functions.core.models import AssetModel

    tenant = Tenant(user)

    def upload(role: str, **extra: object) -> str:
        body = {"name": f"{prefix}-{role}.png", "type": "image", "format": "png", "size": 100, "tags": ["shared"],
                **LINKS, **extra}
        answer = world.api("POST", "/api/v2/uploads", user=user, body=body)
        assert answer.status == 201, answer.body
        tenant.ids[role] = answer.json()["asset"]["id"]
        return tenant.ids[role]

    _ready(world, upload("image"), thumbnail=True)
    upload("pending")
    failed = upload("failed")
    item = AssetModel.get(failed)
    item.status, item.status_reason = "failed", f"{prefix} broken"
    item.save()
    url = A_URL if user == "user-a" else "https://b.example/report"
    link = world.api("POST", "/api/v2/assets", user=user, body={"name": f"{prefix}-link", "url": url, "tags": ["shared"],
                                                                 **LINKS})
    assert link.status == 201, link.body
    tenant.ids["link"] = link.json()["id"]
    return tenant


@pytest.fixture(scope="module")
def tenants(world: World) -> tuple[Tenant, Tenant]:
    a = _make_tenant(world, "user-a", "a-secret")
    b = _make_tenant(world, "user-b", "b-own")
    code = (
        "import wmill\n"
        f'wmill.load_s3_file("trove://asset/{a.ids["image"]}")\n'
        f'wmill.write_s3_file("trove://asset/{a.ids["link"]}", 1)\n'
        'db = wmill.get_resource("res://f/a-secret-db")\n'
    )
    scanned = _as_a(world, "POST", "/api/v2/scans", body={"path": A_STEP, "kind": "script", "language": "python",
                                                          "content": code})
    assert scanned.status == 200, scanned.body
    a.usage_ids = [usage["id"] for usage in scanned.json()["usages"]]
    read = _as_a(world, "GET", f"/api/v2/assets/{a.ids['image']}", headers={"X-Trove-Consumer": f"job:{A_JOB}"})
    assert read.status == 302, read.body
    a.a_cursor = _as_a(world, "GET", "/api/v2/assets?limit=1").headers["x-next-cursor"]
    return a, b


def _state_of_a(world: World, a: Tenant) -> str:
    """Everything A could see of A's own: records, list, usages, flow graph, and A's objects."""
    parts = [_as_a(world, "GET", f"/api/v2/assets/{asset_id}", headers={"Accept": "application/json"}).body
             for asset_id in a.ids.values()]
    parts.append(_as_a(world, "GET", "/api/v2/assets?limit=100").body)
    parts.append(_as_a(world, "GET", f"/api/v2/assets/{a.ids['image']}/usages").body)
    parts.append(_as_a(world, "GET", f"/api/v2/flows/graph?path={A_FLOW}").body)
    parts.append(json.dumps(sorted(key for key in world.object_keys() if any(i in key for i in a.ids.values()))))
    return "\n".join(parts)


# ---- the matrix: (cell id, method, path, body, headers, statuses B may get) ----
# {image} {pending} {failed} {link}: A's assets; {usage}: an id of A's usage; {cursor}: from A's page.

ITEM_ROUTES = [
    ("get-json", "GET", "/api/v2/assets/{id}", None, {"Accept": "application/json"}),
    ("get-file-302", "GET", "/api/v2/assets/{id}", None, {"Accept": "*/*"}),
    ("get-as-job", "GET", "/api/v2/assets/{id}", None, {"X-Trove-Consumer": "job:b-job"}),
    ("thumbnail-302", "GET", "/api/v2/assets/{id}/thumbnail", None, None),
    ("patch-name", "PATCH", "/api/v2/assets/{id}", {"name": "b was here"}, None),
    ("patch-links", "PATCH", "/api/v2/assets/{id}", {"clientId": "b-client", "projectId": None}, None),
    ("patch-url", "PATCH", "/api/v2/assets/{id}", {"url": "https://b.example/"}, None),
    ("delete", "DELETE", "/api/v2/assets/{id}", None, None),
    ("delete-force", "DELETE", "/api/v2/assets/{id}?force=true", None, None),
    ("usages", "GET", "/api/v2/assets/{id}/usages", None, None),
    ("v1-get", "GET", "/api/assets/{id}", None, None),
    ("v1-put", "PUT", "/api/assets/{id}", {"name": "b was here", "reference_url": "https://b.example/"}, None),
    ("v1-delete", "DELETE", "/api/assets/{id}", None, None),
]
FOREIGN = frozenset({403})

CELLS: list[tuple[str, str, str, object, dict | None, frozenset[int]]] = [
    (f"{role}/{name}", method, path.replace("{id}", "{" + role + "}"), body, headers, FOREIGN)
    for role in ("image", "pending", "failed", "link")
    for name, method, path, body, headers in ITEM_ROUTES
]
OK = frozenset({200})
LIST_QUERIES = [
    "", "clientId=shared-client", "campaignId=shared-campaign", "projectId=42", "todoId=shared-todo",
    "asset_type=image", "tag=shared", "clientId=shared-client&asset_type=image&tag=shared",
    "campaignId=shared-campaign&projectId=42&todoId=shared-todo", "limit=1&offset=3", "offset=1",
    "cursor={cursor}", "cursor={cursor}&clientId=shared-client", "cursor={cursor}&asset_type=image",
]
CELLS += [(f"list/{query or 'all'}", "GET", f"/api/v2/assets?{query}", None, None, OK) for query in LIST_QUERIES]
CELLS += [
    (f"v1-list/{query or 'all'}", "GET", f"/api/assets/?{query}", None, None, OK)
    for query in ("", "project_id=42", "todo_id=shared-todo", "project_id=42&todo_id=shared-todo", "skip=1&limit=2")
]
CELLS += [
    ("usages/consumer", "GET", f"/api/v2/usages?path={A_STEP}", None, None, OK),
    ("usages/consumer-kind", "GET", f"/api/v2/usages?path={A_STEP}&kind=script", None, None, OK),
    ("usages/job", "GET", f"/api/v2/usages?path={A_JOB}&kind=job", None, None, OK),
    ("usages/flow-graph", "GET", f"/api/v2/flows/graph?path={A_FLOW}", None, None, OK),
    ("usages/patch-a-usage", "PATCH", "/api/v2/usages/{usage}", {"mode": "write"}, None, frozenset({404})),
    ("usages/scan-a-uris", "POST", "/api/v2/scans", "SCAN", None, OK),
    ("uploads/same-links", "POST", "/api/v2/uploads", {"name": "b.png", "type": "image", "format": "png",
                                                     "size": 10, **LINKS}, None, frozenset({201})),
    ("upload-asset/same-links", "POST", "/api/v2/upload-asset", "MULTIPART", None, frozenset({201})),
    ("links/same-url", "POST", "/api/v2/assets", {"name": "b", "url": A_URL, **LINKS}, None, frozenset({201})),
    ("v1-create/same-links", "POST", "/api/assets/", {"name": "b", "reference_url": A_URL, "project_id": 42},
     None, frozenset({201})),
    ("removed/client-upload", "POST", "/api/clients/shared-client/assets", None, None, frozenset({410})),
    ("cascade/client", "DELETE", "/api/v2/clients/shared-client", None, None, OK),
    ("cascade/campaign", "DELETE", "/api/v2/campaigns/shared-campaign", None, None, OK),
]


def _request_body(world: World, a: Tenant, body: object) -> tuple[object, dict[str, str], bytes | None]:
    if body == "SCAN":
        code = (
            "import wmill\n"
            f'wmill.load_s3_file("trove://asset/{a.ids["image"]}")\n'
            f'wmill.load_s3_file("s3://{world.bucket}/uploads/{a.ids["image"]}")\n'
            f'wmill.load_s3_file("s3://{world.bucket}/thumbnails/{a.ids["image"]}.jpg")\n'
            f'wmill.write_s3_file("trove://asset/{a.ids["link"]}", 1)\n'
        )
        return {"path": "f/b-flow/steal", "kind": "script", "language": "python", "content": code}, {}, None
    if body == "MULTIPART":
        from tests.media.generate import jpeg

        data, content_type = encode_multipart_formdata(
            [("file", ("b.jpg", jpeg(32, 32), "image/jpeg")), ("clientId", LINKS["clientId"])]
        )
        return None, {"content-type": content_type, "content-length": str(len(data))}, data
    return body, {}, None


def _leaks(answer: ApiResponse, a: Tenant, b: Tenant, sent: str) -> list[str]:
    """A's secrets in B's answer, presigned URLs and ids that are not B's own; what B sent itself
    (A's id in a path, A's URI in scanned code) may come back as B wrote it."""
    text = answer.body + "\n" + json.dumps(answer.headers)
    own = _own_ids(b)
    found = [f"A's {secret!r}" for secret in a.secrets() if secret in text and secret not in sent]
    found += [f"presigned URL of another's object: {url[:80]}" for url in PRESIGNED.findall(text)
              if not any(asset_id in url for asset_id in own)]
    found += [f"an id that is not B's: {uuid}" for uuid in set(UUID_IN_TEXT.findall(text)) - own if uuid not in sent]
    return found


def _own_ids(b: Tenant) -> set[str]:
    """B's assets: the fixture's, and any B made during the matrix."""
    return _b_in_table() | set(b.ids.values())


def _b_in_table() -> set[str]:
    from functions.core.models import AssetModel

    return {item.id for item in AssetModel.by_owner.query("user-b")}


@pytest.mark.parametrize(("cell", "method", "path", "body", "headers", "allowed"), CELLS, ids=[c[0] for c in CELLS])
def test_b_gets_nothing_of_a(world: World, ledger, tenants, cell, method, path, body, headers, allowed):
    # given
    a, b = tenants
    before = _state_of_a(world, a)
    b_in_table_before = _b_in_table()
    target = path.format(**a.ids, usage=a.usage_ids[0], cursor=a.a_cursor)
    sent_body, sent_headers, raw = _request_body(world, a, body)

    # when
    answer = world.api(method, target, user="user-b", body=sent_body, headers={**(headers or {}), **sent_headers},
                       base64_body=raw)

    # then
    sent = target + json.dumps(sent_body)
    leaks = _leaks(answer, a, b, sent)
    if body == "SCAN" and answer.status == 200:
        leaks += [f"B's usage attached to A's asset {usage['assetId']}" for usage in answer.json()["usages"]
                  if usage["assetId"] is not None]
    after = _state_of_a(world, a)
    if after != before:
        leaks.append("A's state changed")
    problems = list(leaks)
    if answer.status not in allowed:
        problems.append(f"answered {answer.status}, expected {sorted(allowed)}: {answer.body[:200]}")
    if cell.startswith("cascade/"):
        problems += _cascade_deleted_only_b(answer, b_in_table_before)
    ledger("tenancy").record(
        cell, passed=not problems, route=f"{method} {path}", status=answer.status, leaks=len(leaks),
        crash=int(answer.status >= 500), problems="; ".join(problems)[:300],
    )
    assert not problems, problems


def _cascade_deleted_only_b(answer: ApiResponse, b_before: set[str]) -> list[str]:
    """The cascade's count is B's own assets that went, and only B's went (A's state is checked apart)."""
    deleted = answer.json().get("deleted") if answer.status == 200 else None
    gone = b_before - _b_in_table()
    return [] if deleted == len(gone) else [f"said it deleted {deleted}, B lost {len(gone)}"]


def test_a_presigned_url_of_a_object_is_only_ever_returned_to_a(world: World, ledger, tenants):
    # given
    a, _b = tenants

    # when: A asks for the file and the thumbnail, B asks for the same with every kind of request
    own = [_as_a(world, "GET", f"/api/v2/assets/{a.ids['image']}"),
           _as_a(world, "GET", f"/api/v2/assets/{a.ids['image']}/thumbnail")]
    foreign = [world.api(method, f"/api/v2/assets/{a.ids['image']}{suffix}", user="user-b", headers=headers)
               for method, suffix, headers in (("GET", "", None), ("GET", "/thumbnail", None),
                                               ("GET", "", {"Accept": "application/json"}),
                                               ("HEAD", "", None), ("GET", "/", None))]

    # then
    a_urls = [answer.headers.get("location", "") for answer in own]
    problems = []
    if not (f"files/{a.ids['image']}" in a_urls[0] and f"thumbnails/{a.ids['image']}.jpg" in a_urls[1]):
        problems.append(f"A did not get A's URLs: {a_urls}")
    leaked = [answer for answer in foreign if "location" in answer.headers or PRESIGNED.search(answer.body)]
    if leaked:
        problems.append(f"B got a URL: {[answer.headers for answer in leaked]}")
    ledger("tenancy").record("presigned/only-to-owner", passed=not problems, route="GET file and thumbnail",
                             status="302 to A; none to B", leaks=len(leaked), crash=0, problems="; ".join(problems))
    assert not problems, problems


def test_b_usages_of_a_uris_never_block_or_reach_a(world: World, ledger, tenants):
    """B scanned code naming A's assets (a cell above); A still deletes A's own asset without a 409
    naming B's consumer, and A's usages list never shows B's consumer."""
    # given
    a, _b = tenants
    world.api("POST", "/api/v2/scans", user="user-b", body=_request_body(world, a, "SCAN")[0])
    extra = _as_a(world, "POST", "/api/v2/assets", body={"name": "a-secret-extra", "url": "https://a.example/x"})
    extra_id = extra.json()["id"]
    code = f'import wmill\nwmill.load_s3_file("trove://asset/{extra_id}")\n'
    world.api("POST", "/api/v2/scans", user="user-b", body={"path": "f/b-flow/block", "kind": "script",
                                                          "language": "python", "content": code})

    # when
    usages = _as_a(world, "GET", f"/api/v2/assets/{extra_id}/usages")
    deleted = _as_a(world, "DELETE", f"/api/v2/assets/{extra_id}")

    # then
    problems = []
    if usages.status != 200 or usages.json() != []:
        problems.append(f"A sees usages of B's: {usages.body[:200]}")
    if deleted.status != 200 or "b-flow" in deleted.body:
        problems.append(f"A's delete answered {deleted.status}: {deleted.body[:200]}")
    ledger("tenancy").record("usages/b-cannot-block-a-delete", passed=not problems, route="DELETE by A after B's scan",
                             status=deleted.status, leaks=int("b-flow" in usages.body + deleted.body), crash=0,
                             problems="; ".join(problems))
    assert not problems, problems
