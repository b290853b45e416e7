"""The Python SDK (clients/python) against the local stack over HTTP: uploads of real media, lists,
pages, downloads, changes, deletes, usages; and its retries against a scripted server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from trove_client import (
    ApiError,
    AudioAsset,
    BadRequest,
    Conflict,
    DocumentAsset,
    Forbidden,
    ImageAsset,
    LinkAsset,
    NotFound,
    StorageError,
    Trove,
    TroveConnectionError,
    UnsupportedFile,
    VideoAsset,
)
from trove_client import media as client_media

from functions.core import media as service_media
from tests.clients.conftest import SETTLE_SECONDS

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

EVERY_TYPE = [
    ("photo.jpg", ImageAsset, "jpg"),
    ("alpha.png", ImageAsset, "png"),
    ("animated.gif", ImageAsset, "gif"),
    ("animated.webp", ImageAsset, "webp"),
    ("clip.mp4", VideoAsset, "mp4"),
    ("clip.mov", VideoAsset, "mov"),
    ("tone.mp3", AudioAsset, "mp3"),
    ("tone.wav", AudioAsset, "wav"),
    ("doc.pdf", DocumentAsset, "pdf"),
]


@pytest.mark.parametrize(("sample", "model", "format"), EVERY_TYPE, ids=[case[0] for case in EVERY_TYPE])
def test_every_type_uploads_streamed_and_settles_ready_with_its_metadata(
    trove, media_file, sample, model, format
):
    # given
    path = media_file(sample)
    heard: list[tuple[int, int]] = []

    # when
    asset = trove.upload(path, campaign_id="campaign-1", tags=["sdk"], progress=lambda done, total: heard.append((done, total)),
                         wait=True, timeout=SETTLE_SECONDS)  # fmt: skip

    # then
    assert isinstance(asset, model) and asset.status == "ready", asset.status_reason
    assert (asset.format, asset.size, asset.campaign_id, asset.tags) == (
        format,
        path.stat().st_size,
        "campaign-1",
        ["sdk"],
    )
    assert heard[-1] == (path.stat().st_size, path.stat().st_size)
    assert asset.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    if isinstance(asset, ImageAsset | VideoAsset):
        assert asset.width and asset.height
    if isinstance(asset, VideoAsset | AudioAsset):
        assert asset.duration and asset.duration > 0
    if isinstance(asset, DocumentAsset):
        assert asset.page_count == 3  # the corpus PDF has three pages


def test_check_names_the_callers_ready_asset_with_the_same_bytes_and_never_another_users(
    trove, trove_for, new_user, media_file
):
    # given: a photo that this user and another user both have, and a file nobody has
    path = media_file("photo.jpg")
    mine = trove.upload(path, wait=True, timeout=SETTLE_SECONDS)
    trove_for(new_user()).upload(media_file("alpha.png"), wait=True, timeout=SETTLE_SECONDS)
    theirs = media_file("alpha.png")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    # when
    checked = trove.check(
        [
            ("again.jpg", path.stat().st_size, digest),
            ("alpha.png", theirs.stat().st_size, hashlib.sha256(theirs.read_bytes()).hexdigest()),
        ]
    )

    # then: in request order; the other user's identical file is not revealed
    assert [(file.name, file.duplicate_of, file.duplicate_name) for file in checked] == [
        ("again.jpg", mine.id, "photo.jpg"),
        ("alpha.png", None, None),
    ]


def test_storage_refuses_bytes_that_are_not_the_declared_hash(trove, media_file):
    # given: a hash of other bytes (as when a file changes between hashing and sending)
    path = media_file("photo.jpg")

    # when / then
    with pytest.raises(StorageError) as refused:
        trove.upload(path, sha256=hashlib.sha256(b"other bytes").hexdigest())
    assert refused.value.status == 400 and "BadDigest" in str(refused.value)


def test_bytes_that_are_not_what_they_claim_end_rejected_with_the_reason(trove, media_file):
    # given: text named .png
    path = media_file("text.png")

    # when
    asset = trove.upload(path, wait=True, timeout=SETTLE_SECONDS)

    # then
    assert asset.status == "rejected"
    assert asset.status_reason and "Invalid file type" in asset.status_reason


def test_an_unsupported_file_is_refused_before_anything_is_sent(trove, tmp_path):
    # given
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")

    # when
    with pytest.raises(UnsupportedFile) as refused:
        trove.upload(notes)

    # then
    assert refused.value.path == notes and ".txt" in refused.value.reason
    assert trove.list_assets().items == []


def test_a_large_file_is_streamed_from_disk_not_read_into_memory(trove, tmp_path):
    # given: 30 MB (the processor will reject these bytes as a video; the transfer is what is measured)
    big = tmp_path / "big.mp4"
    with big.open("wb") as output:
        for _ in range(30):
            output.write(os.urandom(1024 * 1024))

    # when
    tracemalloc.start()
    try:
        asset = trove.upload(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # then
    assert asset.status == "pending" and asset.size == 30 * 1024 * 1024
    assert peak < 8 * 1024 * 1024, f"the upload held {peak / 2**20:.1f} MB in memory"


def test_lists_filter_by_type_campaign_and_tag(trove, media_file):
    # given
    image = trove.upload(media_file("photo.jpg"), campaign_id="spring", tags=["hero"])
    document = trove.upload(media_file("doc.pdf"), campaign_id="spring")
    other = trove.upload(media_file("alpha.png"), campaign_id="autumn", tags=["hero"])

    # when
    spring_images = trove.list_assets(campaign_id="spring", asset_type="image")
    spring = trove.list_assets(campaign_id="spring")
    heroes = trove.list_assets(tag="hero")

    # then
    assert [asset.id for asset in spring_images.items] == [image.id]
    assert [asset.id for asset in spring.items] == [document.id, image.id]  # newest first
    assert {asset.id for asset in heroes.items} == {image.id, other.id}
    assert spring.next_cursor is None


def test_iterating_follows_the_cursor_across_pages(trove):
    # given: seven links (no processing needed)
    made = [
        trove.create_link(f"link {number}", f"https://example.com/{number}", client_id="acme")
        for number in range(7)
    ]

    # when
    first = trove.list_assets(client_id="acme", limit=3)
    every = list(trove.iter_assets(client_id="acme", page_size=3))

    # then
    assert len(first.items) == 3 and first.next_cursor
    assert [asset.id for asset in every] == [asset.id for asset in reversed(made)]
    assert all(isinstance(asset, LinkAsset) and asset.format == "url" for asset in every)


def test_a_download_has_the_uploaded_bytes_and_the_thumbnail_is_a_jpeg(trove, media_file, tmp_path):
    # given
    path = media_file("clip.mp4")
    asset = trove.upload(path, wait=True, timeout=SETTLE_SECONDS)
    heard: list[int] = []

    # when
    copy = trove.download(
        asset.id, tmp_path / "out" / "copy.mp4", progress=lambda done, total: heard.append(done)
    )
    thumbnail = trove.download(asset.id, tmp_path / "out" / "thumb.jpg", thumbnail=True)

    # then
    assert copy.read_bytes() == path.read_bytes()
    assert heard[-1] == path.stat().st_size
    assert thumbnail.read_bytes()[:3] == b"\xff\xd8\xff"
    assert sorted(item.name for item in (tmp_path / "out").iterdir()) == ["copy.mp4", "thumb.jpg"]


def test_an_interrupted_download_leaves_no_file_behind(trove, media_file, tmp_path):
    # given
    asset = trove.upload(media_file("tone.wav"), wait=True, timeout=SETTLE_SECONDS)
    folder = tmp_path / "downloads"

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    # when
    with pytest.raises(KeyboardInterrupt):
        trove.download(asset.id, folder / "tone.wav", progress=interrupt)

    # then
    assert list(folder.iterdir()) == []


def test_a_malformed_id_is_a_400_carrying_the_apis_detail(trove):
    # when
    with pytest.raises(BadRequest) as bad_id:
        trove.get("not-a-uuid")

    # then
    assert bad_id.value.status == 400 and bad_id.value.detail == "Invalid asset ID: must be a UUID"


def test_patch_changes_only_what_is_given_and_none_clears(trove):
    # given
    link = trove.create_link("docs", "https://example.com/docs", client_id="acme", description="old")

    # when
    changed = trove.patch(link.id, tags=["brand"], campaign_id="spring", client_id=None)

    # then
    assert (changed.tags, changed.campaign_id, changed.client_id, changed.description) == (
        ["brand"],
        "spring",
        None,
        "old",
    )
    assert trove.get(link.id) == changed


def test_delete_and_the_cascades(trove, trove_for, new_user):
    # given
    other = trove_for(new_user())
    gone = trove.create_link("a", "https://example.com/a")
    for name in ("b", "c"):
        trove.create_link(name, f"https://example.com/{name}", client_id="acme")
    theirs = other.create_link("theirs", "https://example.com/t", client_id="acme")
    trove.create_link("d", "https://example.com/d", campaign_id="spring")

    # when
    trove.delete(gone.id)
    by_client = trove.delete_client("acme")
    by_campaign = trove.delete_campaign("spring")

    # then
    with pytest.raises(NotFound) as missing:
        trove.get(gone.id)
    assert missing.value.detail == "Asset not found"
    assert (by_client.deleted, by_campaign.deleted) == (2, 1)
    assert trove.list_assets().items == []
    assert other.get(theirs.id) == theirs


def test_another_users_token_is_refused_with_403_and_the_apis_detail(trove, trove_for, new_user):
    # given
    link = trove.create_link("mine", "https://example.com/mine")
    intruder = trove_for(new_user())

    # when
    with pytest.raises(Forbidden) as refused:
        intruder.delete(link.id)

    # then
    assert refused.value.status == 403
    assert refused.value.detail == "You don't have permission to delete this asset"
    assert trove.get(link.id) == link


def test_scans_usages_modes_graphs_and_a_forced_delete(trove, stack_url, media_file, tmp_path):
    # given
    asset = trove.upload(media_file("photo.jpg"), wait=True, timeout=SETTLE_SECONDS)
    code = f'import wmill\nwmill.load_s3_file("trove://asset/{asset.id}")\nwmill.get_resource("res://f/db")\n'

    # when
    scanned = trove.scan("f/etl/daily/extract", code, language="python")
    unknown = next(usage for usage in scanned.usages if usage.mode == "unknown")
    decided = trove.set_usage_mode(unknown.id, "read")
    graph = trove.flow_graph("f/etl/daily")

    # then
    assert [(usage.asset_id, usage.mode) for usage in trove.usages(asset.id)] == [(asset.id, "read")]
    assert {usage.asset_uri for usage in trove.consumer_usages("f/etl/daily/extract")} == {
        f"trove://asset/{asset.id}",
        "res://f/db",
    }
    assert (decided.mode, decided.source) == ("read", "manual")
    assert {edge.source for edge in graph.edges} == {f"trove://asset/{asset.id}", "res://f/db"}
    with pytest.raises(Conflict) as in_use:
        trove.delete(asset.id)
    assert "script:f/etl/daily/extract" in in_use.value.detail
    trove.delete(asset.id, force=True)


def test_a_consumer_client_records_its_downloads_as_run_time_reads(trove, stack_url, media_file, tmp_path):
    # given
    asset = trove.upload(media_file("doc.pdf"), wait=True, timeout=SETTLE_SECONDS)
    with Trove(stack_url, trove.token, consumer="job:1234") as job:
        # when
        job.download(asset.id, tmp_path / "doc.pdf")

    # then
    assert [(u.consumer_kind, u.consumer_path, u.mode, u.source) for u in trove.usages(asset.id)] == [
        ("job", "1234", "read", "runtime")
    ]


def test_the_sdks_file_types_are_the_services_allow_list():
    # given
    service = {ext: (fmt.asset_type.value, fmt.format, fmt.mime_types[0])
               for fmt in service_media.MEDIA_FORMATS for ext in fmt.extensions}  # fmt: skip

    # then
    assert {
        ext: (d.asset_type, d.format, d.content_type) for ext, d in client_media.BY_EXTENSION.items()
    } == service
    assert client_media.MAX_UPLOAD_BYTES == service_media.MAX_UPLOAD_BYTES


# ---------------------------------------------------------------------------------------------------
# Retries, against a server that answers from a script


class Scripted:
    """An HTTP server on 127.0.0.1 answering each request with the next (status, headers, body)."""

    def __init__(self, answers: list[tuple[int, dict[str, str], str]]) -> None:
        self.answers = answers
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []  # method, path, headers, body
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                scripted.seen.append((self.command, self.path, dict(self.headers.items()), body))
                status, headers, body = scripted.answers.pop(0)
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def scripted() -> Iterator[callable]:
    servers: list[Scripted] = []

    def start(*answers: tuple[int, dict[str, str], str]) -> Scripted:
        servers.append(Scripted(list(answers)))
        threading.Thread(target=servers[-1].server.serve_forever, daemon=True).start()
        return servers[-1]

    yield start
    for server in servers:
        server.server.shutdown()
        server.server.server_close()


UNAVAILABLE = (503, {}, '{"detail": "The asset store is unavailable; try again"}')
THROTTLED = (429, {"Retry-After": "0"}, '{"message": "Too Many Requests"}')
EMPTY_PAGE = (200, {}, "[]")


def test_5xx_and_429_are_retried_until_an_answer_comes(scripted):
    # given
    server = scripted(UNAVAILABLE, THROTTLED, EMPTY_PAGE)

    # when
    page = Trove(server.url, "t", backoff=0).list_assets()

    # then
    assert page.items == [] and len(server.seen) == 3


def test_a_400_is_not_retried(scripted):
    # given
    server = scripted((400, {}, '{"detail": "limit: Input should be less than or equal to 100"}'), EMPTY_PAGE)

    # when
    with pytest.raises(BadRequest) as refused:
        Trove(server.url, "t", backoff=0).list_assets(limit=101)

    # then
    assert refused.value.detail == "limit: Input should be less than or equal to 100"
    assert len(server.seen) == 1


def test_retries_end_with_the_last_answer_as_an_error(scripted):
    # given
    server = scripted(*[UNAVAILABLE] * 3)

    # when
    with pytest.raises(ApiError) as unavailable:
        Trove(server.url, "t", retries=2, backoff=0).get("8c0d6a3e-5f2b-4d7e-9a41-3b6f0e2c9d17")

    # then
    assert (unavailable.value.status, unavailable.value.detail) == (
        503,
        "The asset store is unavailable; try again",
    )
    assert len(server.seen) == 3


def started_upload(storage_url: str) -> tuple[int, dict[str, str], str]:
    """`POST /api/v2/uploads`'s answer, its presigned POST pointing at `storage_url`."""
    asset = {"id": "8c0d6a3e-5f2b-4d7e-9a41-3b6f0e2c9d17", "type": "image", "name": "photo.jpg", "url": "u",
             "format": "jpg", "status": "pending", "uploadedAt": "2025-11-16T19:43:00Z"}  # fmt: skip
    fields = {
        "key": f"uploads/{asset['id']}",
        "Content-Type": "image/jpeg",
        "policy": "p",
        "x-amz-signature": "s",
    }
    upload = {"url": f"{storage_url}/bucket", "fields": fields, "expiresAt": "2025-11-16T19:53:00Z"}
    return 201, {}, json.dumps({"asset": asset, "upload": upload})


