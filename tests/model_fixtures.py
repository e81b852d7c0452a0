"""A small logistic generator of attempts (known question difficulties) and tiny question sides."""

from __future__ import annotations

import numpy as np

from learner_graph.model.data import AttemptLog
from learner_graph.model.side import QuestionSide


def simulate(n_students: int = 200, n_questions: int = 40, per_student: int = 30, n_concepts: int = 4,
             seed: int = 0) -> tuple[AttemptLog, dict[str, float]]:
    """Students with ability ~ N(0, 1) answer random questions: P = sigmoid(ability - difficulty)."""
    rng = np.random.default_rng(seed)
    difficulty = rng.normal(0, 1.2, n_questions)
    ability = rng.normal(0, 1, n_students)
    users = np.repeat(np.arange(n_students), per_student)
    questions = rng.integers(0, n_questions, len(users))
    p = 1 / (1 + np.exp(-(ability[users] - difficulty[questions])))
    correct = (rng.random(len(users)) < p).astype(np.int8)
    qids = np.array([f"q{q:04d}" for q in range(n_questions)], dtype=object)
    log = AttemptLog(
        users=np.array([f"u{u:05d}" for u in users], dtype=object), questions=qids[questions],
        correct=correct, at=np.tile(np.arange(per_student, dtype=np.float64), n_students),
        split=np.array([""] * len(users), dtype=object),
        concepts={q: [(f"c{i % n_concepts}", 1.0)] for i, q in enumerate(qids)},
    )
    return log, {q: float(d) for q, d in zip(qids, difficulty, strict=True)}


TEXTS = ["add two small numbers", "multiply two numbers", "add and multiply fractions"]


def tiny_side(*, model_id: str = "m-tiny", texts: bool = True) -> QuestionSide:
    """Three questions on two concepts, dimension 2, with hand-set parameters."""
    return QuestionSide(
        model_id=model_id, question_ids=["easy", "mid", "hard"],
        bias=np.array([1.0, 0.0, -1.0]), vectors=np.array([[0.5, 0.0], [0.0, 0.5], [0.5, 0.5]]),
        concept_ids=["add", "mul"], concept_ptr=np.array([0, 1, 2, 4]), concept_idx=np.array([0, 1, 0, 1]),
        concept_w=np.array([1.0, 1.0, 1.0, 1.0]), concept_bias=np.array([0.2, -0.2]),
        concept_win=np.array([0.1, 0.1]), concept_fail=np.array([-0.1, -0.1]), total_win=0.05,
        total_fail=-0.05, prior_mean=np.zeros(3), prior_cov=np.eye(3), calibration=(1.0, 0.0),
        half_life=10.0, window=50, tag_bias={1: 0.8, 5: -0.8},
        texts=TEXTS if texts else [],
    )
