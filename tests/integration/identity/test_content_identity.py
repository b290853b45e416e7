"""SHA-256 of every file asset through both upload routes, the list filter by hash, and the duplicate
check: always the caller's own ready assets, never another user's."""

from __future__ import annotations

import base64
import hashlib

import pytest

from tests.integration.identity.conftest import FORMATS

HASH = hashlib.sha256(b"a file").hexdigest()


@pytest.mark.parametrize("declare_sha256", [True, False], ids=["client-hash", "no-client-hash"])
@pytest.mark.parametrize("name", FORMATS)
def test_the_presigned_routes_sha256_is_the_files(presigned_upload, corpus, name, declare_sha256) -> None:
    # when
    asset = presigned_upload(name, declare_sha256=declare_sha256)

    # then
    assert (asset["status"], asset["sha256"]) == (
        "ready",
        hashlib.sha256(corpus[name].read_bytes()).hexdigest(),
    )


@pytest.mark.parametrize("name", FORMATS)
def test_the_multipart_routes_sha256_is_the_files(multipart_upload, corpus, name) -> None:
    # when
    status, asset = multipart_upload(name)

    # then
    assert status == 201, asset
    assert (asset["status"], asset["sha256"]) == (
        "ready",
        hashlib.sha256(corpus[name].read_bytes()).hexdigest(),
    )


def test_the_multipart_route_stores_the_bytes_with_their_sha256_checksum(
    multipart_upload, s3, bucket, corpus
) -> None:
    # when
    _, asset = multipart_upload("photo.jpg")

    # then: the processor read it back (ChecksumMode), the served copy keeps it
    head = s3.head_object(Bucket=bucket, Key=f"files/{asset['id']}", ChecksumMode="ENABLED")
    assert bytes.fromhex(asset["sha256"]) == hashlib.sha256(corpus["photo.jpg"].read_bytes()).digest()
    assert head["ChecksumSHA256"] == base64.b64encode(bytes.fromhex(asset["sha256"])).decode()


def test_a_declared_sha256_is_pinned_in_the_presigned_post_and_not_shown_until_confirmed(api) -> None:
    # when
    created = api(
        "POST",
        "/api/v2/uploads",
        body={"name": "a.png", "type": "image", "format": "png", "size": 6, "sha256": HASH},
    ).json()

    # then
    fields = created["upload"]["fields"]
    assert fields["x-amz-checksum-algorithm"] == "SHA256"
    assert bytes.fromhex(HASH) == base64.b64decode(fields["x-amz-checksum-sha256"])
    assert created["asset"]["sha256"] is None  # declared, not yet the stored file's


@pytest.mark.parametrize("sha256", ["A" * 64, "a" * 63, "g" * 64, 12])
def test_a_malformed_sha256_is_refused_with_400(api, sha256) -> None:
    # when
    response = api(
        "POST",
        "/api/v2/uploads",
        body={"name": "a.png", "type": "image", "format": "png", "size": 6, "sha256": sha256},
    )

    # then
    assert response.status == 400
    assert response.json()["detail"].startswith("sha256:")


def test_a_link_asset_has_no_sha256_nor_placeholder(api) -> None:
    # when
    link = api("POST", "/api/v2/assets", body={"name": "site", "url": "https://example.com/"}).json()

    # then
    assert (link["sha256"], link["placeholder"]) == (None, None)


def test_the_list_filter_finds_the_callers_ready_assets_with_that_sha256(api, upload, ready_asset) -> None:
    # given: the hash on a ready asset of the caller's, on another user's, a pending one declared with it
    mine = ready_asset(HASH)
    ready_asset(HASH, user="user-b")
    upload(sha256=HASH)
    ready_asset(hashlib.sha256(b"another file").hexdigest())

    # when
    found = api("GET", "/api/v2/assets", query={"sha256": HASH})

    # then
    assert found.status == 200
    assert [asset["id"] for asset in found.json()] == [mine["id"]]


@pytest.mark.parametrize("sha256", ["A" * 64, "abc"])
def test_the_list_filter_refuses_a_malformed_sha256_with_400(api, sha256) -> None:
    # when
    response = api("GET", "/api/v2/assets", query={"sha256": sha256})

    # then
    assert response.status == 400
    assert "sha256" in response.json()["detail"]


def check(api, files: list[dict], user: str = "user-a"):
    return api("POST", "/api/v2/uploads/check", user=user, body={"files": files})


