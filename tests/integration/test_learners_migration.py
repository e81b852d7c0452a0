"""Review states stored the old way (a MEMORY relationship on the concept) moved onto Memory nodes."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.db.graph import Graph
from learner_graph.db.queries import Queries
from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.memory import make_scheduler
from learner_graph.learners.migration import Moved, migrate_memory
from learner_graph.learners.models import AttemptIn
from learner_graph.runtime import Runtime
from tests.integration.test_learners_concurrency import states, with_graph
from tests.learners_fixtures import CHAIN, make_chain

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def session(user: str, seed: int, first: int = 0, count: int = 6) -> list[AttemptIn]:
    rng = random.Random(seed)
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    return [
        AttemptIn(
            attempt_id=f"{user}-{k}",
            user_id=user,
            question_id=f"q-{rng.choice(CHAIN)}-{rng.randint(1, 3)}",
            correct=rng.random() < 0.7,
            time_spent_ms=20_000,
            at=start + timedelta(hours=9 * k),
        )
        for k in range(first + count)
    ][first:]


def record(settings: Settings, queries: Queries, items: list[AttemptIn]) -> None:
    async def work(graph: Graph) -> None:
        await record_attempts(db=graph, attempts=items, now=NOW, scheduler=make_scheduler())

    with_graph(settings, queries, work)


def to_old_layout(db: Driver, user: str) -> None:
    """What an older version stored: the state's properties on (:User)-[:MEMORY]->(:Concept)."""
    db.execute_query(
        """
        MATCH (u:User {id: $user})-[:HAS_MEMORY]->(m:Memory)
        MATCH (c:Concept {id: m.concept_id})
        CREATE (u)-[r:MEMORY]->(c)
        SET r = properties(m)
        REMOVE r.user_id, r.concept_id
        DETACH DELETE m
        """,
        user=user,
    )


def old_relationships(db: Driver) -> int:
    return int(db.execute_query("MATCH ()-[r:MEMORY]->() RETURN count(r)").records[0][0])


def migrate(settings: Settings, queries: Queries, batch: int) -> Moved:
    result: Moved = with_graph(settings, queries, lambda graph: migrate_memory(db=graph, batch=batch))
    return result


def test_old_review_states_move_onto_memory_nodes_and_the_write_path_continues_from_them(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    make_chain(db)
    record(settings, queries, session("old", 1))
    before = states(db, "old")
    assert len(before) >= 2
    to_old_layout(db, "old")
    assert states(db, "old") == {} and old_relationships(db) == len(before)

    moved = migrate(settings, queries, batch=2)  # several transactions

    assert moved == Moved(seen=len(before), moved=len(before))
    assert old_relationships(db) == 0
    assert states(db, "old") == before
    assert migrate(settings, queries, batch=2) == Moved()  # nothing left: a rerun is a no-op
    # The write path reads the moved states: more answers end where one uninterrupted history does.
    record(settings, queries, session("old", 1, first=6, count=4))
    record(settings, queries, session("fresh", 1, count=10))
    assert states(db, "old") == states(db, "fresh")


def test_a_state_that_already_has_its_memory_node_keeps_it(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    make_chain(db)
    record(settings, queries, session("both", 2))
    current = states(db, "both")
    concept = sorted(current)[0]
    db.execute_query(
        "MATCH (u:User {id: 'both'}), (c:Concept {id: $concept}) CREATE (u)-[:MEMORY {reps: 99}]->(c)",
        concept=concept,
    )

    assert migrate(settings, queries, batch=100) == Moved(seen=1, moved=0)
    assert states(db, "both") == current and old_relationships(db) == 0


def test_start_up_moves_old_states(db: Driver, settings: Settings, queries: Queries) -> None:
    make_chain(db)
    record(settings, queries, session("old", 3))
    before = states(db, "old")
    to_old_layout(db, "old")

    async def start() -> Any:
        async with Runtime.open(settings, apply_schema=True):
            return None

    asyncio.run(start())
    assert old_relationships(db) == 0 and states(db, "old") == before
