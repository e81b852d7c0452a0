"""Learning outcomes: policies run over a course of weeks on the same simulated learners, in process.

Each policy serves questions through the engine's own functions (`inproc.Engine`); the learner
(`seed.forgetting.ForgettingSimulator`) answers, learns and forgets; `course` tests them before,
right after and some days after their practice.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import numpy as np

from learner_graph.recommendations.student import Student
from learner_graph.simulation.course import (
    TOO_EASY,
    TOO_HARD,
    Answer,
    CourseOutcome,
    CoursePlan,
    MasteryClock,
    Probes,
    schedule,
)
from learner_graph.simulation.inproc import Engine, new_learner
from seed.simulator import Simulator
from seed.simulator import Student as SimStudent

RECENT = 30  # the baselines skip the questions among a learner's last RECENT attempts

# The mixer's settings per policy (keys of `Overrides`); random and easiest are baselines.
ENGINE_POLICIES: dict[str, dict[str, Any]] = {
    "mixer": {},  # the shipped defaults
    "mixer-before": {"weight_next": 0.4, "weight_review": 0.3, "weight_streak": 0.3, "target_p": 0.5},
    "next": {"weight_next": 1.0, "weight_review": 0.0, "weight_streak": 0.0},
    "review-heavy": {"weight_next": 0.2, "weight_review": 0.7, "weight_streak": 0.1},
    # The tuning frontier's candidate (docs/BENCHMARKS.md, round 4): next items aimed a little above 0.5.
    "mixer-target-0.55": {"target_p": 0.55},
}
BASELINES = ("random", "easiest")


@dataclass(frozen=True)
class Offer:
    question_id: str
    kind: str
    p_predicted: float


class Policy(Protocol):
    def pick(self, engine: Engine, learner: Student, units: list[str], n: int, now: datetime,
             rng: random.Random) -> list[Offer]: ...


@dataclass
class EnginePolicy:
    """The engine's recommendation with these settings overridden (as an admin request or an arm would)."""

    overrides: dict[str, Any] = field(default_factory=dict)

    def pick(self, engine: Engine, learner: Student, units: list[str], n: int, now: datetime,
             rng: random.Random) -> list[Offer]:
        picks = engine.recommend(learner, units=units, n=n, seed=rng.randrange(2**31), now=now,
                                 overrides=self.overrides)
        return [Offer(p.question_id, p.kind, p.p_correct) for p in picks]


def _fresh(engine: Engine, learner: Student, rows: np.ndarray) -> np.ndarray:
    """Rows not among the learner's recent attempts nor rejected."""
    skip = {a["question_id"] for a in learner.attempts[:RECENT]} | learner.rejected
    ids = engine.catalog.table.ids
    return np.array([r for r in rows.tolist() if ids[r] not in skip], dtype=np.int64)


class RandomPolicy:
    """Questions drawn uniformly from the units."""

    def pick(self, engine: Engine, learner: Student, units: list[str], n: int, now: datetime,
             rng: random.Random) -> list[Offer]:
        pool = _fresh(engine, learner, engine.rows(units)).tolist()
        ids = engine.catalog.table.ids
        return [Offer(ids[r], "random", math.nan) for r in rng.sample(pool, min(n, len(pool)))]


class EasiestPolicy:
    """The questions the engine's own predictions call most likely right."""

    def pick(self, engine: Engine, learner: Student, units: list[str], n: int, now: datetime,
             rng: random.Random) -> list[Offer]:
        rows, p = engine.predict(learner, units, now)
        keep = np.isin(rows, _fresh(engine, learner, rows))
        order = np.argsort(-p[keep], kind="stable")[:n]
        ids = engine.catalog.table.ids
        chosen = zip(rows[keep][order].tolist(), p[keep][order].tolist(), strict=True)
        return [Offer(ids[r], "easiest", q) for r, q in chosen]


TEST_ANSWER_S = 30  # the A/B's tests: one answer every 30 s, from 08:00 (UTC, the learners' zone)
TEST_HOUR = 8


@dataclass(frozen=True)
class RouteTests:
    """The A/B's recorded tests (`retention_ab`) taken in process: `items` answered the morning before
    the first session and the first morning `delay_days` after the last; the delayed one is scored as
    the results route's `delayed_retention` reads it (accuracy of the answers). `record_pre`: the
    pre-test's answers reach the engine as attempts (review states, history), as the A/B records them.
    Neither test teaches the simulated learner."""

    items: tuple[str, ...]
    record_pre: bool = False


def recorded_test_items(sim: Simulator, probes: Probes, questions: list[str], *, items: int) -> list[str]:
    """Per concept of `probes`, the `items` single-concept questions nearest its probe's difficulty, in
    rounds: every concept once, then every concept again, so a concept's answers are apart."""
    per_concept = []
    for concept, difficulty in zip(probes.concepts, probes.difficulty, strict=True):
        options = [q for q in questions if sim.questions[q].concept_ids == [concept]]
        distance = {q: abs(sim.questions[q].difficulty - difficulty) for q in options}
        per_concept.append(sorted(options, key=lambda q: (distance[q], q))[:items])
    return [chosen[k] for k in range(items) for chosen in per_concept if k < len(chosen)]


def morning_of(day: datetime) -> datetime:
    return day.replace(hour=TEST_HOUR, minute=0, second=0, microsecond=0)


