"""The learner-state cache against the real Neo4j and Redis: never a state from before a learner's
own acknowledged write, whichever process (worker, app instance) took the write.

Two `Runtime`s stand for two API workers: one serves recommendations from its cache, the other
takes the writes. After every acknowledged write, the reading worker's state must equal a fresh
read from Neo4j.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.api.app import create_app
from learner_graph.config import Settings
from learner_graph.content.concepts import create_concept
from learner_graph.content.models import Concept
from learner_graph.db.queries import Queries
from learner_graph.learners import service
from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.memory import make_scheduler
from learner_graph.learners.models import AttemptIn, UserPatch
from learner_graph.recommendations.feedback import record_feedback
from learner_graph.recommendations.models import FeedbackIn
from learner_graph.recommendations.states import read_student
from learner_graph.runtime import Runtime
from tests.conftest import auth
from tests.learners_fixtures import attempt
from tests.recommend_fixtures import make_course, recommend
from tests.support import PrivateRedis

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def answer(k: int, user: str = "u1", correct: bool = True) -> AttemptIn:
    return AttemptIn(
        attempt_id=f"{user}-a{k}", user_id=user, question_id=f"q-counting-{1 + k % 8}", correct=correct,
        at=NOW - timedelta(hours=50 - k),
    )


@asynccontextmanager
async def two_workers(settings: Settings, queries: Queries) -> AsyncIterator[tuple[Runtime, Runtime]]:
    async with Runtime.open(settings, queries=queries) as reader:
        async with Runtime.open(settings, queries=queries) as writer:
            yield reader, writer


async def assert_fresh(reader: Runtime, user_id: str = "u1") -> None:
    """The reading worker's state is what Neo4j holds now."""
    cached = await reader.states.read(reader.graph, user_id)
    assert cached == await read_student(reader.graph, user_id)


