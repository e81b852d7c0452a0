"""A small course for recommendation tests: units course > chapter > section > questions."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from neo4j import Driver
from redis import Redis

from learner_graph.db.versions import CONTENT
from tests.conftest import auth
from tests.learners_fixtures import CHAIN, make_chain

SECTIONS = {"ch1": ["counting", "adding"], "ch2": ["multiplying", "fractions"]}


def make_course(db: Driver, questions_per_concept: int = 8) -> None:
    make_chain(db, questions_per_concept)
    db.execute_query(
        """
        CREATE (course:Unit {id: 'course', name: 'Course', kind: 'subject'})
        WITH course
        UNWIND keys($sections) AS chapter
        CREATE (course)-[:CONTAINS]->(ch:Unit {id: chapter, name: chapter, kind: 'chapter'})
        WITH ch, chapter
        UNWIND $sections[chapter] AS concept
        CREATE (ch)-[:CONTAINS]->(s:Unit {id: 's-' + concept, name: concept, kind: 'section'})
        WITH s, concept
        MATCH (q:Question)-[:ASSESSES]->(:Concept {id: concept})
        CREATE (s)-[:CONTAINS]->(q)
        """,
        sections=SECTIONS,
    )
    db.execute_query("MERGE (m:Meta {key: 'content'}) ON CREATE SET m.epoch = randomUUID() SET m.version = 1")


def bump_content_version(db: Driver, redis: Redis | None = None) -> None:
    """What a content edit's commit does (`content.audit.audited`): the version in Neo4j +1 and,
    with `redis`, a new content token there (learners' states cached before it are not served)."""
    db.execute_query("MATCH (m:Meta {key: 'content'}) SET m.version = m.version + 1")
    if redis is not None:
        redis.delete("lg:" + CONTENT)


def recommend(client: TestClient, **body: Any) -> Any:
    body.setdefault("user_id", "u1")
    role = "admin" if "now" in body.get("context", {}) else "learner_app"  # context.now is admin-only
    response = client.post("/v1/recommendations", json=body, headers=auth(role))
    assert response.status_code == 200, response.text
    return response.json()


__all__ = ["CHAIN", "bump_content_version", "make_course", "recommend"]
