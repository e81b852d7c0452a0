"""Deleting a learner: bounded batches, and a tombstone that writes still in flight respect."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.learners import service
from tests.conftest import auth
from tests.learners_fixtures import attempt
from tests.recommend_fixtures import make_course

APP, ADMIN = auth("learner_app"), auth("admin")


def count(db: Driver, query: str) -> int:
    return int(db.execute_query(query).records[0]["n"])


def test_deletion_runs_in_batches_and_keeps_the_learner_deleted(
    client: TestClient, db: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_course(db)
    monkeypatch.setattr(service, "DELETE_BATCH", 3)  # 10 attempts: four transactions
    attempts = [attempt(f"x{i}", "q-counting-1", True, f"2026-03-01T10:{i:02d}:00Z") for i in range(10)]
    assert client.post("/v1/attempts", json={"attempts": attempts}, headers=APP).status_code == 200
    rec = client.post("/v1/recommendations", json={"user_id": "u1", "units": ["course"], "n": 2}, headers=APP)
    assert rec.status_code == 200
    deleted = client.delete("/v1/users/u1", headers=ADMIN)
    assert deleted.json() == {"deleted": "u1", "attempts": 10, "recommendations": 1}
    assert count(db, "MATCH (a:Attempt {user_id: 'u1'}) RETURN count(a) AS n") == 0
    assert count(db, "MATCH (t:Tombstone {user_id: 'u1'}) RETURN count(t) AS n") == 1
    # A retried attempt or a late recommendation does not bring the learner back.
    again = client.post("/v1/attempts", json=attempts[0] | {"attempt_id": "late"}, headers=APP)
    assert again.status_code == 404 and again.json()["error"]["details"][0]["field"] == "attempts[0].user_id"
    late = client.post(
        "/v1/recommendations", json={"user_id": "u1", "units": ["course"], "n": 2}, headers=APP
    )
    # refused like the attempt: a recommendation served but never stored could not be read back
    assert late.status_code == 404 and late.json()["error"]["details"][0]["field"] == "user_id"
    assert count(db, "MATCH (u:User {id: 'u1'}) RETURN count(u) AS n") == 0
    assert count(db, "MATCH (r:Recommendation {user_id: 'u1'}) RETURN count(r) AS n") == 0


def test_writes_during_a_deletion_are_refused(client: TestClient, db: Driver) -> None:
    make_course(db)
    first = attempt("y0", "q-counting-1", True, "2026-03-01T10:00:00Z")
    assert client.post("/v1/attempts", json=first, headers=APP).status_code == 200
    # The deletion has written its tombstone and is still deleting batches.
    db.execute_query("MATCH (u:User {id: 'u1'}) SET u.deleting = true MERGE (:Tombstone {user_id: 'u1'})")
    during = client.post(
        "/v1/attempts", json=attempt("y1", "q-counting-2", True, "2026-03-01T10:01:00Z"), headers=APP
    )
    assert during.status_code == 404
    assert count(db, "MATCH (a:Attempt {id: 'y1'}) RETURN count(a) AS n") == 0
    assert client.delete("/v1/users/u1", headers=ADMIN).json()["attempts"] == 1  # finishing it is safe
