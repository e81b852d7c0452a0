"""Single writers in Neo4j: one active model whatever the races, one training at a time."""

from __future__ import annotations

import asyncio
import time

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.db.graph import Graph
from learner_graph.db.queries import Queries
from learner_graph.errors import Conflict
from learner_graph.model import registry
from tests.conftest import auth
from tests.experiments_fixtures import on_graph


def test_concurrent_activations_leave_exactly_one_active(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    db.execute_query("UNWIND range(1, 8) AS i CREATE (:ModelVersion {id: 'm' + i, active: false})")

    async def race(graph: Graph) -> None:
        for _ in range(5):  # several rounds: a lost race shows as two active versions
            await asyncio.gather(*(registry.activate(db=graph, model_id=f"m{i}") for i in range(1, 9)))
            active = db.execute_query("MATCH (m:ModelVersion {active: true}) RETURN count(m) AS n").records
            assert active[0]["n"] == 1

    on_graph(settings, queries, race)


def test_one_training_at_a_time_across_holders(db: Driver, settings: Settings, queries: Queries) -> None:
    async def work(graph: Graph) -> None:
        async with registry.training_lease(db=graph, holder="trainer-a"):
            with pytest.raises(Conflict, match="trainer-a"):
                async with registry.training_lease(db=graph, holder="api-b"):
                    pass
        async with registry.training_lease(db=graph, holder="api-b"):  # released: free again
            pass

    on_graph(settings, queries, work)
    lease = db.execute_query("MATCH (l:Meta {key: 'training'}) RETURN l.holder AS holder").records
    assert lease[0]["holder"] is None


def test_an_expired_lease_is_taken_over(db: Driver, settings: Settings, queries: Queries) -> None:
    db.execute_query(
        "CREATE (:Meta {key: 'training', holder: 'crashed', until: datetime() - duration('PT1M')})"
    )

    async def work(graph: Graph) -> str:
        async with registry.training_lease(db=graph) as holder:
            return holder

    assert on_graph(settings, queries, work) != "crashed"


def test_the_train_route_answers_409_while_another_holder_trains(client: TestClient, db: Driver) -> None:
    db.execute_query(
        "CREATE (:Meta {key: 'training', holder: 'trainer-a', until: datetime() + duration('PT1H')})"
    )
    refused = client.post("/v1/admin/models/train", json={}, headers=auth("admin"))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "conflict" and "trainer-a" in refused.json()["error"]["message"]
    assert _lease_holder(db) == "trainer-a"  # refused without touching the other holder's lease

    db.execute_query("MATCH (l:Meta {key: 'training'}) REMOVE l.holder, l.until")
    started = client.post("/v1/admin/models/train", json={}, headers=auth("admin"))
    assert started.status_code == 202
    deadline = time.monotonic() + 20
    while _lease_holder(db) is not None and time.monotonic() < deadline:  # the run (nothing to train on) ends
        time.sleep(0.1)
    assert _lease_holder(db) is None  # the route's lease went back when its run ended


def _lease_holder(db: Driver) -> str | None:
    records = db.execute_query("MATCH (l:Meta {key: 'training'}) RETURN l.holder AS holder").records
    return records[0]["holder"] if records else None
