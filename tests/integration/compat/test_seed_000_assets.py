"""Seed 000 replayed: /api/assets/ (snake_case, reference_url, project/todo links, skip/limit, PUT)
over the same records as /api/v2."""

from __future__ import annotations

from uuid import UUID

import pytest

from tests.integration.compat import seed_examples as seed

COLLECTION = "/api/assets/"
MISSING_ID = "0b5c1f7e-9a3d-4c4e-8f55-2b1d6a7c9e01"


def created(call, body: dict, user: str = "user-a") -> dict:
    response = call("POST", COLLECTION, json=body, user=user)
    assert response.status == 201, response.body
    return response.json()


def as_record(body: dict) -> dict:
    """What a request body becomes: every field of the Database Model, absent ones null."""
    return {"description": None, "project_id": None, "todo_id": None, **body}


# ---- "Create Asset" and the Use Cases ----


@pytest.mark.parametrize(
    "body",
    [seed.CREATE_ASSET, *seed.USE_CASES.values()],
    ids=["Create Asset", *seed.USE_CASES],
)
def test_every_create_example_answers_201_with_the_record(call, body):
    # when
    response = call("POST", COLLECTION, json=body)

    # then
    assert response.status == 201
    record = response.json()
    assert set(record) == seed.DATABASE_MODEL_FIELDS
    assert UUID(record["id"]).version == 4
    assert record["created_at"] == record["updated_at"]
    assert record["created_at"].endswith("Z")
    assert {key: record[key] for key in record if key not in ("id", "created_at", "updated_at")} == as_record(
        body
    )


def test_the_created_record_is_a_link_asset_in_v2(call):
    # given
    record = created(call, seed.CREATE_ASSET)

    # when
    v2 = call("GET", f"/api/v2/assets/{record['id']}", headers={"Accept": "application/json"}).json()

    # then: one asset, two contracts
    assert (v2["type"], v2["format"], v2["status"]) == ("link", "url", "ready")
    assert (v2["name"], v2["url"], v2["projectId"], v2["todoId"]) == (
        "Flink SQL Helper Library",
        "https://github.com/org/flink-sql-helpers",
        "1",
        None,
    )


# ---- "List Assets" ----


def test_the_list_example_filters_by_project_and_task(call):
    # given
    both = created(call, {**seed.CREATE_ASSET, "name": "both", "todo_id": 5})
    created(call, {**seed.CREATE_ASSET, "name": "project only"})
    created(call, {**seed.USE_CASES["Document Template Asset"], "name": "task 5 only", "todo_id": 5})
    created(call, {**seed.CREATE_ASSET, "name": "someone else's"}, user="user-b")

    # when: GET /api/assets/?project_id=1&todo_id=5
    response = call("GET", COLLECTION, query=seed.LIST_QUERY)

    # then
    assert response.status == 200
    assert response.json() == [both]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({}, ["c", "b", "a"]),
        ({"project_id": "1"}, ["c", "a"]),
        ({"todo_id": "15"}, ["b"]),
        ({"project_id": "1", "todo_id": "15"}, []),
        ({"skip": "1", "limit": "1"}, ["b"]),
        ({"skip": "2"}, ["a"]),
        ({"limit": "500"}, ["c", "b", "a"]),
    ],
)
def test_filters_skip_and_limit(call, query, names):
    # given
    for name, links in (("a", {"project_id": 1}), ("b", {"todo_id": 15}), ("c", {"project_id": 1})):
        created(call, {"name": name, "reference_url": "https://example.com/x", **links})

    # when
    response = call("GET", COLLECTION, query=query)

    # then: newest first, as in /api/v2
    assert response.status == 200
    assert [record["name"] for record in response.json()] == names


def test_the_limit_defaults_to_100(call):
    # given
    from functions.core import assets
    from functions.core.schemas import LinkCreate

    owner = assets.Identity("user-a")
    for number in range(101):
        assets.create_link(owner, LinkCreate(name=f"a{number}", url="https://example.com/a"))

    # when
    response = call("GET", COLLECTION)

    # then
    assert len(response.json()) == 100


