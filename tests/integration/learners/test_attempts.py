"""Recording attempts against the real Neo4j: idempotence, all-or-nothing, FSRS state, credit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fsrs import Card, Rating, State
from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.db.queries import Queries
from learner_graph.learners.attempts import placed, record_attempts, rows_of, users_of
from learner_graph.learners.memory import EVIDENCE_DECAY, make_scheduler
from learner_graph.learners.models import AttemptIn
from learner_graph.runtime import Runtime
from tests.conftest import auth
from tests.learners_fixtures import attempt, make_chain


def count(db: Driver, query: str, **params: object) -> int:
    records, _, _ = db.execute_query(query, params)
    return int(records[0][0])


def test_replayed_attempt_is_acknowledged_once(client: TestClient, db: Driver) -> None:
    make_chain(db)
    body = attempt("a1", "q-adding-1", True, "2026-03-01T10:00:00Z")
    first = client.post("/v1/attempts", json=body, headers=auth("learner_app"))
    assert first.status_code == 200, first.text
    assert first.json()["created"] == 1
    again = client.post("/v1/attempts", json=body, headers=auth("learner_app"))
    assert again.json() == {
        "created": 0,
        "duplicates": 1,
        "items": [{"attempt_id": "a1", "status": "duplicate", "mismatch": False}],
    }
    assert count(db, "MATCH (a:Attempt) RETURN count(a)") == 1
    assert count(db, "MATCH (:User {id:'u1'})-->(m:Memory {concept_id:'adding'}) RETURN m.reps") == 1
    assert (
        count(db, "MATCH (:User {id:'u1'})-[:ATTEMPTED]->(:Attempt)-[:OF]->(:Question) RETURN count(*)") == 1
    )


def test_concurrent_replays_end_in_exactly_one_attempt(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    make_chain(db)
    item = AttemptIn.model_validate(attempt("race", "q-counting-1", True, "2026-03-01T10:00:00Z"))
    other = AttemptIn.model_validate(attempt("race-2", "q-counting-2", False, "2026-03-01T10:01:00Z"))

    async def replay_many() -> list[int]:
        async with Runtime.open(settings, queries=queries) as runtime:
            graph = runtime.graph
            now = datetime(2026, 3, 1, 12, tzinfo=UTC)
            results = await asyncio.gather(
                *(
                    record_attempts(
                        db=graph,
                        attempts=[item, other] if i % 2 else [item],
                        now=now,
                        scheduler=make_scheduler(),
                    )
                    for i in range(16)
                )
            )
        return [r.created for r in results]

    created = asyncio.run(replay_many())
    assert sum(created) == 2  # "race" once and "race-2" once, whoever won
    assert count(db, "MATCH (a:Attempt) RETURN count(a)") == 2
    assert count(db, "MATCH (:User)-[:ATTEMPTED]->(a:Attempt {id:'race'}) RETURN count(*)") == 1
    assert count(db, "MATCH (:User {id:'u1'})-->(m:Memory {concept_id:'counting'}) RETURN m.reps") == 2


def test_batch_is_all_or_nothing_and_names_each_bad_item(client: TestClient, db: Driver) -> None:
    make_chain(db)
    batch = [
        attempt("b1", "q-adding-1", True, "2026-03-01T10:00:00Z"),
        attempt("b2", "no-such-question", True, "2026-03-01T10:01:00Z"),
        attempt("b3", "q-adding-2", False, "2026-03-01T10:02:00Z"),
        attempt("b4", "also-missing", False, "2026-03-01T10:03:00Z"),
    ]
    refused = client.post("/v1/attempts", json={"attempts": batch}, headers=auth("learner_app"))
    assert refused.status_code == 422
    fields = [d["field"] for d in refused.json()["error"]["details"]]
    assert fields == ["attempts[1].question_id", "attempts[3].question_id"]
    assert count(db, "MATCH (a:Attempt) RETURN count(a)") == 0
    assert count(db, "MATCH (u:User) RETURN count(u)") == 0


def test_bad_fields_are_all_reported(client: TestClient, db: Driver) -> None:
    bad = [
        {"attempt_id": "x", "user_id": "u", "question_id": "q", "time_spent_ms": -1, "correct": True},
        {"attempt_id": "y", "user_id": "u", "question_id": "q", "time_spent_ms": 5},
    ]
    refused = client.post("/v1/attempts", json={"attempts": bad}, headers=auth("learner_app"))
    assert refused.status_code == 422
    # One error per problem, named in the shape that was sent (a batch), nothing about the other shape.
    fields = [d["field"] for d in refused.json()["error"]["details"]]
    assert fields == ["attempts[0].time_spent_ms", "attempts[1].correct"]
    one = client.post("/v1/attempts", json=bad[1], headers=auth("learner_app"))
    assert [d["field"] for d in one.json()["error"]["details"]] == ["correct"]
    future = attempt("f", "q-adding-1", True, "2099-01-01T00:00:00Z")
    refused = client.post("/v1/attempts", json=future, headers=auth("learner_app"))
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "at"
    assert client.post("/v1/attempts", json=future, headers=auth("analyst")).status_code == 403


def test_fsrs_state_matches_the_fsrs_package(client: TestClient, db: Driver) -> None:
    make_chain(db)
    sequence = [
        (True, datetime(2026, 3, 1, 9, tzinfo=UTC)),
        (True, datetime(2026, 3, 4, 9, tzinfo=UTC)),
        (False, datetime(2026, 3, 20, 9, tzinfo=UTC)),
        (True, datetime(2026, 3, 21, 9, tzinfo=UTC)),
    ]
    batch = [
        attempt(f"s{i}", f"q-counting-{1 + i % 3}", ok, at.isoformat()) for i, (ok, at) in enumerate(sequence)
    ]
    assert (
        client.post("/v1/attempts", json={"attempts": batch}, headers=auth("learner_app")).status_code == 200
    )

    scheduler = make_scheduler()
    card = Card(card_id=1, state=State.Learning)
    for ok, at in sequence:
        card, _ = scheduler.review_card(card, Rating.Good if ok else Rating.Again, at)
    records, _, _ = db.execute_query(
        "MATCH (:User {id:'u1'})-->(m:Memory {concept_id:'counting'}) RETURN m"
    )
    stored = records[0]["m"]
    assert stored["stability"] == card.stability
    assert stored["difficulty"] == card.difficulty
    assert stored["due"].to_native() == card.due
    assert (stored["reps"], stored["lapses"]) == (4, 1)


def test_implicit_credit_flows_down_and_weakens_with_depth(client: TestClient, db: Driver) -> None:
    make_chain(db)
    body = attempt("c1", "q-fractions-1", True, "2026-03-01T10:00:00Z")
    assert client.post("/v1/attempts", json=body, headers=auth("learner_app")).status_code == 200
    records, _, _ = db.execute_query(
        "MATCH (:User {id:'u1'})-->(m:Memory) RETURN m.concept_id AS c, m.stability AS s, m.reps AS reps"
    )
    stability = {r["c"]: r["s"] for r in records}
    reps = {r["c"]: r["reps"] for r in records}
    assert stability["fractions"] > stability["multiplying"] > stability["adding"] > stability["counting"] > 0
    assert stability["multiplying"] == stability["fractions"] / 2
    assert reps == {"fractions": 1, "multiplying": 0, "adding": 0, "counting": 0}
    wrong = attempt("c2", "q-fractions-2", False, "2026-03-02T10:00:00Z", user="u2")
    client.post("/v1/attempts", json=wrong, headers=auth("learner_app"))
    assert count(db, "MATCH (:User {id:'u2'})-->(m:Memory) RETURN count(m)") == 1


def test_an_attempt_id_twice_in_one_batch_is_created_once(client: TestClient, db: Driver) -> None:
    make_chain(db)
    first = attempt("twice", "q-adding-1", True, "2026-03-01T10:00:00Z")
    other = attempt("other", "q-adding-2", False, "2026-03-01T10:05:00Z")
    body = {"attempts": [first, first, other]}
    response = client.post("/v1/attempts", json=body, headers=auth("learner_app"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "created": 2,
        "duplicates": 1,
        "items": [
            {"attempt_id": "twice", "status": "created", "mismatch": False},
            {"attempt_id": "twice", "status": "duplicate", "mismatch": False},
            {"attempt_id": "other", "status": "created", "mismatch": False},
        ],
    }
    assert count(db, "MATCH (a:Attempt) RETURN count(a)") == 2
    reps = "MATCH (:User {id:'u1'})-[:HAS_MEMORY]->(m:Memory {concept_id:'adding'}) RETURN m.reps"
    assert count(db, reps) == 2


def test_a_batch_is_applied_to_review_state_in_time_order(client: TestClient, db: Driver) -> None:
    """Attempts sent newest first end in the state FSRS gives for them in time order."""
    make_chain(db)
    sequence = [
        (True, datetime(2026, 3, 1, 9, tzinfo=UTC)),
        (False, datetime(2026, 3, 6, 9, tzinfo=UTC)),
        (True, datetime(2026, 3, 7, 9, tzinfo=UTC)),
        (True, datetime(2026, 3, 15, 9, tzinfo=UTC)),
    ]
    batch = [attempt(f"t{i}", "q-counting-1", ok, at.isoformat()) for i, (ok, at) in enumerate(sequence)]
    response = client.post("/v1/attempts", json={"attempts": batch[::-1]}, headers=auth("learner_app"))
    assert response.status_code == 200, response.text

    scheduler = make_scheduler()
    card = Card(card_id=1, state=State.Learning)
    for ok, at in sequence:
        card, _ = scheduler.review_card(card, Rating.Good if ok else Rating.Again, at)
    query = "MATCH (:User {id:'u1'})-[:HAS_MEMORY]->(m:Memory {concept_id:'counting'}) RETURN m"
    stored = db.execute_query(query).records[0]["m"]
    assert (stored["stability"], stored["difficulty"]) == (card.stability, card.difficulty)
    assert stored["last_review"].to_native() == sequence[-1][1]
    assert stored["due"].to_native() == card.due



def test_review_states_are_the_learners_own_nodes_and_go_with_their_concept(
    client: TestClient, db: Driver
) -> None:
    make_chain(db)
    body = attempt("d1", "q-counting-1", True, "2026-03-01T10:00:00Z")
    assert client.post("/v1/attempts", json=body, headers=auth("learner_app")).status_code == 200
    # the state hangs off the learner, never off the concept every learner shares
    assert count(db, "MATCH (:Concept {id:'counting'})--(m:Memory) RETURN count(m)") == 0
    assert count(db, "MATCH (:User {id:'u1'})-[:HAS_MEMORY]->(m:Memory) RETURN count(m)") == 1
    refused = client.delete("/v1/concepts/counting", headers=auth("content_editor"))
    assert refused.status_code == 409
    assert "1 learners' review states" in refused.text
    gone = client.delete("/v1/concepts/counting?cascade=true", headers=auth("content_editor"))
    assert gone.status_code == 204
    assert count(db, "MATCH (m:Memory {concept_id:'counting'}) RETURN count(m)") == 0


def test_each_learner_reads_back_only_the_states_their_own_attempts_touch(
    client: TestClient, db: Driver, queries: Queries
) -> None:
    make_chain(db)
    # u1 holds states on the whole chain (fractions and, by implicit credit, everything below it)
    first = attempt("a1", "q-fractions-1", True, "2026-03-01T10:00:00Z")
    assert client.post("/v1/attempts", json=first, headers=auth("learner_app")).status_code == 200
    assert count(db, "MATCH (:User {id:'u1'})-[:HAS_MEMORY]->(m) RETURN count(m)") == 4
    # one group: u1 answers on counting (nothing below it), new u2 on fractions (the whole chain)
    group = [
        AttemptIn.model_validate(attempt("a2", "q-counting-2", True, "2026-03-02T10:00:00Z")),
        AttemptIn.model_validate(attempt("a3", "q-fractions-2", True, "2026-03-02T10:00:00Z", user="u2")),
    ]
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    rows = rows_of(group, now)
    question_ids = sorted({a.question_id for a in group})
    users = users_of(rows, question_ids)
    with db.session() as session, session.begin_transaction() as tx:
        [found] = tx.run(
            queries["attempts_write"], question_ids=question_ids, users=users,
            rows=placed(rows, question_ids, users), now=now.isoformat(), app="default", any_app=False,
            max_edges=2001,
        ).data()  # fmt: skip
        tx.rollback()
    assert sorted(m["attempt_id"] for m in found["merged"]) == ["a2", "a3"]
    stored = {r["user_id"]: sorted(state[1] for state in r["states"]) for r in found["stored"]}
    assert stored == {"u1": ["counting"], "u2": []}  # not u1's states on the concepts u2 touches


def _operators(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """Every operator of an EXPLAIN plan with its details, depth first."""
    found = [(str(plan["operatorType"]), str(plan.get("args", {}).get("Details", "")))]
    for child in plan.get("children", []):
        found += _operators(child)
    return found


def test_the_kept_write_plans_never_search_states_by_concept(db: Driver, queries: Queries) -> None:
    # replan=skip keeps the first plan whatever the counts: made here on an empty graph (no
    # learner, no state), it must still read a learner's states from the learner, never through
    # the memory_concept index (every learner's states of a concept) that empty counts make cheap.
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    params = {"question_ids": ["q"], "users": [{"user_id": "u", "questions": [0]}], "rows": [],
              "now": now.isoformat(), "app": "default", "any_app": False, "max_edges": 2001}  # fmt: skip
    states = {"updates": [], "creates": [], "now": now.isoformat()}
    for name, given in (("attempts_write", params), ("memory_write", states)):
        code = [line for line in queries[name].splitlines() if not line.lstrip().startswith("//")]
        assert code[0] == "CYPHER replan=skip"
        _, summary, _ = db.execute_query("EXPLAIN " + queries[name], given)
        operators = _operators(summary.plan)
        assert not [op for op in operators if "IndexSeek" in op[0] and "Memory" in op[1]], operators
        assert not [op for op in operators if "Scan" in op[0]], operators  # seeks and expansions only
    _, summary, _ = db.execute_query("EXPLAIN " + queries["attempts_write"], params)
    expands = [details for op, details in _operators(summary.plan) if op == "Expand(All)@neo4j"]
    assert any("HAS_MEMORY" in details for details in expands)


def test_a_batch_stores_each_attempt_as_sent_and_each_new_state_on_its_own_learner(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    # memory_write creates a batch's new states grouped by learner, with their properties in the
    # CREATE; attempts_write sets an attempt's properties by name and seeks a recommendation only
    # for an attempt that names one
    make_chain(db)
    db.execute_query("CREATE (:Recommendation {id: 'r1', user_id: 'u1'})")
    sent = [
        attempt("s1", "q-fractions-1", True, "2026-03-01T10:00:00Z")
        | {"recommendation_id": "r1", "response": "3/4"},
        attempt("s2", "q-counting-1", False, "2026-03-01T10:01:00Z", user="u2")
        | {"recommendation_id": "r-gone"},
        attempt("s3", "q-counting-2", True, "2026-03-01T10:02:00Z", user="u2"),
    ]
    batch = [AttemptIn.model_validate(a) for a in sent]

    async def record() -> list[int]:
        async with Runtime.open(settings, queries=queries) as runtime:
            now = datetime(2026, 3, 1, 12, tzinfo=UTC)
            results = [
                await record_attempts(db=runtime.graph, attempts=batch, now=now, scheduler=make_scheduler())
                for _ in range(2)  # the second a replay of the first
            ]
        return [r.created for r in results]

    assert asyncio.run(record()) == [3, 0]
    records, _, _ = db.execute_query("MATCH (a:Attempt) RETURN a.id AS id, properties(a) AS props")
    stored = {r["id"]: r["props"] for r in records}
    assert {k: v for k, v in stored["s1"].items() if k != "at"} == {
        "id": "s1", "user_id": "u1", "question_id": "q-fractions-1", "correct": True, "time_ms": 30_000,
        "response": "3/4", "recommendation_id": "r1",
    }  # fmt: skip
    assert stored["s1"]["at"].to_native() == datetime(2026, 3, 1, 10, tzinfo=UTC)
    # no null stored, no creation flag left behind
    assert set(stored["s3"]) == {"id", "user_id", "question_id", "correct", "time_ms", "at"}
    assert count(db, "MATCH (:Attempt {id:'s1'})-[:FROM]->(:Recommendation {id:'r1'}) RETURN count(*)") == 1
    assert count(db, "MATCH (:Attempt)-[f:FROM]->() RETURN count(f)") == 1  # r-gone is not in the graph
    # u1's correct answer on fractions credits the whole chain below it; u2 answered on counting only
    assert count(db, "MATCH (:User {id:'u1'})-[:HAS_MEMORY]->(m:Memory {user_id:'u1'}) RETURN count(m)") == 4
    assert count(db, "MATCH (:User {id:'u2'})-[:HAS_MEMORY]->(m:Memory {user_id:'u2'}) RETURN count(m)") == 1
    assert count(db, "MATCH (m:Memory) WHERE NOT EXISTS { (:User {id: m.user_id})-[:HAS_MEMORY]->(m) } "
                     "RETURN count(m)") == 0  # fmt: skip
    records, _, _ = db.execute_query("MATCH (m:Memory {user_id:'u2'}) RETURN properties(m) AS props")
    state = records[0]["props"]
    # a miss then a hit: the miss's evidence decayed once (EVIDENCE_DECAY) when the hit came
    assert (state["reps"], state["lapses"], state["wins"]) == (2, 1, 1.0)
    assert state["fails"] == pytest.approx(EVIDENCE_DECAY)
    written = {"stability", "difficulty", "due", "last_review", "updated_at", "mastery", "last_time_ms"}
    assert written <= set(state)


def test_each_attempt_of_a_mixed_batch_hangs_off_its_own_learner_and_question(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    # merged takes a row's learner and question by their positions in the statement's own lists
    # (`placed`), not by seeking their ids: learners and questions interleaved in the batch, a learner
    # new and one returning, a question shared by two learners, must still each land on their own
    make_chain(db)
    db.execute_query("CREATE (:User {id: 'u3', app: 'default'})")
    answers = [("m1", "q-fractions-1", "u3"), ("m2", "q-counting-1", "u1"), ("m3", "q-adding-1", "u2"),
               ("m4", "q-counting-1", "u3"), ("m5", "q-adding-2", "u1"), ("m6", "q-fractions-2", "u2")]
    batch = [
        AttemptIn.model_validate(attempt(a, q, k % 2 == 0, f"2026-03-01T10:0{k}:00Z", user=u))
        for k, (a, q, u) in enumerate(answers)
    ]

    async def record() -> int:
        async with Runtime.open(settings, queries=queries) as runtime:
            now = datetime(2026, 3, 1, 12, tzinfo=UTC)
            scheduler = make_scheduler()
            done = await record_attempts(db=runtime.graph, attempts=batch, now=now, scheduler=scheduler)
            return done.created

    assert asyncio.run(record()) == 6
    records, _, _ = db.execute_query(
        "MATCH (u:User)-[:ATTEMPTED]->(a:Attempt)-[:OF]->(q:Question) RETURN a.id AS a, q.id AS q, u.id AS u"
    )
    assert sorted((r["a"], r["q"], r["u"]) for r in records) == answers
    assert count(db, "MATCH (a:Attempt) WHERE COUNT { (a)--() } <> 2 RETURN count(a)") == 0