ACCESS_DENIED = (403, {"Content-Type": "application/xml"},
                 "<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>")  # fmt: skip


def test_a_refused_presigned_post_is_a_storage_error_and_the_token_never_goes_to_storage(
    scripted, media_file
):
    # given
    server = scripted()
    server.answers += [started_upload(server.url), ACCESS_DENIED]

    # when
    with pytest.raises(StorageError) as refused:
        Trove(server.url, "secret-token", backoff=0).upload(media_file("photo.jpg"))

    # then
    assert (refused.value.status, refused.value.code) == (403, "AccessDenied")
    assert refused.value.message == "Invalid according to Policy: Policy expired."
    (_, _, api_headers, _), (method, path, storage_headers, _) = server.seen
    assert api_headers["Authorization"] == "Bearer secret-token"
    assert (method, path) == ("POST", "/bucket") and "Authorization" not in storage_headers


def test_a_retried_presigned_post_sends_the_whole_form_again_fields_first_file_last(scripted, media_file):
    # given
    path = media_file("photo.jpg")
    server = scripted()
    server.answers += [started_upload(server.url), UNAVAILABLE, (204, {}, "")]

    # when
    asset = Trove(server.url, "t", backoff=0).upload(path)

    # then
    assert asset.status == "pending"
    first, second = (body for method, _, _, body in server.seen[1:])
    assert first == second and first.endswith(path.read_bytes() + first[first.rindex(b"\r\n--") :])
    assert first.index(b'name="key"') < first.index(b'name="x-amz-signature"') < first.index(b'name="file"')


def test_an_unreachable_api_is_a_connection_error():
    # when
    with pytest.raises(TroveConnectionError) as unreachable:
        Trove("http://127.0.0.1:9", "t").list_assets()

    # then
    assert "cannot reach http://127.0.0.1:9" in str(unreachable.value)


def test_a_name_and_links_are_declared_with_the_file(trove, media_file):
    # given
    path = media_file("photo.jpg")

    # when
    asset = trove.upload(str(path), name="Company Logo", client_id="client-uuid-123", project_id="PRJ-7")

    # then
    assert (asset.name, asset.client_id, asset.project_id, asset.type) == (
        "Company Logo",
        "client-uuid-123",
        "PRJ-7",
        "image",
    )
