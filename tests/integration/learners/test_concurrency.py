"""Many learners writing at once against the real Neo4j: nothing lost, doubled or reordered.

Sixteen learners answer questions on the same four concepts at the same time, each one question
after another, as learner apps send them. Every attempt must be stored once, and each learner's
review states must equal those of a learner who sent the same answers alone, one by one.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from neo4j.exceptions import TransientError

from learner_graph.config import Settings
from learner_graph.db import retries
from learner_graph.db.graph import Graph, open_async_driver
from learner_graph.db.queries import Queries
from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.memory import make_scheduler
from learner_graph.learners.models import AttemptIn
from learner_graph.learners.writer import AttemptWriter
from tests.learners_fixtures import CHAIN, make_chain

LEARNERS = 16
ANSWERS = 8
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def answers(user: str, seed: int) -> list[AttemptIn]:
    """A learner's session: questions across the shared chain, a few minutes apart."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 1, 9, tzinfo=UTC) + timedelta(minutes=seed)
    return [
        AttemptIn(
            attempt_id=f"{user}-{k}",
            user_id=user,
            question_id=f"q-{rng.choice(CHAIN)}-{rng.randint(1, 3)}",
            correct=rng.random() < 0.7,
            time_spent_ms=rng.randint(5_000, 60_000),
            at=start + timedelta(hours=k * 7),
        )
        for k in range(ANSWERS)
    ]


def renamed(items: list[AttemptIn], user: str) -> list[AttemptIn]:
    return [
        a.model_copy(update={"user_id": user, "attempt_id": a.attempt_id.replace(a.user_id, user, 1)})
        for a in items
    ]


def with_graph(settings: Settings, queries: Queries, work: Callable[[Graph], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        driver = open_async_driver(settings)
        try:
            return await work(Graph(driver, queries, settings.neo4j_database))
        finally:
            await driver.close()

    return asyncio.run(run())


def states(db: Driver, user: str) -> dict[str, dict[str, Any]]:
    records, _, _ = db.execute_query(
        "MATCH (:User {id: $user})-->(m:Memory) RETURN m.concept_id AS concept, properties(m) AS m",
        user=user,
    )
    skip = ("updated_at", "user_id")
    return {r["concept"]: {k: v for k, v in r["m"].items() if k not in skip} for r in records}


def stored_attempts(db: Driver) -> Counter[str]:
    records, _, _ = db.execute_query("MATCH (:User)-[:ATTEMPTED]->(a:Attempt)-[:OF]->(:Question) RETURN a.id")
    return Counter(r[0] for r in records)


def serial_replay(settings: Settings, queries: Queries, sessions: dict[str, list[AttemptIn]]) -> None:
    """The same answers under `serial-<learner>`, one request at a time."""

    async def work(graph: Graph) -> None:
        for user, items in sessions.items():
            for item in renamed(items, f"serial-{user}"):
                await record_attempts(db=graph, attempts=[item], now=NOW, scheduler=make_scheduler())

    with_graph(settings, queries, work)


def assert_same_as_serial(db: Driver, sessions: dict[str, list[AttemptIn]]) -> None:
    stored = stored_attempts(db)
    assert len(stored) == 2 * LEARNERS * ANSWERS and set(stored.values()) == {1}
    for user in sessions:
        concurrent, alone = states(db, user), states(db, f"serial-{user}")
        assert concurrent and concurrent == alone, user


@pytest.mark.parametrize("in_flight", [1, 2])
def test_sixteen_learners_through_group_commit_match_a_serial_replay(
    db: Driver, settings: Settings, queries: Queries, in_flight: int
) -> None:
    make_chain(db)
    sessions = {f"learner-{i}": answers(f"learner-{i}", i) for i in range(LEARNERS)}
    commits: list[int] = []

    async def work(graph: Graph) -> None:
        writer = AttemptWriter(make_scheduler(), in_flight=in_flight, on_commit=commits.append)

        async def learner(items: list[AttemptIn]) -> None:
            for item in items:  # one question after another, as an app sends them
                result = await writer.record(graph, [item], NOW)
                assert result.created == 1

        await asyncio.gather(*(learner(items) for items in sessions.values()))

    with_graph(settings, queries, work)
    assert sum(commits) == LEARNERS * ANSWERS
    assert max(commits) > 1  # requests did share transactions
    serial_replay(settings, queries, sessions)
    assert_same_as_serial(db, sessions)


def test_sixteen_concurrent_transactions_on_shared_concepts_do_not_deadlock(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    """One transaction per learner at once (as several API workers send them): no lock on the
    shared concepts makes them wait for, or deadlock with, each other."""
    make_chain(db)
    sessions = {f"learner-{i}": answers(f"learner-{i}", 100 + i) for i in range(LEARNERS)}
    tally = retries.Tally()

    async def work(graph: Graph) -> None:
        async def learner(items: list[AttemptIn]) -> None:
            for item in items:
                await record_attempts(db=graph, attempts=[item], now=NOW, scheduler=make_scheduler())

        with retries.counted(tally):
            await asyncio.gather(*(learner(items) for items in sessions.values()))

    with_graph(settings, queries, work)
    assert tally.by_reason.get("DeadlockDetected", 0) == 0, tally.by_reason
    serial_replay(settings, queries, sessions)
    assert_same_as_serial(db, sessions)


def test_concurrent_replays_through_the_writer_end_in_one_attempt(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    make_chain(db)
    item = answers("u1", 1)[0]
    other = answers("u2", 2)[0]

    async def work(graph: Graph) -> list[int]:
        writer = AttemptWriter(make_scheduler())
        results = await asyncio.gather(
            *(writer.record(graph, [item, other] if i % 2 else [item], NOW) for i in range(16))
        )
        return [r.created for r in results]

    created = with_graph(settings, queries, work)
    assert sum(created) == 2
    assert stored_attempts(db) == Counter({item.attempt_id: 1, other.attempt_id: 1})
    records, _, _ = db.execute_query("MATCH (:User {id:'u1'})-->(m:Memory) RETURN max(m.reps) AS reps")
    assert records[0]["reps"] == 1


def test_a_bad_request_in_a_shared_transaction_fails_alone(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    make_chain(db)
    good = answers("u1", 3)[:3]
    bad = answers("u2", 4)[0].model_copy(update={"question_id": "no-such-question"})

    async def work(graph: Graph) -> list[Any]:
        writer = AttemptWriter(make_scheduler())
        requests = [writer.record(graph, [a], NOW) for a in good] + [writer.record(graph, [bad], NOW)]
        return await asyncio.gather(*requests, return_exceptions=True)

    outcomes = with_graph(settings, queries, work)
    assert [getattr(o, "created", None) for o in outcomes[:3]] == [1, 1, 1]
    assert "attempts[0].question_id" in str(getattr(outcomes[3], "details", outcomes[3]))
    assert stored_attempts(db) == Counter({a.attempt_id: 1 for a in good})


def test_driver_retries_reach_metrics_by_reason(client: TestClient) -> None:
    def retried() -> float:
        for line in client.get("/metrics").text.splitlines():
            if line.startswith('lg_store_retries_total{reason="DeadlockDetected"}'):
                return float(line.split()[-1])
        return 0.0

    before = retried()
    error = TransientError("can't acquire ExclusiveLock ...\n Wait list: ...")
    error._neo4j_code = "Neo.TransientError.Transaction.DeadlockDetected"
    driver_log = logging.getLogger(retries.DRIVER_LOGGER)
    driver_log.warning("Transaction failed and will be retried in %ss (%s)", 1, error)
    assert retried() == before + 1
