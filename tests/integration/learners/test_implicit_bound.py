"""Implicit credit reads prerequisites level by level (issue #14): a wide prerequisite graph with
tens of thousands of paths is credited at each concept's shortest depth, and one wider than
`IMPLICIT_MAX_EDGES` a level is refused naming the question, nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.learners import memory
from tests.conftest import auth

READER = auth("learner_app")

WIDE_LADDER = [
    """
    UNWIND range(1, 3) AS level
    UNWIND range(0, $width - 1) AS k
    CREATE (:Concept {id: 'W' + level + '-' + k, name: 'Wide', subject: 'math'})
    """,
    """
    CREATE (apex:Concept {id: 'apex', name: 'Apex', subject: 'math'})
    CREATE (:Question {id: 'q-apex', text: 'Q', difficulty_tag: 1})-[:ASSESSES {weight: 1.0}]->(apex)
    CREATE (:Concept {id: 'W4-0', name: 'Below', subject: 'math'})
    WITH apex
    MATCH (c:Concept) WHERE c.id STARTS WITH 'W1-' OR c.id = 'W3-0'
    CREATE (apex)-[:REQUIRES]->(c)
    """,
    """
    UNWIND [['W1-', 'W2-'], ['W2-', 'W3-']] AS pair
    MATCH (a:Concept), (b:Concept) WHERE a.id STARTS WITH pair[0] AND b.id STARTS WITH pair[1]
    CREATE (a)-[:REQUIRES]->(b)
    """,
    "MATCH (a:Concept {id: 'W3-1'}), (b:Concept {id: 'W4-0'}) CREATE (a)-[:REQUIRES]->(b)",
]


def wide_ladder(db: Driver, width: int) -> None:
    """`apex` (assessed by q-apex) requires every concept W1-k; each W1-k requires every W2-k, each
    W2-k every W3-k: width^3 paths three levels down over width + 2·width^2 edges. `apex` also
    requires W3-0 directly, and W3-1 requires W4-0 (four levels down)."""
    for statement in WIDE_LADDER:
        db.execute_query(statement, width=width)


def correct_answer_on_apex(client: TestClient) -> Any:
    body = {"attempt_id": "wide-1", "user_id": "climber", "question_id": "q-apex", "correct": True,
            "time_spent_ms": 1000}  # fmt: skip
    return client.post("/v1/attempts", json=body, headers=READER)


def credited(db: Driver) -> dict[str, float]:
    records, _, _ = db.execute_query(
        "MATCH (:User {id: 'climber'})-[:HAS_MEMORY]->(m:Memory) RETURN m.concept_id AS id, m.wins AS wins"
    )
    return {r["id"]: r["wins"] for r in records}


def test_implicit_credit_on_a_wide_ladder_reads_levels_not_paths(client: TestClient, db: Driver) -> None:
    width = 40  # 64,000 paths; 1,640 edges at most on a level, within IMPLICIT_MAX_EDGES
    wide_ladder(db, width)
    assert correct_answer_on_apex(client).status_code == 200
    # A fresh state's credit is IMPLICIT_DISCOUNT ** depth: the shortest depth, reached once.
    expected = {f"W{level}-{k}": 0.5**level for level in (1, 2, 3) for k in range(width)}
    expected |= {"W3-0": 0.5, "apex": 1.0}  # W3-0 is one hop from apex too; W4-0 lies beyond three levels
    assert credited(db) == pytest.approx(expected)


def test_implicit_credit_wider_than_its_budget_is_refused_naming_the_field(
    client: TestClient, db: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    wide_ladder(db, 5)  # 5 edges on the first level, 25 on the second and third
    monkeypatch.setattr(memory, "IMPLICIT_MAX_EDGES", 24)
    refused = correct_answer_on_apex(client)
    assert refused.status_code == 422, refused.text
    details = refused.json()["error"]["details"]
    assert [d["field"] for d in details] == ["question_id"]  # a single attempt: its own shape's field
    assert "too wide" in details[0]["message"]
    assert db.execute_query("MATCH (a:Attempt) RETURN count(a) AS n").records[0]["n"] == 0
    assert credited(db) == {}
    monkeypatch.setattr(memory, "IMPLICIT_MAX_EDGES", 25)  # exactly at the bound: credited
    assert correct_answer_on_apex(client).status_code == 200
    assert len(credited(db)) == 1 + 3 * 5
