"""`learner-graph import attempts`: CSV histories through the real write path, resumable."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.db.queries import Queries
from learner_graph.learners.history_import import (
    ImportReport,
    WriteTotals,
    import_history,
    lanes,
    write_attempts,
)
from learner_graph.learners.models import AttemptIn
from learner_graph.runtime import Runtime

CSV = """user_id,seq_idx,item_id,skill_ids,correct,split
7,0,100,1~2,0,train
7,1,101,1,1,train
7,2,100,1~2,1,train
8,0,102,2,1,test
8,1,101,1,0,test
"""


def run(settings: Settings, queries: Queries, path: Path, progress: Path) -> ImportReport:
    async def go() -> ImportReport:
        async with Runtime.open(settings, queries=queries) as runtime:
            return await import_history(
                db=runtime.graph, path=path, prefix="t-", name="tiny", progress_file=progress, batch_size=2
            )

    return asyncio.run(go())


def value(db: Driver, query: str) -> object:
    return db.execute_query(query).records[0][0]


def test_import_creates_content_and_attempts_and_resumes(
    db: Driver, settings: Settings, queries: Queries, tmp_path: Path
) -> None:
    path = tmp_path / "tiny.csv"
    path.write_text(CSV)
    progress = tmp_path / "progress.json"
    first = run(settings, queries, path, progress)
    assert (first.rows, first.created, first.duplicates, first.skipped_batches) == (5, 5, 0, 0)
    assert value(db, "MATCH (c:Concept) WITH c ORDER BY c.id RETURN collect(c.id)") == [
        "t-skill-1",
        "t-skill-2",
    ]
    assert value(db, "MATCH (:Question {id:'t-100'})-[a:ASSESSES]->() RETURN collect(a.weight)") == [0.5, 0.5]
    assert value(db, "MATCH (:Unit {id:'t-all'})-[:CONTAINS*2]->(q:Question) RETURN count(DISTINCT q)") == 3
    # Users' attempts keep their order through synthetic times.
    order = value(db, "MATCH (a:Attempt {user_id:'t-7'}) WITH a ORDER BY a.at RETURN collect(a.id)")
    assert order == ["t-7-0", "t-7-1", "t-7-2"]
    assert value(db, "MATCH (:User {id:'t-7'})-->(m:Memory {concept_id:'t-skill-1'}) RETURN m.reps") == 3

    again = run(settings, queries, path, progress)
    assert (again.created, again.skipped_batches) == (0, 3)  # every batch was done: resumed past them
    progress.unlink()
    replay = run(settings, queries, path, progress)
    assert (replay.created, replay.duplicates) == (0, 5)  # without progress: idempotent replays
    assert value(db, "MATCH (a:Attempt) RETURN count(a)") == 5


def test_write_attempts_from_memory_in_lanes_skips_done_batches_and_replays_idempotently(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    db.execute_query("UNWIND range(0, 3) AS i CREATE (:Question {id: 'wq-' + toString(i)})")
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    items = [
        AttemptIn(attempt_id=f"w-{u}-{k}", user_id=f"w-{u}", question_id=f"wq-{k % 4}", correct=k % 3 != 0,
                  time_spent_ms=20_000, at=start + timedelta(minutes=k))
        for u in range(5) for k in range(6)
    ]  # fmt: skip
    done: set[str] = set()

    def write(concurrency: int, done: set[str] | None = None) -> WriteTotals:
        async def go() -> WriteTotals:
            async with Runtime.open(settings, queries=queries) as runtime:
                return await write_attempts(
                    db=runtime.graph, items=items, batch_size=4, concurrency=concurrency, done=done
                )

        return asyncio.run(go())

    first = write(concurrency=2, done=done)
    assert (first.rows, first.created, first.duplicates, first.skipped) == (30, 30, 0, 0)
    batches = lanes(items, 4, 2)
    assert done == {f"{lane}:{i}" for lane in range(2) for i in range(len(batches[lane]))}
    assert write(concurrency=2, done=done).skipped == len(done)  # every batch done: nothing sent
    replay = write(concurrency=3)  # other lanes, no progress: acknowledged, not stored twice
    assert (replay.created, replay.duplicates) == (0, 30)
    assert value(db, "MATCH (a:Attempt) RETURN count(a)") == 30
    order = value(db, "MATCH (a:Attempt {user_id: 'w-3'}) WITH a ORDER BY a.at RETURN collect(a.id)")
    assert order == [f"w-3-{k}" for k in range(6)]
