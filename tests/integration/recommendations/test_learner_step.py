"""The learner app's step against the real Neo4j and Redis: an attempt this process commits carries
the learner's kept state over to their new token, so the recommendation after it reads no Neo4j,
and what it serves is what a fresh read of Neo4j gives (`recommendations/states.py`, `advance`).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.db.queries import Queries
from learner_graph.learners import service
from learner_graph.learners.models import AttemptIn, UserPatch
from learner_graph.recommendations import pipeline
from learner_graph.recommendations.models import RecommendationRequest
from learner_graph.recommendations.states import read_student
from learner_graph.runtime import Runtime
from tests.integration.recommendations.test_learner_states import two_workers
from tests.recommend_fixtures import make_course
from tests.support import PrivateRedis

NOW = datetime(2026, 3, 10, 12, 0, 0, 123456, tzinfo=UTC)  # microseconds: the read gives milliseconds back
CONCEPTS = ("counting", "adding", "multiplying", "fractions")


def answer(k: int, user: str = "u1", *, correct: bool = True, at: datetime | None = None,
           attempt_id: str | None = None) -> AttemptIn:
    return AttemptIn(
        attempt_id=attempt_id or f"{user}-s{k}", user_id=user,
        question_id=f"q-{CONCEPTS[k % len(CONCEPTS)]}-{1 + k % 3}", correct=correct,
        at=at or NOW - timedelta(hours=30) + timedelta(minutes=7 * k, microseconds=k * 1017),
        time_spent_ms=None if k % 4 == 0 else 1_000 + k,
    )


async def assert_kept_and_fresh(runtime: Runtime, user_id: str = "u1") -> None:
    """The next read is served from the process (no Neo4j) and equals what Neo4j holds now."""
    hits = runtime.states.hits
    kept = await runtime.states.read(runtime.graph, user_id)
    assert runtime.states.hits == hits + 1, "the step after the attempt read Neo4j"
    assert kept == await read_student(runtime.graph, user_id)


async def assert_read_and_fresh(runtime: Runtime, user_id: str = "u1") -> None:
    misses = runtime.states.misses
    read = await runtime.states.read(runtime.graph, user_id)
    assert runtime.states.misses == misses + 1, "served a kept state the write did not start from"
    assert read == await read_student(runtime.graph, user_id)


def test_each_step_is_kept_and_equals_a_fresh_read(db: Driver, settings: Settings, queries: Queries) -> None:
    """Right and wrong answers, new review states and implicit credit down the prerequisites, an
    attempt without a time, a replay, a profile edit and a day's goal stored in between."""
    make_course(db)

    async def main() -> None:
        async with Runtime.open(settings, queries=queries) as runtime:
            write = runtime.attempts.record
            await write(runtime.graph, [answer(0)], NOW)
            await assert_read_and_fresh(runtime)  # the first read of the learner fills the entry
            for k in range(1, 9):
                await write(runtime.graph, [answer(k, correct=k % 3 != 0)], NOW)
                await assert_kept_and_fresh(runtime)
            await write(runtime.graph, [answer(4)], NOW)  # a replay: nothing new, the token moved
            await assert_kept_and_fresh(runtime)
            untimed = AttemptIn(attempt_id="u1-now", user_id="u1", question_id="q-adding-2", correct=True)
            await write(runtime.graph, [untimed], NOW)  # stored at the server's clock
            await assert_kept_and_fresh(runtime)

            await service.update_user(db=runtime.graph, user_id="u1", patch=UserPatch(timezone="Asia/Tokyo"))
            await assert_read_and_fresh(runtime)
            await step(runtime, "u1", 20)  # stores the day's goal (no bump): the next attempt carries it
            later = NOW + timedelta(minutes=1)
            await write(runtime.graph, [answer(20, at=later)], later + timedelta(minutes=1))
            kept = await runtime.states.read(runtime.graph, "u1")
            assert kept.student is not None and kept.student.goal is not None
            assert kept.student.timezone == "Asia/Tokyo"
            assert kept == await read_student(runtime.graph, "u1")
            assert runtime.states.carried >= 10

    asyncio.run(main())


async def step(runtime: Runtime, user_id: str, seed: int, *, kept: bool = True) -> dict[str, Any]:
    """A recommendation as the route serves it (recorded), with or without the learner-state cache."""
    out = await pipeline.recommend(
        db=runtime.graph, catalogs=runtime.catalogs, models=runtime.models, pinned=runtime.pinned,
        experiments=None, request=RecommendationRequest(user_id=user_id, units=["course"], n=4, seed=seed),
        now=NOW + timedelta(minutes=1), recorder=runtime.recorder, states=runtime.states if kept else None,
    )  # fmt: skip
    return out.model_dump(mode="json", exclude={"id", "timing_ms", "served_at"})


