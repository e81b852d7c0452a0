"""Group commit of served recommendations against the real Neo4j."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from neo4j import Driver
from neo4j.exceptions import ConstraintError

from learner_graph.config import Settings
from learner_graph.db.queries import Queries
from learner_graph.recommendations.recorder import Recorder
from learner_graph.runtime import Runtime

NOW = datetime(2026, 5, 4, 12, tzinfo=UTC)


def row(i: int, *, rec_id: str | None = None) -> dict[str, Any]:
    return {
        "id": rec_id or f"rec_{i:03d}",
        "user_id": f"u{i % 7}",
        "arm": None,
        "experiment_arms": "{}",
        "model_version": None,
        "served_at": NOW,
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


def test_a_bad_row_fails_alone(db: Driver, settings: Settings, queries: Queries) -> None:
    asyncio.run(write_all(settings, queries, [row(0, rec_id="rec_taken")]))
    rows = [row(i) for i in range(1, 10)] + [row(10, rec_id="rec_taken")]
    _, outcomes = asyncio.run(write_all(settings, queries, rows))
    assert outcomes[:9] == [None] * 9
    assert isinstance(outcomes[9], ConstraintError)
    assert stored(db) == sorted([r["id"] for r in rows[:9]] + ["rec_taken"])


@pytest.mark.parametrize("size", [1, 3])
def test_small_batches(db: Driver, settings: Settings, queries: Queries, size: int) -> None:
    recorder, outcomes = asyncio.run(write_all(settings, queries, [row(i) for i in range(size)]))
    assert outcomes == [None] * size and recorder.commits == 1 and len(stored(db)) == size