def test_lists_are_queries_on_the_owner_scoped_indexes_never_scans(call, aws_calls):
    # when
    for query in ({}, {"project_id": "1"}, {"todo_id": "5"}, seed.LIST_QUERY):
        assert call("GET", COLLECTION, query=query).status == 200

    # then
    operations = [(name, kwargs.get("IndexName")) for name, kwargs in aws_calls.dynamodb]
    assert operations == [
        ("Query", "byOwner"),
        ("Query", "byOwnerProject"),
        ("Query", "byOwnerTodo"),
        ("Query", "byOwnerProject"),
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "501"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"skip": "-1"}, "skip"),
        ({"skip": "10001"}, "skip"),
        ({"project_id": "a#b"}, "project_id"),
    ],
)
def test_bad_list_parameters_are_400(call, query, field):
    # when
    response = call("GET", COLLECTION, query=query)

    # then
    assert response.status == 400
    assert field in response.json()["detail"]


def test_with_and_without_the_trailing_slash(call):
    # given
    record = created(call, seed.CREATE_ASSET)

    # when
    with_slash = call("GET", "/api/assets/")
    without = call("GET", "/api/assets")
    posted_without = call("POST", "/api/assets", json=seed.USE_CASES["Code Library Asset"])
    item_with_slash = call("GET", f"/api/assets/{record['id']}/")

    # then
    assert with_slash.status == without.status == 200
    assert with_slash.json() == without.json() == [record]
    assert posted_without.status == 201
    assert item_with_slash.json() == record


# ---- "Get Asset", "Update Asset", "Delete Asset" ----


def test_get_answers_the_record(call):
    # given
    record = created(call, seed.CREATE_ASSET)

    # when
    response = call("GET", f"/api/assets/{record['id']}")

    # then
    assert response.status == 200
    assert response.json() == record


def test_the_update_example_replaces_the_record_and_null_unlinks_the_task(call):
    # given
    record = created(call, {**seed.CREATE_ASSET, "todo_id": 5})

    # when
    response = call("PUT", f"/api/assets/{record['id']}", json=seed.UPDATE_ASSET)

    # then
    assert response.status == 200
    updated = response.json()
    assert {key: updated[key] for key in seed.UPDATE_ASSET} == seed.UPDATE_ASSET
    assert (updated["id"], updated["created_at"]) == (record["id"], record["created_at"])
    assert call("GET", COLLECTION, query={"todo_id": "5"}).json() == []
    assert call("GET", COLLECTION, query={"project_id": "2"}).json() == [updated]


def test_put_is_a_full_update_fields_left_out_become_null(call):
    # given
    record = created(call, {**seed.CREATE_ASSET, "todo_id": 5})

    # when
    response = call(
        "PUT", f"/api/assets/{record['id']}", json={"name": "Renamed", "reference_url": "https://x.org/"}
    )

    # then
    assert response.json() | {"updated_at": None} == {
        **record,
        "name": "Renamed",
        "reference_url": "https://x.org/",
        "description": None,
        "project_id": None,
        "todo_id": None,
        "updated_at": None,
    }


def test_put_keeps_what_seed_000_does_not_know(call):
    # given: a link asset with a client link and tags, made through /api/v2
    v2 = call(
        "POST",
        "/api/v2/assets",
        json={"name": "x", "url": "https://example.com/", "clientId": "c1", "tags": ["brand"]},
    ).json()

    # when
    call("PUT", f"/api/assets/{v2['id']}", json={"name": "y", "reference_url": "https://example.com/"})

    # then
    after = call("GET", f"/api/v2/assets/{v2['id']}", headers={"Accept": "application/json"}).json()
    assert (after["name"], after["clientId"], after["tags"]) == ("y", "c1", ["brand"])


@pytest.mark.parametrize(
    ("body", "detail_part"),
    [
        ({"reference_url": "https://x.org/"}, "name"),
        ({"name": "x", "reference_url": "javascript:alert(1)"}, "reference_url"),
        ({"name": "x", "reference_url": "https://x.org/", "project_id": -1}, "project_id"),
        ({"name": "x", "reference_url": "https://x.org/", "project_id": True}, "project_id"),
        ({"name": "x", "reference_url": "https://x.org/", "owner": "user-b"}, "owner"),
    ],
)
def test_bad_updates_are_400(call, body, detail_part):
    # given
    record = created(call, seed.CREATE_ASSET)

    # when
    response = call("PUT", f"/api/assets/{record['id']}", json=body)

    # then
    assert response.status == 400
    assert detail_part in response.json()["detail"]