def test_the_check_names_the_callers_ready_duplicate_in_request_order(api, ready_asset) -> None:
    # given
    existing = ready_asset(HASH, name="logo.png")
    other = hashlib.sha256(b"new").hexdigest()
    files = [
        {"name": "new.png", "size": 3, "sha256": other},
        {"name": "logo copy.png", "size": 6, "sha256": HASH},
        {"name": "logo again.png", "size": 6, "sha256": HASH},
    ]

    # when
    response = check(api, files)

    # then
    assert response.status == 200
    duplicate = {"id": existing["id"], "name": "logo.png"}
    assert response.json() == {
        "files": [
            {**files[0], "duplicateOf": None},
            {**files[1], "duplicateOf": duplicate},
            {**files[2], "duplicateOf": duplicate},
        ]
    }


def test_another_users_identical_file_is_never_reported(api, ready_asset) -> None:
    # given: user-b holds the file, user-a does not
    ready_asset(HASH, user="user-b")

    # when
    response = check(api, [{"name": "logo.png", "size": 6, "sha256": HASH}], user="user-a")

    # then
    assert response.status == 200
    assert response.json()["files"][0]["duplicateOf"] is None


def test_an_upload_not_ready_is_no_duplicate(api, upload) -> None:
    # given: a pending upload that declared the hash
    upload(sha256=HASH)

    # when
    response = check(api, [{"name": "logo.png", "size": 6, "sha256": HASH}])

    # then
    assert response.json()["files"][0]["duplicateOf"] is None


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"files": []}, "files: List should have at least 1 item"),
        (
            {"files": [{"name": "a", "size": 1, "sha256": HASH}] * 101},
            "files: List should have at most 100 items",
        ),
        ({"files": [{"name": "a", "size": 0, "sha256": HASH}]}, "files.0.size:"),
        (
            {"files": [{"name": "a", "size": 60 * 1024 * 1024, "sha256": HASH}]},
            "files.0.size: File too large",
        ),
        ({"files": [{"name": "a", "size": 1, "sha256": HASH.upper()}]}, "files.0.sha256:"),
        ({"files": [{"name": "", "size": 1, "sha256": HASH}]}, "files.0.name:"),
        ({}, "files: Field required"),
    ],
)
def test_a_bad_check_is_refused_with_400_saying_why(api, body, detail) -> None:
    # when
    response = api("POST", "/api/v2/uploads/check", body=body)

    # then
    assert response.status == 400
    assert response.json()["detail"].startswith(detail)


def test_the_check_needs_a_caller(api) -> None:
    # when
    response = api(
        "POST", "/api/v2/uploads/check", user=None, body={"files": [{"name": "a", "size": 1, "sha256": HASH}]}
    )

    # then
    assert response.status == 401


def test_the_filter_and_the_check_query_the_owner_scoped_hash_index(api, ready_asset, dynamodb_calls) -> None:
    # given
    ready_asset(HASH)
    other = hashlib.sha256(b"other").hexdigest()
    files = [
        {"name": name, "size": 6, "sha256": sha256}
        for name, sha256 in (("a", HASH), ("b", other), ("c", HASH))
    ]
    dynamodb_calls.clear()

    # when
    api("GET", "/api/v2/assets", query={"sha256": HASH})
    listed = list(dynamodb_calls)
    dynamodb_calls.clear()
    check(api, files)
    checked = list(dynamodb_calls)

    # then: one Query per distinct hash, keyed by the caller and the hash, never a Scan
    for calls, hashes in ((listed, [HASH]), (checked, [HASH, other])):
        assert [name for name, _ in calls] == ["Query"] * len(hashes)
        for (_, request), sha256 in zip(calls, hashes, strict=True):
            assert request["IndexName"] == "byOwnerSha256"
            assert {"S": f"user-a#{sha256}"} in request["ExpressionAttributeValues"].values()


@pytest.mark.parametrize("declare_sha256", [True, False], ids=["client-hash", "no-client-hash"])
def test_the_hash_step_reads_no_byte_when_s3_kept_the_clients_checksum(
    api, presigned_upload, corpus, declare_sha256
) -> None:
    # when
    asset = presigned_upload("clip.mp4", declare_sha256=declare_sha256)
    record = api("GET", f"/api/v2/assets/{asset['id']}/processing").json()

    # then: the processing record's hash step
    (step,) = [step for step in record["attempts"][-1]["steps"] if step["name"] == "hash"]
    size = corpus["clip.mp4"].stat().st_size
    assert (step["bytesRead"], step["gets"]) == ((0, 0) if declare_sha256 else (size, 1))
