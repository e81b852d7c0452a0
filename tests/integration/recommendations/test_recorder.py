"""Group commit of served recommendations against the real Neo4j."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from neo4j import Driver
from neo4j.exceptions import Neo4jError

from learner_graph.config import Settings
from learner_graph.db.queries import Queries
from learner_graph.recommendations.recorder import Recorder, RecorderBusy
from learner_graph.runtime import Runtime

NOW = datetime(2026, 5, 4, 12, tzinfo=UTC)


def row(i: int, *, rec_id: str | None = None) -> dict[str, Any]:
    return {
        "id": rec_id or f"rec_{i:03d}",
        "user_id": f"u{i % 7}",
        "arm": None,
        "experiment_arms": "{}",
        "model_version": None,
        "served_at": NOW.isoformat(),
        "items": "[]",
        "request": "{}",
        "question_ids": [f"q{i}"],
    }


async def write_all(
    settings: Settings, queries: Queries, rows: list[dict[str, Any]], sizes: list[int] | None = None
) -> tuple[Recorder, list[Any]]:
    sizes = [] if sizes is None else sizes
    async with Runtime.open(settings, queries=queries) as runtime:
        recorder = Recorder(on_commit=sizes.append)  # a fresh one, to count this call's commits
        outcomes = await asyncio.gather(
            *(recorder.write(runtime.graph, r) for r in rows), return_exceptions=True
        )
        return recorder, outcomes


def stored(db: Driver) -> list[str]:
    records, _, _ = db.execute_query(
        "MATCH (u:User)-[:RECEIVED]->(r:Recommendation) WHERE r.user_id = u.id RETURN r.id AS id ORDER BY id"
    )
    return [r["id"] for r in records]


def test_concurrent_records_share_commits_and_all_are_stored(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    rows = [row(i) for i in range(40)]
    sizes: list[int] = []
    recorder, outcomes = asyncio.run(write_all(settings, queries, rows, sizes))
    assert outcomes == [None] * 40
    assert stored(db) == sorted(r["id"] for r in rows)
    assert recorder.written == 40 and recorder.commits < 40  # grouped, not one transaction each
    assert sum(sizes) == 40 and len(sizes) == recorder.commits  # what the metrics histogram is told


def test_the_served_time_sent_as_text_is_stored_as_a_datetime(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    """`served_at` travels as an ISO string (the driver's datetime encoding was ~0.3 ms a value);
    the recommendation and a learner it creates hold the same instant as a datetime, to the microsecond."""
    served = datetime(2026, 5, 4, 12, 0, 1, 234567, tzinfo=UTC)
    new_learner = {**row(0), "user_id": "u_new", "served_at": served.isoformat()}
    asyncio.run(write_all(settings, queries, [new_learner]))
    records, _, _ = db.execute_query(
        "MATCH (u:User {id: 'u_new'})-[:RECEIVED]->(r:Recommendation) RETURN r.served_at AS served, "
        "u.created_at AS created, valueType(r.served_at) AS type"
    )
    assert [(r["served"].to_native(), r["created"].to_native(), r["type"]) for r in records] == [
        (served, served, "ZONED DATETIME NOT NULL")
    ]


def test_a_bad_row_fails_alone(db: Driver, settings: Settings, queries: Queries) -> None:
    bad = {**row(10), "items": {"not": {"storable": 1}}}  # a nested map is no property value
    rows = [row(i) for i in range(1, 10)] + [bad]
    _, outcomes = asyncio.run(write_all(settings, queries, rows))
    assert outcomes[:9] == [None] * 9
    assert isinstance(outcomes[9], Neo4jError)
    assert stored(db) == sorted(r["id"] for r in rows[:9])


def test_a_replayed_record_is_stored_once(db: Driver, settings: Settings, queries: Queries) -> None:
    """A write retried after an ambiguous commit (the first did land) changes nothing."""
    asyncio.run(write_all(settings, queries, [row(0, rec_id="rec_taken")]))
    rows = [row(i) for i in range(1, 10)] + [row(10, rec_id="rec_taken")]
    _, outcomes = asyncio.run(write_all(settings, queries, rows))
    assert outcomes == [None] * 10
    assert stored(db) == sorted([r["id"] for r in rows[:9]] + ["rec_taken"])
    links = db.execute_query(
        "MATCH (:User)-[r:RECEIVED]->(:Recommendation {id: 'rec_taken'}) RETURN count(r) AS n"
    )
    assert links.records[0]["n"] == 1 and links.records[0]["n"] == len(stored(db)) - 9


def test_a_full_queue_is_refused_at_once(db: Driver, settings: Settings, queries: Queries) -> None:
    async def main() -> list[Any]:
        async with Runtime.open(settings, queries=queries) as runtime:
            recorder = Recorder(max_pending=3)
            writes = (recorder.write(runtime.graph, row(i)) for i in range(5))
            return await asyncio.gather(*writes, return_exceptions=True)

    outcomes = asyncio.run(main())
    assert outcomes[:3] == [None] * 3
    assert all(isinstance(o, RecorderBusy) for o in outcomes[3:])
    assert len(stored(db)) == 3


@pytest.mark.parametrize("size", [1, 3])
def test_small_batches(db: Driver, settings: Settings, queries: Queries, size: int) -> None:
    recorder, outcomes = asyncio.run(write_all(settings, queries, [row(i) for i in range(size)]))
    assert outcomes == [None] * size and recorder.commits == 1 and len(stored(db)) == size


def test_a_second_commit_does_not_wait_for_a_slow_first(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    """A commit held on a learner's lock (another transaction writing them) does not hold back the
    commit of another learner's row; the same learner's later row waits behind their first."""
    db.execute_query("UNWIND ['u0', 'u1'] AS id CREATE (:User {id: id})")

    async def main(in_flight: int, held: list[str]) -> None:
        rows = [row(0, rec_id="rec_held"), row(0, rec_id="rec_after"), row(1, rec_id="rec_other")]
        with db.session() as session, session.begin_transaction() as tx:
            tx.run("MATCH (u:User {id: 'u0'}) SET u.locked = true").consume()  # u0's lock, until rollback
            async with Runtime.open(settings, queries=queries) as runtime:
                recorder = Recorder(in_flight=in_flight)
                returned: list[str] = []

                async def one(r: dict[str, Any]) -> None:
                    await recorder.write(runtime.graph, r)
                    returned.append(r["id"])

                writes = []
                for r in rows:
                    writes.append(asyncio.ensure_future(one(r)))
                    await asyncio.sleep(0.2)  # each in its own commit, not one batch
                await asyncio.sleep(1.0)
                held.extend(returned)
                tx.rollback()
                assert await asyncio.gather(*writes) == [None, None, None]

    two: list[str] = []
    asyncio.run(main(2, two))
    assert two == ["rec_other"]  # u1 committed while u0's first commit waited; u0's second behind it
    one: list[str] = []
    db.execute_query("MATCH (r:Recommendation) DETACH DELETE r")
    asyncio.run(main(1, one))
    assert one == []  # one commit in flight: u1's row waited for u0's
    assert stored(db) == ["rec_after", "rec_held", "rec_other"]


def test_rows_of_learners_in_a_commit_wait_in_order() -> None:
    recorder = Recorder(max_batch=3)
    loop = asyncio.new_event_loop()
    try:
        items = [(row(i), loop.create_future()) for i in (0, 1, 7, 2, 8, 3, 4)]  # users u0 u1 u0 u2 u1 u3 u4
        recorder._pending = list(items)
        recorder._busy = {"u1"}  # in a commit in flight
        batch = recorder._take(recorder.max_batch)
        assert [r["id"] for r, _ in batch] == ["rec_000", "rec_007", "rec_002"]  # u1's wait; three at most
        assert [r["id"] for r, _ in recorder._pending] == ["rec_001", "rec_008", "rec_003", "rec_004"]
        recorder._busy = set()
        assert [r["id"] for r, _ in recorder._take(1)] == ["rec_001"]  # while Neo4j recovers: one row
        assert [r["id"] for r, _ in recorder._pending] == ["rec_008", "rec_003", "rec_004"]
    finally:
        loop.close()
