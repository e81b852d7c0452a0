"""Simulated students with a latent skill per concept: the ground truth recommendation tests check against.

Skill lives on a logit scale. P(correct) = guess + (1 - guess - slip) · σ(Σ w_c · skill_c - difficulty).
Practice raises skill, by more when the concept's prerequisites are known (their skill above a
threshold) and when the question is a challenge: the gain scales with
`challenge_floor + (1 - challenge_floor) · 4·s·(1 - s)`, where s = σ(Σ w_c · skill_c - difficulty)
is the student's success probability without guessing and slipping. That factor is 1 for a
question at the student's level (s = 0.5), 0.46 at s = 0.9 and falls to the floor far from it:
questions far too easy teach little (desirable difficulty), and so do questions far too hard,
while easy practice still consolidates a little. What was learned decays towards the starting
skill between practices, more slowly the more often the concept was practised.

Plain Python floats: per-attempt work touches only a question's one or two concepts and their
prerequisites, which is faster than numpy on tiny arrays.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from seed.ordering import depths, topological_order

DAY_S = 86400.0


@dataclass(frozen=True)
class SimParams:
    """The knobs of the student model; curriculum-walk histories succeed about 0.6 of the time with these."""

    tag_step: float = 0.9  # logit difficulty between neighbouring difficulty tags
    difficulty_jitter: float = 0.35  # per-question deviation from its tag (hidden from the content team)
    easiest_prior: float = 1.5  # starting skill of an average student on a root concept
    hardest_prior: float = -2.0  # ... and on the deepest concept of the prerequisite DAG
    learn_rate: float = 0.2  # skill gained by one attempt when ready, on a question at the student's level
    challenge_floor: float = 0.15  # share of that gain left for a question far too easy (or too hard)
    unready_share: float = 0.3  # share of that gain when no prerequisite is known
    known_threshold: float = 0.0  # a prerequisite is known when its skill is above this
    forget_share: float = 0.5  # share of learned skill that is eventually forgotten without practice
    forget_days: float = 10.0  # time constant of forgetting after one practice; grows with repetitions
    guess: float = 0.05
    slip: float = 0.05


@dataclass
class QuestionParams:
    """A question as the simulator sees it: its concepts, their weights, and its true difficulty."""

    question_id: str
    concept_ids: list[str]
    weights: list[float]
    difficulty: float
    concept_index: tuple[int, ...] = field(default=(), repr=False)


@dataclass
class Student:
    """A simulated student's hidden state; lists are indexed like `Simulator.concept_order`."""

    user_id: str
    ability: float
    learn_rate: float
    base: list[float]  # skill before any practice; forgetting never goes below it
    skill: list[float]  # skill right after the last practice of each concept
    last: list[float]  # time of that practice (epoch seconds), -1 when never practised
    reps: list[int]
    rng: random.Random = field(repr=False)
    # seed.forgetting's memory per concept index: (time, decay) traces and the skill learned
    traces: dict[int, list[tuple[float, float]]] = field(default_factory=dict, repr=False)
    learned: dict[int, float] = field(default_factory=dict, repr=False)


