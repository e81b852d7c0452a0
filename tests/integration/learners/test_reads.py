"""The learner read routes against the real Neo4j."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from neo4j import Driver

from tests.conftest import auth
from tests.learners_fixtures import CHAIN, attempt, make_chain

APP = auth("learner_app")


def post(client: TestClient, attempts: list[dict[str, object]]) -> None:
    response = client.post("/v1/attempts", json={"attempts": attempts}, headers=APP)
    assert response.status_code == 200, response.text


def test_streaks_across_midnight_in_two_time_zones(client: TestClient, db: Driver) -> None:
    make_chain(db)
    # Tokyo evening of 1 March and early morning 2 March local: 10:00 and 16:30 UTC on 1 March.
    times = ["2026-03-01T10:00:00Z", "2026-03-01T16:30:00Z"]
    for user in ("tokyo", "london"):
        post(client, [attempt(f"{user}-{i}", "q-counting-1", True, t, user) for i, t in enumerate(times)])
    assert client.patch("/v1/users/tokyo", json={"timezone": "Asia/Tokyo"}, headers=APP).status_code == 200
    client.patch("/v1/users/london", json={"timezone": "Europe/London"}, headers=APP)
    as_of = {"as_of": "2026-03-02T12:00:00Z"}
    tokyo = client.get("/v1/users/tokyo/streak", params=as_of, headers=APP).json()
    london = client.get("/v1/users/london/streak", params=as_of, headers=APP).json()
    assert (tokyo["current"], tokyo["longest"]) == (2, 2)  # 19:00 on 1st and 01:30 on 2nd, Tokyo time
    assert tokyo["today"] == {"day": "2026-03-02", "questions": 1, "minutes": 0.5}
    assert (london["current"], london["longest"]) == (1, 1)  # both on 1 March in London
    assert london["today"]["questions"] == 0 and london["last_active"] == "2026-03-01"
    bad = client.patch("/v1/users/tokyo", json={"timezone": "Mars/Olympus"}, headers=APP)
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "timezone"


def test_mastery_gaps_and_ready(client: TestClient, db: Driver) -> None:
    make_chain(db)
    # Mastered counting and adding (four correct each), nothing on multiplying.
    post(
        client,
        [
            attempt(f"m-{c}-{i}", f"q-{c}-{1 + i % 3}", True, f"2026-03-0{1 + i}T10:00:00Z")
            for c in ("counting", "adding")
            for i in range(4)
        ],
    )
    as_of = {"as_of": "2026-03-05T12:00:00Z"}
    levels = {
        m["concept_id"]: m
        for m in client.get("/v1/users/u1/mastery", params=as_of, headers=APP).json()["items"]
    }
    assert levels["counting"]["mastered"] and levels["adding"]["mastered"]
    assert levels["counting"]["reps"] == 4 and levels["counting"]["next_due"] > "2026-03-05"
    ready = client.get("/v1/users/u1/ready", params=as_of, headers=APP).json()["items"]
    assert [r["concept_id"] for r in ready] == ["multiplying"]
    gaps = client.get("/v1/users/u1/gaps", params={**as_of, "concept": "fractions"}, headers=APP).json()[
        "items"
    ]
    assert [g["concept_id"] for g in gaps] == ["multiplying"]
    fresh = client.get(
        "/v1/users/u1/gaps", params={"concept": "fractions", "as_of": "2027-06-01T00:00:00Z"}, headers=APP
    )
    # A year later memory has faded: the gap reaches down to the root, ordered root first.
    assert [g["concept_id"] for g in fresh.json()["items"]] == ["counting", "adding", "multiplying"]
    assert client.get("/v1/users/u1/gaps", params={"concept": "nope"}, headers=APP).status_code == 404
    assert client.get("/v1/users/nobody/mastery", headers=APP).status_code == 404


def test_attempts_are_paginated_newest_first(client: TestClient, db: Driver) -> None:
    make_chain(db)
    post(client, [attempt(f"p{i}", "q-adding-1", i % 2 == 0, f"2026-03-01T10:0{i}:00Z") for i in range(5)])
    first = client.get("/v1/users/u1/attempts", params={"limit": 2}, headers=APP).json()
    assert [a["attempt_id"] for a in first["items"]] == ["p4", "p3"]
    second = client.get(
        "/v1/users/u1/attempts", params={"limit": 2, "cursor": first["next_cursor"]}, headers=APP
    )
    assert [a["attempt_id"] for a in second.json()["items"]] == ["p2", "p1"]
    last = client.get(
        "/v1/users/u1/attempts", params={"limit": 2, "cursor": second.json()["next_cursor"]}, headers=APP
    ).json()
    assert [a["attempt_id"] for a in last["items"]] == ["p0"] and last["next_cursor"] is None


def test_deleting_a_learner_leaves_nothing_behind(client: TestClient, db: Driver) -> None:
    make_chain(db)
    post(client, [attempt(f"d{i}", "q-multiplying-1", True, f"2026-03-01T10:0{i}:00Z") for i in range(3)])
    post(client, [attempt("keep", "q-adding-1", True, "2026-03-01T10:00:00Z", user="other")])
    rec = client.post(
        "/v1/recommendations", json={"user_id": "u1", "concepts": ["adding"], "n": 2}, headers=APP
    )
    assert rec.status_code == 200, rec.text
    feedback = client.post(
        f"/v1/recommendations/{rec.json()['id']}/feedback",
        json={
            "question_id": rec.json()["items"][0]["question_id"],
            "action": "dismissed",
            "reason": "broken",
        },
        headers=APP,
    )
    assert feedback.status_code == 200
    assert client.delete("/v1/users/u1", headers=APP).status_code == 403
    deleted = client.delete("/v1/users/u1", headers=auth("admin"))
    assert deleted.json() == {"deleted": "u1", "attempts": 3, "recommendations": 1}
    records, _, _ = db.execute_query(
        "MATCH (n) WHERE (n.user_id = 'u1' OR n.id = 'u1') AND NOT n:Tombstone RETURN count(n) AS n"
    )
    assert records[0]["n"] == 0
    records, _, _ = db.execute_query("MATCH (:User {id:'other'})-->(m:Memory) RETURN count(m) AS n")
    assert records[0]["n"] > 0
    assert client.delete("/v1/users/u1", headers=auth("admin")).status_code == 404


def test_a_bad_cursor_is_named_by_its_request_location(client: TestClient, db: Driver) -> None:
    make_chain(db)
    client.post("/v1/attempts", json=attempt("c1", "q-adding-1", True, "2026-03-01T10:00:00Z"), headers=APP)
    bad = client.get("/v1/users/u1/attempts", params={"cursor": "not-a-cursor"}, headers=APP)
    assert bad.status_code == 422
    assert [(d["field"], d["in"]) for d in bad.json()["error"]["details"]] == [("cursor", "query")]


def test_ready_means_no_gaps_even_when_only_a_deep_prerequisite_is_missing(
    client: TestClient, db: Driver
) -> None:
    make_chain(db)
    # Multiplying practised hard, nothing else: its implicit reviews reach adding and counting
    # only at a discount, so fractions' direct prerequisite is mastered while deeper ones are not.
    post(
        client,
        [
            attempt(f"x-{i}", f"q-multiplying-{1 + i % 3}", True, f"2026-03-0{1 + i}T10:00:00Z")
            for i in range(6)
        ],
    )
    as_of = {"as_of": "2026-03-07T12:00:00Z"}
    mastery = client.get("/v1/users/u1/mastery", params=as_of, headers=APP).json()["items"]
    mastered = {m["concept_id"] for m in mastery if m["mastered"]}
    assert "multiplying" in mastered and not {"counting", "adding"} <= mastered
    ready = {
        r["concept_id"] for r in client.get("/v1/users/u1/ready", params=as_of, headers=APP).json()["items"]
    }
    assert "fractions" not in ready
    for concept in CHAIN:
        gaps = client.get("/v1/users/u1/gaps", params={**as_of, "concept": concept}, headers=APP).json()[
            "items"
        ]
        assert (concept in ready) == (concept not in mastered and gaps == []), concept


def test_the_daily_goal_holds_for_the_learners_day(client: TestClient, db: Driver) -> None:
    make_chain(db)
    now = datetime.now(UTC)
    post(client, [attempt("today-1", "q-counting-1", True, now.isoformat())])
    first = client.get("/v1/users/u1/streak", headers=APP).json()
    assert (first["daily_goal"], first["today"]["questions"]) == (10, 1)  # a newcomer's default
    # Four answers arrive later, timed yesterday: a goal learned afresh would drop to 5.
    yesterday = (now - timedelta(days=1)).isoformat()
    post(client, [attempt(f"late-{i}", "q-counting-2", True, yesterday) for i in range(4)])
    assert client.get("/v1/users/u1/streak", headers=APP).json()["daily_goal"] == 10
    # Tomorrow's goal is learned afresh from the days before it; an as_of read stores nothing.
    tomorrow = {"as_of": (now + timedelta(days=1)).isoformat()}
    assert client.get("/v1/users/u1/streak", params=tomorrow, headers=APP).json()["daily_goal"] == 5
    assert client.get("/v1/users/u1/streak", headers=APP).json()["daily_goal"] == 10


def test_a_learner_exists_before_their_first_activity(client: TestClient, db: Driver) -> None:
    body = {"timezone": "Asia/Tokyo", "display_name": "Aiko"}
    created = client.put("/v1/users/s-1", json=body, headers=APP)
    assert created.status_code == 201 and created.json()["timezone"] == "Asia/Tokyo"
    again = client.put("/v1/users/s-1", json=body, headers=APP)
    assert again.status_code == 200 and again.json() == created.json()  # idempotent
    assert (
        client.put("/v1/users/s-1", json={"display_name": "Aiko T."}, headers=APP).json()["timezone"]
        == "Asia/Tokyo"
    )
    assert client.get("/v1/users/s-1/mastery", headers=APP).status_code == 200
    assert client.get("/v1/users/s-1/streak", headers=APP).json()["timezone"] == "Asia/Tokyo"
    assert client.put("/v1/users/a%2Fb", json={}, headers=APP).status_code in (404, 422)
    assert client.put("/v1/users/s-2", json={"timezone": "Mars/Olympus"}, headers=APP).status_code == 422
