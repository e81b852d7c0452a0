"""The A/B test of mixer against next-only through the experiment service, on learners who forget.

The experiment is created and started with the experiment service; each learner practises the
course (`course.schedule`, the in-process study's plan: 20 sessions over 30 days; rounds 3-4 ran 8
over 14 to save time, and that shorter course is what hid the mixer's advantage: docs/BENCHMARKS.md,
A/B through the routes, round 5)
through `engine.recommend`, which assigns and exposes them; their answers go through
`record_attempts` and dismissals through `record_feedback`.

The study's tests (a design of the simulated study, the learners are unchanged): the day before
their first session each learner takes a pre-test, and a week after their last session the delayed
test, both as real attempts on `TEST_ITEMS` single-concept questions per concept of the course
(the ones nearest each concept's probe difficulty), each in one morning. The results service's
`delayed_retention` (every answer of the day a learner comes back to a concept left unpractised
for a week or more) reads the delayed test; the pre-test, before exposure, is the pre-period its
CUPED estimate adjusts on (`pre_accuracy`). A test does not teach the simulated learner, but the
engine sees the pre-test's answers as it would a placement test's. A/A tests re-split the same
users by hash seed on that metric, raw and CUPED.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from learner_graph.config import Settings
from learner_graph.experiments import stats
from learner_graph.experiments.models import Arm, ExperimentCreate
from learner_graph.experiments.results import COVARIATES, experiment_results, user_metrics
from learner_graph.experiments.service import create_experiment, start_experiment, stop_experiment
from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.models import AttemptIn
from learner_graph.simulation.compare import prepare
from learner_graph.simulation.course import ORIGIN, CoursePlan, Probes, schedule
from learner_graph.simulation.experiment import aa_tests
from learner_graph.simulation.inproc import unit_questions
from learner_graph.simulation.outcomes import ENGINE_POLICIES, TEST_ANSWER_S, morning_of, recorded_test_items
from learner_graph.simulation.policies import Ask, EnginePolicy
from learner_graph.simulation.runner import Outcome, _work_through
from learner_graph.simulation.study import HISTORIES, shipped_settings
from learner_graph.simulation.world import World, open_world
from seed.forgetting import ForgettingSimulator
from seed.simulator import Student

METRIC = "delayed_retention"
AB_PLAN = CoursePlan()  # the paired study's 20 sessions over 30 days (8 over 14 leaves the mixer ~+0.002)
TEST_ITEMS = 16  # questions per concept in each test: 58 concepts -> 928 answers (30 s each, one day)
PAIRED_DIFF = 0.0036  # mixer - next, delayed post-test, paired, 120 learners, 3 models (round 13)


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
                               warmup: int = HISTORIES, items: int = TEST_ITEMS) -> dict[str, Any]:
    """Run the A/B end to end against the graph of `settings`; results, and A/A on `delayed_retention`.
    `warmup`: the histories recorded and trained on first (the study's training cohort); `items`:
    questions per concept in each test."""
    async with open_world(settings, seed=seed) as world:
        world.sim = ForgettingSimulator(world.document, seed=seed)  # the warm-up histories forget too
        prepared = await prepare(world, warmup=warmup, model_dir=settings.model_dir, seed=seed)
        key = f"sim-retention-{uuid.uuid4().hex[:6]}"
        begin = ORIGIN - timedelta(days=1)
        await create_experiment(db=world.db, definition=definition(key), now=begin)
        await start_experiment(db=world.db, key=key, now=begin)
        questions = [q["id"] for q in world.document["questions"]]
        probes = recorded_test_items(world.sim, Probes.for_questions(world.sim, _in_units(world, plan)),
                                     questions, items=items)
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
    checks = aa_tests(users, repetitions=aa, metrics=(METRIC,), covariates={METRIC: COVARIATES[METRIC]})
    return {
        "key": key, "learners": learners, "plan": vars(plan) | {"units": list(plan.units)},
        "test_items_per_concept": items, "test_answers": len(probes),
        "model": prepared["model"], "warmup_attempts": prepared["warmup_attempts"],
        "srm_p_value": results.srm_p_value,
        "arms": {a.name: a.model_dump() for a in results.arms},
        "delayed_retention": {arm: rows[(METRIC, arm)] for arm in ("next", "mixer")},
        "winner": _winner(rows[(METRIC, "mixer")]),
        "winner_raw": _winner(rows[(METRIC, "mixer")], cuped=False),
        "power": power(users, lift=rows[(METRIC, "mixer")]["cuped_abs_lift"]),
        "aa": checks[METRIC],
        "aa_cuped": checks[f"{METRIC}_cuped"],
        "summary": results.summary,
    }


def power(users: pd.DataFrame, *, lift: float | None) -> dict[str, Any]:
    """The metric's s.d. between learners within an arm, raw and after CUPED, and the learners per arm
    a two-sided test at 0.05 needs for 80% power at the paired study's difference and at the lift seen."""
    raw = users[METRIC].astype(float)
    sd_raw = float((raw - raw.groupby(users["arm"]).transform("mean")).std())
    adjusted = stats.cuped_adjust(raw, users[COVARIATES[METRIC]])
    sd_cuped = None
    if adjusted is not None:
        sd_cuped = float((adjusted - adjusted.groupby(users["arm"]).transform("mean")).std())
    figures: dict[str, Any] = {"sd_raw": round(sd_raw, 4),
                               "sd_cuped": None if sd_cuped is None else round(sd_cuped, 4),
                               "learners_with_value": int(raw.notna().sum())}
    for name, diff in (("paired_diff", PAIRED_DIFF), ("observed_lift", lift)):
        if diff:
            figures[name] = {
                "diff": round(diff, 4),
                "per_arm_raw": stats.sample_size_per_arm(sd_raw, diff),
                "per_arm_cuped": None if sd_cuped is None else stats.sample_size_per_arm(sd_cuped, diff),
            }
    return figures


def _winner(row: dict[str, Any], *, cuped: bool = True) -> str:
    """The arm the A/B names on `delayed_retention` at p < 0.05 (CUPED's test if any), else "none"."""
    prefix = "cuped_" if cuped and row.get("cuped_p_value") is not None else ""
    p, lift = row.get(f"{prefix}p_value"), row.get(f"{prefix}abs_lift")
    if p is None or lift is None or p >= 0.05:
        return "none"
    return "mixer" if lift > 0 else "next"


def _in_units(world: World, plan: CoursePlan) -> list[str]:
    units = unit_questions(world.document)
    return sorted({q for u in plan.units for q in units[u]})


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
    sessions = schedule(plan, index, seed)
    pre_at = morning_of(sessions[0][0] - timedelta(days=1))
    await _test(world, student, user_id, "pre", probes, pre_at, rng)
    for start, size in sessions:
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
    # the first morning at least `delay_days` after the last session
    test_at = morning_of(at + timedelta(days=plan.delay_days + 1))
    await _test(world, student, user_id, "test", probes, test_at, rng)


async def _test(world: World, student: Student, user_id: str, name: str, items: list[str], at: datetime,
                rng: random.Random) -> None:
    """The test as real attempts `TEST_ANSWER_S` apart, at the learner's true P when it starts
    (a test does not teach the simulated learner)."""
    attempts = [
        AttemptIn(attempt_id=f"{user_id}-{name}-{k:03d}", user_id=user_id, question_id=q,
                  correct=world.sim.p_correct(student, q, at) > rng.random(),
                  time_spent_ms=TEST_ANSWER_S * 1000, at=at + timedelta(seconds=TEST_ANSWER_S * k))
        for k, q in enumerate(items)
    ]
    done = at + timedelta(seconds=TEST_ANSWER_S * len(attempts))
    await record_attempts(db=world.db, attempts=attempts, now=done, scheduler=world.scheduler)
