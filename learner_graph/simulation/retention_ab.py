"""The A/B test of mixer against next-only through the experiment service, on learners who forget.

The experiment is created and started with the experiment service; each learner practises the
course (`course.schedule`, fewer sessions than the in-process study: the graph is in the loop)
through `engine.recommend`, which assigns and exposes them; their answers go through
`record_attempts` and dismissals through `record_feedback`. A week after their last session they
take the delayed test as real attempts, one on each concept's probe question, so the results
service's `delayed_retention` (accuracy on concepts left unpractised for a week or more) sees it.
A/A tests re-split the same users by hash seed on that metric.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import timedelta
from typing import Any

from learner_graph.config import Settings
from learner_graph.experiments.models import Arm, ExperimentCreate
from learner_graph.experiments.results import experiment_results, user_metrics
from learner_graph.experiments.service import create_experiment, start_experiment, stop_experiment
from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.models import AttemptIn
from learner_graph.simulation.compare import prepare
from learner_graph.simulation.course import ORIGIN, CoursePlan, Probes, schedule
from learner_graph.simulation.experiment import aa_tests
from learner_graph.simulation.inproc import unit_questions
from learner_graph.simulation.outcomes import ENGINE_POLICIES
from learner_graph.simulation.policies import Ask, EnginePolicy
from learner_graph.simulation.runner import Outcome, _work_through
from learner_graph.simulation.study import HISTORIES, shipped_settings
from learner_graph.simulation.world import World, open_world
from seed.forgetting import ForgettingSimulator

METRIC = "delayed_retention"
AB_PLAN = CoursePlan(sessions=8, days=14)


def definition(key: str) -> ExperimentCreate:
    return ExperimentCreate(
        key=key,
        hypothesis="next-best blended with review and streak wins is remembered better a week later",
        arms=[
            Arm(name="next", weight=0.5, overrides=ENGINE_POLICIES["next"]),
            Arm(name="mixer", weight=0.5, overrides=shipped_settings()[0]),
        ],
        control="next",
        primary_metrics=[METRIC],
        secondary_metrics=["accuracy", "ability_gain"],
        guardrail_metrics=["dismissals"],
    )


async def retention_experiment(settings: Settings, *, learners: int, seed: int, aa: int,
                               plan: CoursePlan = AB_PLAN, concurrency: int = 4,
                               warmup: int = HISTORIES) -> dict[str, Any]:
    """Run the A/B end to end against the graph of `settings`; results, and A/A on `delayed_retention`.
    `warmup`: the histories recorded and trained on first (the study's training cohort)."""
    async with open_world(settings, seed=seed) as world:
        world.sim = ForgettingSimulator(world.document, seed=seed)  # the warm-up histories forget too
        prepared = await prepare(world, warmup=warmup, model_dir=settings.model_dir, seed=seed)
        key = f"sim-retention-{uuid.uuid4().hex[:6]}"
        begin = ORIGIN - timedelta(days=1)
        await create_experiment(db=world.db, definition=definition(key), now=begin)
        await start_experiment(db=world.db, key=key, now=begin)
        questions = [q["id"] for q in world.document["questions"]]
        probes = _probe_questions(world, Probes.for_questions(world.sim, _in_units(world, plan)), questions)
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with gate:
                await _learner(world, key, i, plan, probes, seed)

        await asyncio.gather(*(one(i) for i in range(learners)))
        end = ORIGIN + timedelta(days=plan.days + plan.delay_days + 2)
        await stop_experiment(db=world.db, key=key, now=end)
        results = await experiment_results(db=world.db, key=key, now=end)
        users = await user_metrics(db=world.db, key=key, until=end)
    rows = {(r.metric, r.arm): r.model_dump() for r in results.metrics}
    return {
        "key": key, "learners": learners, "plan": vars(plan) | {"units": list(plan.units)},
        "model": prepared["model"], "warmup_attempts": prepared["warmup_attempts"],
        "srm_p_value": results.srm_p_value,
        "arms": {a.name: a.model_dump() for a in results.arms},
        "delayed_retention": {arm: rows[(METRIC, arm)] for arm in ("next", "mixer")},
        "winner": _winner(rows[(METRIC, "mixer")]),
        "aa": aa_tests(users, repetitions=aa, metrics=(METRIC,))[METRIC],
        "summary": results.summary,
    }


def _winner(row: dict[str, Any]) -> str:
    """The arm the A/B names on `delayed_retention` at p < 0.05, else "none"."""
    if row.get("p_value") is None or row["p_value"] >= 0.05:
        return "none"
    return "mixer" if row["abs_lift"] > 0 else "next"


def _in_units(world: World, plan: CoursePlan) -> list[str]:
    units = unit_questions(world.document)
    return sorted({q for u in plan.units for q in units[u]})


def _probe_questions(world: World, probes: Probes, questions: list[str]) -> list[str]:
    """Per concept, the real single-concept question nearest its probe's difficulty (the test items)."""
    chosen = []
    for concept, difficulty in zip(probes.concepts, probes.difficulty, strict=True):
        options = [q for q in questions if world.sim.questions[q].concept_ids == [concept]]
        if options:
            distance = {q: abs(world.sim.questions[q].difficulty - difficulty) for q in options}
            chosen.append(min(options, key=lambda q: (distance[q], q)))
    return chosen


async def _learner(world: World, key: str, index: int, plan: CoursePlan, probes: list[str],
                   seed: int) -> None:
    student = world.sim.new_student(f"ab-{seed}-{index:05d}")
    user_id = f"{key}-{index:05d}"
    policy = EnginePolicy(experiments=True)
    rng = random.Random(f"{seed}:ab:{index}")
    outcome = Outcome(user_id)
    recent: list[str] = []
    step = 0
    at = ORIGIN
    for start, size in schedule(plan, index, seed):
        at = start
        answered = len(outcome.answers)
        while len(outcome.answers) - answered < size:
            ask = Ask(user_id, list(plan.units), min(plan.n, size - (len(outcome.answers) - answered)), at,
                      recent[-30:])
            pick = await policy.pick(world, ask, rng)
            if not pick.items:
                break
            at = await _work_through(world, student, pick, outcome, at, rng, step)
            recent.extend(item.question_id for item in pick.items)
            step += 1
    test_at = at + timedelta(days=plan.delay_days)
    attempts = [
        AttemptIn(attempt_id=f"{user_id}-test-{k:03d}", user_id=user_id, question_id=q,
                  correct=world.sim.p_correct(student, q, test_at) > rng.random(),
                  time_spent_ms=30000, at=test_at + timedelta(minutes=k))
        for k, q in enumerate(probes)
    ]
    await record_attempts(db=world.db, attempts=attempts, now=test_at + timedelta(minutes=len(attempts)),
                          scheduler=world.scheduler)