class Simulator:
    """Students answering the questions of one content document, under `SimParams`."""

    def __init__(self, document: dict[str, Any], *, seed: int, params: SimParams | None = None) -> None:
        self.seed = seed
        self.params = params or SimParams()
        requires = {c["id"]: list(c.get("requires", [])) for c in document["concepts"]}
        self.concept_order: list[str] = topological_order(requires)
        self.index = {concept: i for i, concept in enumerate(self.concept_order)}
        self.prerequisites = [tuple(self.index[p] for p in requires[c]) for c in self.concept_order]
        depth = depths(requires)
        deepest = max(depth.values()) or 1
        p = self.params
        self.prior = [
            p.easiest_prior + (p.hardest_prior - p.easiest_prior) * depth[c] / deepest
            for c in self.concept_order
        ]
        rng = random.Random(f"{seed}:difficulty")
        self.questions: dict[str, QuestionParams] = {}
        for q in sorted(document["questions"], key=lambda q: q["id"]):
            ids = [c["id"] for c in q["concepts"]]
            difficulty = (q["difficulty_tag"] - 3) * p.tag_step + rng.gauss(0.0, p.difficulty_jitter)
            self.questions[q["id"]] = QuestionParams(
                q["id"],
                ids,
                [float(c["weight"]) for c in q["concepts"]],
                difficulty,
                tuple(self.index[i] for i in ids),
            )

    def new_student(self, user_id: str, *, ability: float | None = None) -> Student:
        """A student whose starting skills follow their ability and the depth of each concept."""
        rng = random.Random(f"{self.seed}:student:{user_id}")
        theta = rng.gauss(0.0, 1.0) if ability is None else ability
        base = [theta + prior + rng.gauss(0.0, 0.5) for prior in self.prior]
        rate = self.params.learn_rate * math.exp(0.25 * theta + rng.gauss(0.0, 0.2))
        n = len(base)
        return Student(user_id, theta, rate, base, list(base), [-1.0] * n, [0] * n, rng)

    def p_correct(self, student: Student, question_id: str, at: datetime) -> float:
        """The true probability that `student` answers correctly at `at`, forgetting included."""
        return self._p(student, self.questions[question_id], at.timestamp())

    def answer(self, student: Student, question_id: str, at: datetime) -> bool:
        """Sample an answer, then let the student learn from the attempt."""
        question = self.questions[question_id]
        ts = at.timestamp()
        s = self._s(student, question, ts)
        correct = student.rng.random() < self._with_guess_and_slip(s)
        challenge = self.params.challenge_floor + (1.0 - self.params.challenge_floor) * 4.0 * s * (1.0 - s)
        for concept, weight in zip(question.concept_index, question.weights, strict=True):
            self._practise(student, concept, weight * challenge, correct, ts)
        return correct

    def typical_difficulty(self, question_id: str) -> float:
        """The question's difficulty against an average new student's skills (what a Rasch fit estimates)."""
        q = self.questions[question_id]
        return q.difficulty - sum(w * self.prior[c] for c, w in zip(q.concept_index, q.weights, strict=True))

    def true_skill(self, student: Student, concept_id: str, at: datetime) -> float:
        """The student's current skill on a concept (logit scale), forgetting included."""
        return self._skill(student, self.index[concept_id], at.timestamp())

    def mean_skill(self, student: Student, at: datetime) -> float:
        """The student's average current skill over all concepts."""
        ts = at.timestamp()
        return sum(self._skill(student, c, ts) for c in range(len(self.concept_order))) / len(
            self.concept_order
        )

    def _p(self, student: Student, question: QuestionParams, ts: float) -> float:
        return self._with_guess_and_slip(self._s(student, question, ts))

    def _s(self, student: Student, question: QuestionParams, ts: float) -> float:
        """P(correct) without guessing and slipping: σ(Σ w_c · skill_c - difficulty)."""
        theta = sum(
            w * self._skill(student, c, ts)
            for c, w in zip(question.concept_index, question.weights, strict=True)
        )
        return 1.0 / (1.0 + math.exp(question.difficulty - theta))

    def _with_guess_and_slip(self, s: float) -> float:
        return self.params.guess + (1.0 - self.params.guess - self.params.slip) * s

    def _skill(self, student: Student, concept: int, ts: float) -> float:
        skill, last = student.skill[concept], student.last[concept]
        learned = skill - student.base[concept]
        if last < 0 or learned <= 0:
            return skill
        tau = self.params.forget_days * DAY_S * (1.0 + 0.5 * student.reps[concept])
        return skill - learned * self.params.forget_share * (1.0 - math.exp(-max(ts - last, 0.0) / tau))

    def _practise(self, student: Student, concept: int, weight: float, correct: bool, ts: float) -> None:
        """Consolidate forgetting up to now, then add a gain that shrinks as the skill nears mastery.

        `weight` is the concept's weight in the question times the question's challenge factor.
        """
        p = self.params
        current = self._skill(student, concept, ts)
        prereqs = self.prerequisites[concept]
        known = sum(1 for c in prereqs if self._skill(student, c, ts) > p.known_threshold)
        readiness = 1.0 if not prereqs else p.unready_share + (1.0 - p.unready_share) * known / len(prereqs)
        headroom = 1.0 / (1.0 + math.exp(current - 3.0))
        gain = student.learn_rate * weight * readiness * headroom * (1.0 if correct else 0.6)
        student.skill[concept] = current + gain
        student.last[concept] = ts
        student.reps[concept] += 1
