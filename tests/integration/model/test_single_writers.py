"""Single writers in Neo4j: one active model whatever the races, one training at a time."""

from __future__ import annotations

import asyncio

import pytest
from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.db.graph import Graph
from learner_graph.db.queries import Queries
from learner_graph.errors import Conflict
from learner_graph.model import registry
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
