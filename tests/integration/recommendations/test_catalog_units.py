"""Units resolved in process from the catalog's unit graph against the Cypher traversal they replace
on the recommendation path (`content.traversals.resolve_units`): the same questions for every unit."""

from __future__ import annotations

import asyncio
import random

from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.content.traversals import UNIT_DEPTH, resolve_units
from learner_graph.db.queries import Queries
from learner_graph.recommendations.catalog import CatalogCache
from learner_graph.runtime import Runtime


def make_unit_graph(db: Driver, seed: int) -> list[str]:
    """A chain of units deeper than UNIT_DEPTH, shared sub-units, several parents per question."""
    rng = random.Random(seed)
    units = [f"u{i}" for i in range(UNIT_DEPTH + 4)]
    edges = [(units[i], units[i + 1]) for i in range(len(units) - 1)]  # the deep chain
    edges += [(a, b) for a in units for b in units if a < b and (a, b) not in edges and rng.random() < 0.08]
    questions = [(f"q{k}", rng.choice(units)) for k in range(60)]
    questions += [(f"q{k}", rng.choice(units)) for k in range(0, 60, 7)]  # a question in two units
    chain = [f"c{i}" for i in range(UNIT_DEPTH + 2)]  # no shortcuts: its last question is too deep
    units += chain
    edges += [(chain[i], chain[i + 1]) for i in range(len(chain) - 1)]
    questions += [("q-deep", chain[-1]), ("q-shallow", chain[1])]
    db.execute_query(
        """
        UNWIND $units AS id CREATE (:Unit {id: id, name: id, kind: 'section'})
        WITH count(*) AS made
        UNWIND $edges AS e MATCH (a:Unit {id: e[0]}), (b:Unit {id: e[1]}) CREATE (a)-[:CONTAINS]->(b)
        WITH count(*) AS linked
        UNWIND $questions AS q MERGE (n:Question {id: q[0]}) ON CREATE SET n.text = q[0]
        WITH n, q MATCH (u:Unit {id: q[1]}) CREATE (u)-[:CONTAINS]->(n)
        """,
        units=units, edges=edges, questions=questions,
    )
    return units


def test_in_process_resolution_equals_the_traversal(db: Driver, settings: Settings, queries: Queries) -> None:
    units = make_unit_graph(db, seed=3)

    async def main() -> None:
        async with Runtime.open(settings, queries=queries) as runtime:
            catalog = await CatalogCache(runtime.cache).get(runtime.graph, "test")
            assert catalog.contains is not None
            asks = [[u] for u in units] + [[units[0], units[5]], [units[3], units[UNIT_DEPTH]]]
            for ask in asks:
                for depth in (1, 3, UNIT_DEPTH):
                    expected = await resolve_units(db=runtime.graph, unit_ids=ask, max_depth=depth)
                    got = [catalog.table.ids[r] for r in catalog.unit_rows(ask, depth).tolist()]
                    assert got == expected, (ask, depth)
            top = [catalog.table.ids[r] for r in catalog.unit_rows(["c0"]).tolist()]
            assert top == ["q-shallow"]  # q-deep is UNIT_DEPTH + 2 hops down: out of reach

    asyncio.run(main())
