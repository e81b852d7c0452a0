"""The in-process engine (simulation/inproc.py) against the real one: same review states, same picks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.models import AttemptIn
from learner_graph.recommendations import pipeline
from learner_graph.recommendations.models import RecommendationRequest
from learner_graph.simulation.inproc import Engine, new_learner
from learner_graph.simulation.world import World, ensure_content, open_world
from tests.integration.simulation.test_simulation import small_curriculum

pytestmark = pytest.mark.integration
T0 = datetime(2025, 3, 3, 17, tzinfo=UTC)
UNITS = ["math.fractions"]


def test_inproc_engine_matches_the_graph_path(db: Driver, settings: Settings) -> None:
    document = small_curriculum()
    local = Engine.build(document, side=None, retention=settings.review_retention)
    learner = new_learner("u-inproc")
    questions = [q for u in UNITS for q in local.catalog.table.ids if q.startswith("q-frac")][:6]

    async def work(world: World) -> list[tuple[list[str], list[str]]]:
        await ensure_content(world)
        picks = []
        at = T0
        for step, question in enumerate(questions):
            correct = step % 3 != 1
            await record_attempts(db=world.db, attempts=[AttemptIn(
                attempt_id=f"a{step}", user_id=learner.user_id, question_id=question, correct=correct,
                time_spent_ms=20000, at=at)], now=at, scheduler=world.scheduler)
            local.record(learner, question_id=question, correct=correct, at=at, time_ms=20000)
            at += timedelta(days=1, minutes=7)
            out = await pipeline.recommend(db=world.db, catalogs=world.catalogs, models=world.models,
                                       pinned=world.runtime.pinned, experiments=None, now=at,
                                       request=RecommendationRequest(user_id=learner.user_id, units=UNITS,
                                                                     n=5, seed=step))
            mine = local.recommend(learner, units=UNITS, n=5, seed=step, now=at)
            picks.append(([i.question_id for i in out.items], [p.question_id for p in mine]))
        stored, _ = await pipeline.student(db=world.db, catalogs=world.catalogs, user_id=learner.user_id,
                                           knows=[])
        assert set(stored.memory) == set(learner.memory)
        for concept, state in learner.memory.items():
            theirs = stored.memory[concept]
            assert (theirs.reps, theirs.lapses, theirs.due, theirs.last_review) == (
                state.reps, state.lapses, state.due, state.last_review)
            assert (theirs.stability, theirs.wins, theirs.fails) == pytest.approx(
                (state.stability, state.wins, state.fails))
        return picks

    async def main() -> list[tuple[list[str], list[str]]]:
        async with open_world(settings, seed=3, document=document) as world:
            return await work(world)

    picks = asyncio.run(main())
    assert all(graph == mine for graph, mine in picks), picks
    assert any(len(graph) == 5 for graph, _ in picks)
