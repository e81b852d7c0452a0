"""Cycle refusal with the path, cascade rules, the audit trail and the content version."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.content import concepts
from learner_graph.content.models import Concept
from learner_graph.db.queries import Queries
from learner_graph.runtime import Runtime
from tests.conftest import auth
from tests.content_fixtures import EDITOR, concept, question, unit, version


def test_prerequisite_cycle_is_refused_with_its_path(client: TestClient) -> None:
    concept(client, "a")
    concept(client, "b", "a")
    concept(client, "c", "b")
    refused = client.put("/v1/concepts/a/prerequisites/c", headers=EDITOR)
    assert refused.status_code == 409
    detail = refused.json()["error"]["details"][0]
    assert detail["path"] == ["a", "c", "b", "a"] and detail["message"] == "a -> c -> b -> a"
    self_loop = client.put("/v1/concepts/a/prerequisites/a", headers=EDITOR)
    assert self_loop.status_code == 409 and self_loop.json()["error"]["details"][0]["path"] == ["a", "a"]
    assert client.get("/v1/concepts/a", headers=EDITOR).json()["requires"] == []
    assert client.put("/v1/concepts/c/prerequisites/a", headers=EDITOR).json()["changed"] is True
    assert client.put("/v1/concepts/c/prerequisites/ghost", headers=EDITOR).status_code == 404
    assert client.delete("/v1/concepts/c/prerequisites/a", headers=EDITOR).json()["changed"] is True
    assert client.delete("/v1/concepts/c/prerequisites/a", headers=EDITOR).status_code == 404


def test_containment_cycle_is_refused_with_its_path(client: TestClient) -> None:
    unit(client, "leaf")
    unit(client, "mid", units=["leaf"])
    unit(client, "top", units=["mid"])
    refused = client.put("/v1/units/leaf/units/top", headers=EDITOR)
    assert refused.status_code == 409
    assert refused.json()["error"]["details"][0]["path"] == ["leaf", "top", "mid", "leaf"]
    assert client.put("/v1/units/top/units/top", headers=EDITOR).status_code == 409
    assert client.get("/v1/units/leaf", headers=EDITOR).json()["units"] == []
    assert client.put("/v1/units/top/units/leaf", headers=EDITOR).status_code == 200  # a DAG, not a cycle


def test_delete_with_dependents_needs_cascade(client: TestClient, db: Driver) -> None:
    concept(client, "base")
    concept(client, "next", "base")
    question(client, "q1", "base")
    unit(client, "sec", questions=["q1"])
    refused = client.delete("/v1/concepts/base", headers=EDITOR)
    assert refused.status_code == 409
    messages = [d["message"] for d in refused.json()["error"]["details"]]
    assert messages == ["concept 'next' requires it", "question 'q1' assesses it"]
    assert client.get("/v1/concepts/base", headers=EDITOR).status_code == 200
    assert client.delete("/v1/concepts/base", params={"cascade": "true"}, headers=EDITOR).status_code == 204
    assert client.get("/v1/concepts/next", headers=EDITOR).json()["requires"] == []

    assert client.delete("/v1/units/sec", headers=EDITOR).status_code == 409
    assert client.delete("/v1/units/sec", params={"cascade": True}, headers=EDITOR).status_code == 204
    assert client.get("/v1/questions/q1", headers=EDITOR).status_code == 200  # children are kept

    db.execute_query(
        "MATCH (q:Question {id: 'q1'}) CREATE (:Attempt {id: 'a1', question_id: 'q1'})-[:OF]->(q)"
    )
    refused = client.delete("/v1/questions/q1", headers=EDITOR)
    assert refused.status_code == 409 and "attempts" in refused.json()["error"]["details"][0]["message"]
    assert client.delete("/v1/questions/q1", params={"cascade": True}, headers=EDITOR).status_code == 204
    attempts, _, _ = db.execute_query("MATCH (a:Attempt {id: 'a1'}) RETURN a.question_id AS q")
    assert attempts[0]["q"] == "q1"  # learner data survives
    assert client.delete("/v1/questions/q1", headers=EDITOR).status_code == 404


def test_audit_records_who_what_when_and_the_version(client: TestClient) -> None:
    assert version(client) == 0
    started = datetime.now(UTC) - timedelta(seconds=1)
    concept(client, "a")
    assert version(client) == 1
    client.patch("/v1/concepts/a", json={"name": "Renamed"}, headers=auth("admin"))
    client.patch("/v1/concepts/a", json={"name": "Renamed"}, headers=auth("admin"))  # no change
    refused = client.put("/v1/concepts/a/prerequisites/a", headers=EDITOR)
    assert refused.status_code == 409
    assert version(client) == 2  # neither the no-op nor the refused edit counted

    changes = client.get("/v1/content/changes", params={"entity_id": "a"}, headers=auth("analyst")).json()
    assert changes["total"] == 2
    update, create = changes["items"]
    assert (update["author"], update["action"], update["version"]) == ("t-admin", "update", 2)
    assert update["before"]["name"] == "Concept a" and update["after"]["name"] == "Renamed"
    assert (create["author"], create["action"], create["before"]) == ("t-content_editor", "create", None)
    assert datetime.fromisoformat(create["at"]) >= started

    by_author = client.get("/v1/content/changes", params={"author": "t-admin"}, headers=EDITOR).json()
    assert [c["version"] for c in by_author["items"]] == [2]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert client.get("/v1/content/changes", params={"since": future}, headers=EDITOR).json()["total"] == 0
    assert client.get("/v1/content/changes", params={"until": future}, headers=EDITOR).json()["total"] == 2
    by_entity = client.get("/v1/content/changes", params={"entity": "prerequisite"}, headers=EDITOR).json()
    assert by_entity["total"] == 0


def test_concurrent_edges_cannot_close_a_cycle_together(
    settings: Settings, queries: Queries, db: Driver
) -> None:
    """The content lock serialises the cycle check: of a->b and b->a sent at once, one is refused."""

    async def race() -> list[object]:
        async with Runtime.open(settings, queries=queries) as runtime:
            graph = runtime.graph
            for cid in ("a", "b"):
                await concepts.create_concept(
                    db=graph, concept=Concept(id=cid, name=cid, subject="s"), author="t"
                )
            return await asyncio.gather(
                concepts.add_prerequisite(db=graph, concept_id="a", prerequisite_id="b", author="t"),
                concepts.add_prerequisite(db=graph, concept_id="b", prerequisite_id="a", author="t"),
                return_exceptions=True,
            )

    outcomes = asyncio.run(race())
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "EdgeResult"]
    edges, _, _ = db.execute_query("MATCH (:Concept)-[r:REQUIRES]->(:Concept) RETURN count(r) AS n")
    assert edges[0]["n"] == 1
