"""Start-up plans the hot reads and writes: every query of the warm-up lists runs with its parameters,
and the writes store nothing."""

from __future__ import annotations

import asyncio

from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.db.graph import Graph, open_async_driver
from learner_graph.db.queries import Queries
from learner_graph.db.warm import PLANS, WRITES, warm_plans


def test_every_warm_up_query_runs(db: Driver, settings: Settings, queries: Queries) -> None:
    async def run() -> int:
        driver = open_async_driver(settings)
        try:
            return await warm_plans(Graph(driver, queries, settings.neo4j_database))
        finally:
            await driver.close()

    assert asyncio.run(run()) == len(PLANS) + len(WRITES)
    nodes, _, _ = db.execute_query("MATCH (n) RETURN count(n) AS n")
    assert nodes[0]["n"] == 0  # the writes had nothing to UNWIND
