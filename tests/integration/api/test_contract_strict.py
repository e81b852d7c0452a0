"""The issue's accepted-but-wrong inputs, each refused with a 422 naming the field (and nothing stored)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from tests.conftest import auth
from tests.learners_fixtures import attempt, make_chain

APP, EDITOR = auth("learner_app"), auth("content_editor")


def refused(response: object) -> list[str]:
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    return [d["field"] for d in response.json()["error"]["details"]]  # type: ignore[attr-defined]


def count(db: Driver, query: str) -> int:
    return int(db.execute_query(query).records[0][0])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"correct": "yes"}, "correct"),
        ({"correct": 1}, "correct"),
        ({"at": "2026-03-01T10:00:00"}, "at"),  # no zone
        ({"time_spent_ms": "500"}, "time_spent_ms"),
        ({"user_id": "a/b"}, "user_id"),
        ({"attempt_id": "bad id"}, "attempt_id"),
        ({"recommendation_id": "rec_nope"}, "recommendation_id"),
    ],
)
def test_bad_attempts_are_refused_naming_the_field(
    client: TestClient, db: Driver, change: dict[str, object], field: str
) -> None:
    make_chain(db)
    body = {**attempt("a1", "q-counting-1", True, "2026-03-01T10:00:00Z"), **change}
    assert refused(client.post("/v1/attempts", json=body, headers=APP)) == [field]
    batch = client.post(
        "/v1/attempts",
        json={"attempts": [attempt("a0", "q-counting-1", True, "2026-03-01T10:00:00Z"), body]},
        headers=APP,
    )
    assert refused(batch) == [f"attempts[1].{field}"]
    assert count(db, "MATCH (a:Attempt) RETURN count(a)") == 0


def test_time_spent_is_optional(client: TestClient, db: Driver) -> None:
    make_chain(db)
    body = attempt("a1", "q-counting-1", True, "2026-03-01T10:00:00Z")
    del body["time_spent_ms"]
    assert client.post("/v1/attempts", json=body, headers=APP).json()["created"] == 1
    day = client.get("/v1/users/u1/streak", params={"as_of": "2026-03-01T12:00:00Z"}, headers=APP).json()
    assert day["today"] == {"day": "2026-03-01", "questions": 1, "minutes": 0.0}


def test_as_of_needs_a_zone(client: TestClient, db: Driver) -> None:
    make_chain(db)
    client.post("/v1/attempts", json=attempt("a1", "q-counting-1", True, "2026-03-01T10:00:00Z"), headers=APP)
    assert refused(
        client.get("/v1/users/u1/mastery", params={"as_of": "2026-03-01T12:00:00"}, headers=APP)
    ) == ["as_of"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/concepts", {"id": "a/b", "name": "A", "subject": "math"}, "id"),
        ("/v1/concepts", {"id": "c1", "name": "bad\u0007name", "subject": "math"}, "name"),
        ("/v1/concepts", {"id": "c1", "name": "  ", "subject": "math"}, "name"),
        ("/v1/units", {"id": "u1", "name": "Unit", "kind": "00"}, "kind"),
        (
            "/v1/questions",
            {
                "id": "q1",
                "text": "t",
                "difficulty_tag": 1,
                "concepts": [{"id": "counting", "weight": 5e-324}],
            },
            "concepts[0].weight",
        ),
        (
            "/v1/questions",
            {"id": "q1", "text": "t", "difficulty_tag": "1", "concepts": [{"id": "counting", "weight": 1}]},
            "difficulty_tag",
        ),
    ],
)
def test_bad_content_is_refused_naming_the_field(
    client: TestClient, db: Driver, path: str, body: dict[str, object], field: str
) -> None:
    make_chain(db)
    before = count(db, "MATCH (n) RETURN count(n)")
    assert refused(client.post(path, json=body, headers=EDITOR)) == [field]
    assert count(db, "MATCH (n) RETURN count(n)") == before


def test_a_learner_name_must_be_printable(client: TestClient, db: Driver) -> None:
    make_chain(db)
    client.post("/v1/attempts", json=attempt("a1", "q-counting-1", True, "2026-03-01T10:00:00Z"), headers=APP)
    assert refused(client.patch("/v1/users/u1", json={"display_name": "A\u0000"}, headers=APP)) == [
        "display_name"
    ]