def test_the_recommendation_after_an_answer_is_the_one_a_fresh_read_gives(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    """Read-your-writes through the whole pipeline: each answer changes the next recommendation
    exactly as it does with no cache at all."""
    make_course(db)

    async def main() -> None:
        async with Runtime.open(settings, queries=queries) as runtime:
            await runtime.attempts.record(runtime.graph, [answer(0)], NOW)
            before = await step(runtime, "u1", 0)
            changed = False
            for k in range(1, 7):
                await runtime.attempts.record(runtime.graph, [answer(k, correct=k % 2 == 0)], NOW)
                hits = runtime.states.hits
                served = await step(runtime, "u1", k)
                assert runtime.states.hits == hits + 1
                assert served == await step(runtime, "u1", k, kept=False)
                changed |= served["items"] != before["items"]
                before = served
            assert changed  # the answers moved the recommendations

    asyncio.run(main())


def test_a_write_elsewhere_or_an_older_attempt_drops_the_entry(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    """Carried over only from the state the write started from: not after another process's write
    of the learner's, nor when the new attempt is older than a kept one (it sorts elsewhere)."""
    make_course(db)

    async def main() -> None:
        async with two_workers(settings, queries) as (mine, other):
            await mine.attempts.record(mine.graph, [answer(0)], NOW)
            await assert_read_and_fresh(mine)
            await other.attempts.record(other.graph, [answer(1)], NOW)  # another worker's write
            await mine.attempts.record(mine.graph, [answer(2)], NOW)  # started from a state not kept here
            await assert_read_and_fresh(mine)

            await mine.attempts.record(mine.graph, [answer(3)], NOW)
            await assert_kept_and_fresh(mine)
            older = answer(1, attempt_id="u1-late", at=NOW - timedelta(days=3))  # synced late
            await mine.attempts.record(mine.graph, [older], NOW)
            await assert_read_and_fresh(mine)
            await mine.attempts.record(mine.graph, [answer(5)], NOW)
            newest = answer(5).at
            assert newest is not None
            same_ms = answer(6, attempt_id="u1-tie", at=newest + timedelta(microseconds=300))
            await mine.attempts.record(mine.graph, [same_ms], NOW)  # the same millisecond as the newest
            await assert_read_and_fresh(mine)

    asyncio.run(main())


def test_a_group_commit_of_many_learners_carries_each_exactly(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    """16 learners answering at once, on shared concepts, in one or a few shared transactions."""
    make_course(db)
    users = [f"g{i:02d}" for i in range(16)]

    async def main() -> None:
        async with Runtime.open(settings, queries=queries) as runtime:
            record = runtime.attempts.record
            await asyncio.gather(*(record(runtime.graph, [answer(0, u)], NOW) for u in users))
            for u in users:
                await assert_read_and_fresh(runtime, u)
            for k in range(1, 4):
                await asyncio.gather(*(
                    runtime.attempts.record(runtime.graph, [answer(k + i % 2, u, correct=i % 3 > 0)], NOW)
                    for i, u in enumerate(users)
                ))  # fmt: skip
                for u in users:
                    await assert_kept_and_fresh(runtime, u)

    asyncio.run(main())


def test_nothing_carried_while_redis_is_down(
    db: Driver, settings: Settings, queries: Queries, tmp_path: Path
) -> None:
    """Redis down: the attempt is acknowledged, its bump fails, and nothing is kept or carried."""
    make_course(db)
    redis = PrivateRedis(tmp_path)
    private = settings.model_copy(update={"redis_url": redis.url})

    async def main() -> None:
        async with Runtime.open(private, queries=queries) as runtime:
            await runtime.attempts.record(runtime.graph, [answer(0)], NOW)
            await assert_read_and_fresh(runtime)
            await runtime.attempts.record(runtime.graph, [answer(1)], NOW)
            await assert_kept_and_fresh(runtime)
            redis.stop()
            await runtime.attempts.record(runtime.graph, [answer(2)], NOW)  # acknowledged, its bump lost
            await assert_read_and_fresh(runtime)
            assert (await runtime.states.read(runtime.graph, "u1")).student.attempts[0]["question_id"] == (  # type: ignore[union-attr]
                answer(2).question_id
            )

    try:
        asyncio.run(main())
    finally:
        redis.stop()


def test_a_state_read_while_the_write_commits_is_not_carried(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    """A request of the same process that reads Neo4j after the commit but before the bump keeps
    what it read (the new attempt included) under the old token: carrying that entry over would
    apply the attempt twice. Two guards refuse it: only an entry kept before the transaction began
    is carried, and only when the new attempts are newer than its newest (here: the same one)."""
    make_course(db)

    async def main() -> None:
        async with Runtime.open(settings, queries=queries) as runtime:
            await runtime.attempts.record(runtime.graph, [answer(0)], NOW)
            await assert_read_and_fresh(runtime)  # kept before the next write begins
            versions = runtime.graph.versions
            assert versions is not None
            bump = versions.bump

            async def read_then_bump(keys: Any) -> Any:  # the real bump, after a real read in between
                runtime.states.clear()
                await runtime.states.read(runtime.graph, "u1")  # committed, not bumped: kept, old token
                return await bump(keys)

            versions.bump = read_then_bump  # type: ignore[method-assign]
            await runtime.attempts.record(runtime.graph, [answer(1)], NOW)
            versions.bump = bump  # type: ignore[method-assign]
            await assert_read_and_fresh(runtime)
            read = await runtime.states.read(runtime.graph, "u1")
            assert read.student is not None and len(read.student.attempts) == 2

    asyncio.run(main())