def _route_test(sim: Simulator, student: SimStudent, items: tuple[str, ...], at: datetime,
                rng: random.Random) -> tuple[list[bool], float]:
    """The answers to a recorded test starting at `at` (at the learner's true P then) and their
    expected accuracy (mean true P: the same metric without the answers' noise)."""
    p = [sim.p_correct(student, q, at) for q in items]
    return [q > rng.random() for q in p], sum(p) / len(p)


def make_policy(name: str, tuned: dict[str, Any] | None = None) -> Policy:
    """`mixer`, `next`, `review-heavy`, `mixer-tuned` (with `tuned` settings), `random`, `easiest`."""
    if name in ENGINE_POLICIES:
        return EnginePolicy(ENGINE_POLICIES[name])
    if name == "mixer-tuned":
        return EnginePolicy(dict(tuned or {}))
    if name == "random":
        return RandomPolicy()
    if name == "easiest":
        return EasiestPolicy()
    raise ValueError(f"unknown policy {name!r}")


def run_learner(engine: Engine, sim: Simulator, probes: Probes, policy: Policy, *, plan: CoursePlan,
                index: int, seed: int, tests: RouteTests | None = None) -> CourseOutcome:
    """One learner's whole course under `policy`: pre-test, sessions, immediate and delayed post-tests
    (and with `tests`, the A/B's recorded tests too: `CourseOutcome.route`)."""
    sessions = schedule(plan, index, seed)
    student = sim.new_student(f"learner-{seed}-{index:05d}")
    learner = new_learner(student.user_id)
    rng = random.Random(f"{seed}:answers:{index}")
    test_rng = random.Random(f"{seed}:tests:{index}")  # apart: recording a test moves no practice draw
    first = sessions[0][0]
    outcome = CourseOutcome(student.user_id, pre_test=probes.score(sim, student, first))
    if tests is not None:
        pre_at = morning_of(first - timedelta(days=1))
        answers, expected = _route_test(sim, student, tests.items, pre_at, test_rng)
        outcome.route = {"pre_accuracy": sum(answers) / len(answers), "pre_expected": expected}
        recorded = enumerate(zip(tests.items, answers, strict=True)) if tests.record_pre else ()
        for k, (question_id, correct) in recorded:
            engine.record(learner, question_id=question_id, correct=correct,
                          at=pre_at + timedelta(seconds=TEST_ANSWER_S * k), time_ms=TEST_ANSWER_S * 1000)
    clock = MasteryClock(probes, sim, student, first)
    outcome.initially_mastered = clock.initially
    units = list(plan.units)
    at = first
    for start, size in sessions:
        at, done = start, 0
        while done < size:
            offers = policy.pick(engine, learner, units, min(plan.n, size - done), at, rng)
            if not offers:
                break
            for offer in offers:
                outcome.served += 1
                p_true = sim.p_correct(student, offer.question_id, at)
                if p_true > TOO_EASY or p_true < TOO_HARD:
                    outcome.dismissed += 1
                    reason = "too_easy" if p_true > TOO_EASY else "too_hard"
                    engine.dismiss(learner, offer.question_id, reason, offer.kind)
                    continue
                spent = _answer(engine, sim, student, learner, offer, p_true, at, rng, outcome)
                clock.check(student, offer.question_id, at, outcome)
                at += timedelta(seconds=spent + rng.uniform(2.0, 20.0))
                done += 1
    outcome.immediate = probes.score(sim, student, at)
    outcome.delayed = probes.score(sim, student, at + timedelta(days=plan.delay_days))
    if tests is not None:
        answers, expected = _route_test(sim, student, tests.items,
                                        morning_of(at + timedelta(days=plan.delay_days + 1)), test_rng)
        outcome.route |= {"delayed_accuracy": sum(answers) / len(answers), "delayed_expected": expected}
    return outcome


def _answer(engine: Engine, sim: Simulator, student: SimStudent, learner: Student, offer: Offer,
            p_true: float, at: datetime, rng: random.Random, outcome: CourseOutcome) -> float:
    """The learner answers (and learns); the engine records it. Returns the seconds it took."""
    correct = sim.answer(student, offer.question_id, at)
    difficulty = sim.questions[offer.question_id].difficulty
    # harder questions take longer, and wrong answers longer still (as in seed/histories.py)
    spent = 25.0 * math.exp(0.25 * difficulty + rng.gauss(0.0, 0.4)) * (1.0 if correct else 1.3)
    outcome.concepts_practised.update(sim.questions[offer.question_id].concept_ids)
    history = len(learner.attempts)
    outcome.answers.append(Answer(offer.question_id, offer.kind, p_true, offer.p_predicted, correct, history))
    engine.record(learner, question_id=offer.question_id, correct=correct, at=at, time_ms=int(spent * 1000),
                  served=offer.kind == "next")
    outcome.practice_s += spent
    return spent


def run_cohort(engine: Engine, sim: Simulator, probes: Probes, policy: Policy, *, plan: CoursePlan,
               learners: int, seed: int, tests: RouteTests | None = None) -> list[CourseOutcome]:
    """The same `learners` hidden learners (and days) for every policy: outcomes pair by position."""
    return [run_learner(engine, sim, probes, policy, plan=plan, index=i, seed=seed, tests=tests)
            for i in range(learners)]