def test_delete_removes_the_record(call):
    # given
    record = created(call, seed.CREATE_ASSET)

    # when
    response = call("DELETE", f"/api/assets/{record['id']}")

    # then
    assert response.status == 200
    assert response.json() == {"success": True, "message": f"Asset {record['id']} deleted successfully"}
    assert call("GET", f"/api/assets/{record['id']}").status == 404


# ---- links: ints as in the seed, strings as Trove allows ----


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        (7, 7),
        ("7", 7),
        ("PRJ-7", "PRJ-7"),
        ("007", "007"),
        (2**53 - 1, 2**53 - 1),
        ("9007199254740993", "9007199254740993"),
    ],
)
def test_links_stored_as_digits_come_back_as_integers(call, sent, shown):
    # when
    record = created(call, {**seed.CREATE_ASSET, "project_id": sent})

    # then
    assert record["project_id"] == shown
    assert call("GET", COLLECTION, query={"project_id": str(sent)}).json() == [record]


# ---- uploaded files in the seed 000 view ----


def test_uploaded_files_show_with_their_file_url_and_keep_it(call, upload, make_ready):
    # given
    asset = upload(name="logo.png", projectId="3")
    make_ready(asset["id"])
    file_url = f"https://api.example.com/api/v2/assets/{asset['id']}"

    # when
    listed = call("GET", COLLECTION).json()
    unchanged = call(
        "PUT", f"/api/assets/{asset['id']}", json={"name": "Logo", "reference_url": file_url, "todo_id": 4}
    )
    left_out = call("PUT", f"/api/assets/{asset['id']}", json={"name": "Logo 2", "project_id": 9})
    changed = call(
        "PUT",
        f"/api/assets/{asset['id']}",
        json={"name": "Logo 3", "reference_url": "https://elsewhere.org/"},
    )

    # then
    assert [(record["reference_url"], record["project_id"]) for record in listed] == [(file_url, 3)]
    assert unchanged.status == 200
    assert (unchanged.json()["name"], unchanged.json()["todo_id"], unchanged.json()["project_id"]) == (
        "Logo",
        4,
        None,
    )
    assert left_out.status == 200 and left_out.json()["reference_url"] == file_url
    assert changed.status == 409
    assert changed.json() == {
        "detail": "reference_url of an uploaded file is its file URL and cannot be changed; "
        "send it unchanged or leave it out"
    }
    v2 = call("GET", f"/api/v2/assets/{asset['id']}", headers={"Accept": "application/json"}).json()
    assert (v2["name"], v2["type"], v2["projectId"], v2["todoId"]) == ("Logo 2", "image", "9", None)


def test_deleting_an_uploaded_file_here_deletes_its_objects(call, upload, make_ready, s3, bucket):
    # given
    asset = upload()
    make_ready(asset["id"])

    # when
    response = call("DELETE", f"/api/assets/{asset['id']}")

    # then
    assert response.status == 200
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


# ---- owner only, ids, identity ----


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_someone_elses_asset_is_403_and_never_listed(call, method):
    # given
    record = created(call, seed.CREATE_ASSET)

    # when
    response = call(
        method,
        f"/api/assets/{record['id']}",
        user="user-b",
        json=seed.UPDATE_ASSET if method == "PUT" else None,
    )

    # then
    assert response.status == 403
    assert call("GET", COLLECTION, user="user-b").json() == []
    assert call("GET", f"/api/assets/{record['id']}").json() == record


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        (f"/api/assets/{MISSING_ID}", 404, "Asset not found"),
        ("/api/assets/42", 400, "Invalid asset ID: must be a UUID"),
    ],
)
def test_missing_and_malformed_ids(call, path, status, detail):
    # when
    response = call("GET", path)

    # then
    assert response.status == status
    assert response.json() == {"detail": detail}


@pytest.mark.parametrize(
    ("method", "path"), [("GET", COLLECTION), ("POST", COLLECTION), ("GET", f"/api/assets/{MISSING_ID}")]
)
def test_without_identity_it_is_401(call, method, path):
    # when
    response = call(method, path, user=None, json=seed.CREATE_ASSET if method == "POST" else None)

    # then
    assert response.status == 401
