"""POST /api/v2/uploads/check with many hashes: its Queries run a few at a time, not one after
another, and the answer is still in request order."""

from __future__ import annotations

import hashlib
import threading

import pytest

from functions.core.duplicates import CONCURRENT_QUERIES


@pytest.fixture
def queries_in_flight(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The most Queries pynamodb had in flight at once, as a one-item list. A Query sent outside the
    calling thread waits (a bounded while) for another to be in flight, so concurrency shows."""
    from pynamodb.connection.base import Connection

    send = Connection.dispatch
    lock, other_in_flight = threading.Lock(), threading.Event()
    in_flight, most = [0], [0]

    def dispatch(self: Connection, operation_name: str, operation_kwargs: dict) -> dict:
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
            if in_flight[0] > 1:
                other_in_flight.set()
        try:
            if threading.current_thread() is not threading.main_thread():
                other_in_flight.wait(timeout=5)
            return send(self, operation_name, operation_kwargs)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(Connection, "dispatch", dispatch)
    return most


def test_a_hundred_hashes_are_looked_up_concurrently_and_answered_in_order(
    api, ready_asset, queries_in_flight
) -> None:
    # given: 100 distinct hashes, the caller holding the files of two of them
    hashes = [hashlib.sha256(b"file %d" % number).hexdigest() for number in range(100)]
    held = {
        hashes[7]: ready_asset(hashes[7], name="seven.png"),
        hashes[93]: ready_asset(hashes[93], name="93.png"),
    }
    queries_in_flight[0] = 0

    # when
    response = api(
        "POST",
        "/api/v2/uploads/check",
        body={"files": [{"name": f"f{n}", "size": 6, "sha256": sha256} for n, sha256 in enumerate(hashes)]},
    )

    # then
    assert response.status == 200, response.body
    answered = response.json()["files"]
    assert [file["sha256"] for file in answered] == hashes
    duplicates = {file["sha256"]: file["duplicateOf"] for file in answered if file["duplicateOf"]}
    assert duplicates == {
        sha256: {"id": asset["id"], "name": asset["name"]} for sha256, asset in held.items()
    }
    assert 1 < queries_in_flight[0] <= CONCURRENT_QUERIES
