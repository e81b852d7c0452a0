"""A course of practice over weeks for one simulated learner, with a pre-test and a delayed post-test.

The learner practises in sessions on distinct days (by default 20 sessions over 30 days), each
session a number of questions drawn from a log-normal distribution, asking a policy for `n`
questions at a time. Before the first session, right after the last one, and `delay_days` later,
the learner takes a test on every concept of the course: the *true* probability (simulator) of
answering that concept's fixed probe item, averaged over concepts. No attempt is recorded for a
test: it measures, it does not teach.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from seed.simulator import Simulator, Student

TOO_EASY = 0.93  # the learner dismisses a question they are this sure to get right (P lies in [0.05, 0.95])
TOO_HARD = 0.08  # ... or this sure to get wrong
MASTERY_P = 0.8  # a concept is mastered once its probe item would be answered right this often
ORIGIN = datetime(2025, 3, 3, tzinfo=UTC)


@dataclass(frozen=True)
class CoursePlan:
    """The shape of every learner's practice; the same plan and seed give every policy the same days."""

    sessions: int = 20
    days: int = 30
    median_items: float = 12.0  # per session: log-normal around this median ...
    spread: float = 0.5  # ... with this sigma of its log, clipped to [min_items, max_items]
    min_items: int = 4
    max_items: int = 40
    n: int = 5  # questions per request
    delay_days: float = 7.0  # the delayed post-test, after the last session
    units: tuple[str, ...] = ("math",)


def schedule(plan: CoursePlan, index: int, seed: int) -> list[tuple[datetime, int]]:
    """(start, questions) of each session of learner `index`: distinct days, afternoon or evening."""
    rng = random.Random(f"{seed}:course:{index}")
    days = sorted(rng.sample(range(plan.days), plan.sessions))
    sessions = []
    for day in days:
        size = round(plan.median_items * math.exp(rng.gauss(0.0, plan.spread)))
        start = ORIGIN + timedelta(days=day, hours=rng.uniform(15.0, 21.0))
        sessions.append((start, max(plan.min_items, min(plan.max_items, size))))
    return sessions


@dataclass(frozen=True)
class Probes:
    """A fixed probe item per concept of the course: the concept alone, at its median question difficulty."""

    concepts: tuple[str, ...]
    difficulty: tuple[float, ...]

    @classmethod
    def for_questions(cls, sim: Simulator, question_ids: list[str]) -> Probes:
        by_concept: dict[str, list[float]] = {}
        for q in question_ids:
            params = sim.questions[q]
            for concept in params.concept_ids:
                by_concept.setdefault(concept, []).append(params.difficulty)
        concepts = tuple(sorted(by_concept))
        return cls(concepts, tuple(median(by_concept[c]) for c in concepts))

    def p(self, sim: Simulator, student: Student, k: int, at: datetime) -> float:
        """True P(correct) of probe `k` now: guess + (1 - guess - slip) · σ(skill - difficulty)."""
        skill = sim.true_skill(student, self.concepts[k], at)
        s = 1.0 / (1.0 + math.exp(self.difficulty[k] - skill))
        return sim.params.guess + (1.0 - sim.params.guess - sim.params.slip) * s

    def score(self, sim: Simulator, student: Student, at: datetime) -> float:
        """The test score: mean probe P over every concept of the course."""
        return sum(self.p(sim, student, k, at) for k in range(len(self.concepts))) / len(self.concepts)


@dataclass
class Answer:
    question_id: str
    kind: str
    p_true: float
    p_predicted: float
    correct: bool
    history: int  # the learner's attempts before this one


@dataclass
class CourseOutcome:
    """One learner under one policy: test scores (truth), answers, review load, practice time, mastery."""

    user_id: str
    pre_test: float = 0.0
    immediate: float = 0.0
    delayed: float = 0.0
    served: int = 0
    dismissed: int = 0
    practice_s: float = 0.0
    answers: list[Answer] = field(default_factory=list)
    mastery_minutes: dict[str, float] = field(default_factory=dict)  # concept -> practice minutes to mastery
    initially_mastered: int = 0
    concepts_practised: set[str] = field(default_factory=set)
    route: dict[str, float] = field(default_factory=dict)  # the A/B's tests, when taken (outcomes.RouteTests)

    @property
    def gain(self) -> float:
        """Delayed post-test minus pre-test."""
        return self.delayed - self.pre_test

    @property
    def immediate_gain(self) -> float:
        return self.immediate - self.pre_test

    def summary(self) -> dict[str, Any]:
        kinds = [a.kind for a in self.answers]
        return {
            "gain": self.gain, "immediate_gain": self.immediate_gain, "attempts": len(self.answers),
            "success": sum(a.correct for a in self.answers) / max(len(self.answers), 1),
            "review_share": kinds.count("review") / max(len(kinds), 1),
            "practice_min": self.practice_s / 60.0, "mastered": len(self.mastery_minutes),
            "concepts_practised": len(self.concepts_practised),
        }


class MasteryClock:
    """Practice minutes until each concept's probe first reaches `MASTERY_P` (ones already there excluded)."""

    def __init__(self, probes: Probes, sim: Simulator, student: Student, at: datetime) -> None:
        self.probes, self.sim = probes, sim
        self.position = {c: k for k, c in enumerate(probes.concepts)}
        self.done = {c for k, c in enumerate(probes.concepts) if probes.p(sim, student, k, at) >= MASTERY_P}
        self.initially = len(self.done)

    def check(self, student: Student, question_id: str, at: datetime, outcome: CourseOutcome) -> None:
        for concept in self.sim.questions[question_id].concept_ids:
            k = self.position.get(concept)
            if k is None or concept in self.done:
                continue
            if self.probes.p(self.sim, student, k, at) >= MASTERY_P:
                self.done.add(concept)
                outcome.mastery_minutes[concept] = outcome.practice_s / 60.0