def test_kept_between_requests_and_dropped_after_each_write_path(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    make_course(db)

    async def main() -> None:
        async with two_workers(settings, queries) as (reader, writer):
            states, w = reader.states, writer.graph
            scheduler = make_scheduler(settings.review_retention)
            await record_attempts(db=w, attempts=[answer(0)], now=NOW, scheduler=scheduler)
            first = await states.read(reader.graph, "u1")
            assert first.student is not None and len(first.student.attempts) == 1
            again = await states.read(reader.graph, "u1")
            assert (states.hits, states.misses) == (1, 1) and again == first  # kept: no write since

            await writer.attempts.record(w, [answer(1, correct=False)], NOW)  # a single attempt
            await assert_fresh(reader)
            read = await states.read(reader.graph, "u1")
            assert read.student is not None and len(read.student.attempts) == 2

            await record_attempts(db=w, attempts=[answer(2), answer(3)], now=NOW, scheduler=scheduler)
            await assert_fresh(reader)

            await service.update_user(db=w, user_id="u1", patch=UserPatch(timezone="Europe/Paris"))
            await assert_fresh(reader)
            read = await states.read(reader.graph, "u1")
            assert read.student is not None and read.student.timezone == "Europe/Paris"

            await service.streak(db=w, user_id="u1", now=NOW, fix_goal=True)  # the day's goal stored
            await assert_fresh(reader)
            read = await states.read(reader.graph, "u1")
            assert read.student is not None and read.student.goal is not None

            rec_id = await served(writer, "u1")
            await record_feedback(
                db=w, recommendation_id=rec_id[0],
                feedback=FeedbackIn(question_id=rec_id[1], action="dismissed", reason="too_easy"),
            )
            read = await states.read(reader.graph, "u1")
            assert read.student is not None and rec_id[1] in read.student.rejected
            assert read.student.target_offset < 0
            await assert_fresh(reader)

            concept = Concept(id="new-concept", name="New", subject="math")
            await create_concept(db=w, concept=concept, author="t")
            read = await states.read(reader.graph, "u1")  # the content version moved: read again
            assert read == await read_student(reader.graph, "u1")

            await service.delete_user(db=w, user_id="u1", now=NOW)
            assert (await states.read(reader.graph, "u1")).student is None  # deleted: never served again

    asyncio.run(main())


async def served(runtime: Runtime, user_id: str) -> tuple[str, str]:
    """A recommendation stored for the learner (id, its first next-best question), as the route stores one."""
    from learner_graph.recommendations import pipeline
    from learner_graph.recommendations.models import RecommendationRequest

    out = await pipeline.recommend(
        db=runtime.graph, catalogs=runtime.catalogs, models=runtime.models, pinned=runtime.pinned,
        experiments=None, request=RecommendationRequest(user_id=user_id, units=["course"], n=2), now=NOW,
        recorder=runtime.recorder, states=runtime.states,
    )
    return out.id, next(i.question_id for i in out.items if i.kind == "next")


def test_never_served_from_before_an_acknowledged_write_while_reads_race(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    """One worker keeps reading the learner (filling its cache from reads that overlap the writes)
    while another takes their answers one after another; every read started after a write was
    acknowledged sees it."""
    make_course(db)

    async def main() -> None:
        async with two_workers(settings, queries) as (reader, writer):
            stop = asyncio.Event()

            async def hammer() -> None:
                while not stop.is_set():
                    await reader.states.read(reader.graph, "u1")

            background = [asyncio.create_task(hammer()) for _ in range(3)]
            try:
                for k in range(12):
                    await writer.attempts.record(writer.graph, [answer(k)], NOW)
                    read = await reader.states.read(reader.graph, "u1")
                    assert read.student is not None
                    assert len(read.student.attempts) == k + 1, f"write {k} acknowledged but not seen"
            finally:
                stop.set()
                await asyncio.gather(*background)
            assert reader.states.hits > 0  # the cache was in use all along

    asyncio.run(main())


def test_recommendation_through_a_second_app_instance_sees_the_attempt(client: TestClient, db: Driver,
                                                                       settings: Settings) -> None:
    make_course(db, questions_per_concept=2)
    body = {"units": ["s-counting"], "n": 2, "context": {"now": NOW.isoformat()}}
    states = client.app.state.runtime.states  # type: ignore[attr-defined]
    first = recommend(client, **body)  # stores the new learner: a learner not stored yet is never kept
    hits = states.hits
    assert recommend(client, **body)["items"] == first["items"]  # its day goal is stored, with no bump:
    assert states.hits == hits  # read again, now stored      # the same goal is computed again
    assert recommend(client, **body)["items"] == first["items"]
    assert states.hits == hits + 1  # the same state, kept
    answered = first["items"][0]["question_id"]
    with TestClient(create_app(settings)) as other:  # another app instance takes the answer
        posted = other.post(
            "/v1/attempts", json={"attempts": [attempt("w1", answered, False, NOW.isoformat())]},
            headers=auth("learner_app"),
        )
        assert posted.status_code == 200, posted.text
    after = recommend(client, **body)
    assert answered not in {i["question_id"] for i in after["items"]}  # answered just now: not again


def test_nothing_kept_while_redis_is_down(
    db: Driver, settings: Settings, queries: Queries, tmp_path: Path
) -> None:
    make_course(db)
    db.execute_query("CREATE (:User {id: 'u1', app: 'default', timezone: 'UTC'})")  # stored: may be kept
    redis = PrivateRedis(tmp_path)
    down = settings.model_copy(update={"redis_url": redis.url})

    async def main() -> None:
        async with Runtime.open(down, queries=queries) as reader, two_workers(settings, queries) as (_, w):
            writer = w
            await reader.states.read(reader.graph, "u1")
            await reader.states.read(reader.graph, "u1")
            assert reader.states.hits == 1  # Redis up: kept
            redis.stop()
            await writer.attempts.record(writer.graph, [answer(0)], NOW)  # its bump goes to the other Redis
            read = await reader.states.read(reader.graph, "u1")
            assert read.student is not None and len(read.student.attempts) == 1
            assert reader.states.hits == 1  # no tokens, no cache: read from Neo4j

    try:
        asyncio.run(main())
    finally:
        redis.stop()
