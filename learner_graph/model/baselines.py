"""Baselines scored in the same run: item difficulty only, and item difficulty with online Elo."""

from __future__ import annotations

import numpy as np

from learner_graph.model.data import AttemptLog

SMOOTHING = 5.0  # pseudo-attempts at the global rate for the item success rate


def item_rates(train: AttemptLog) -> tuple[dict[str, float], float]:
    """Smoothed success rate of each training question, and the global rate."""
    overall = float(train.correct.mean())
    questions, inverse = np.unique(train.questions, return_inverse=True)
    n = np.bincount(inverse)
    wins = np.bincount(inverse, weights=train.correct)
    rates = (wins + SMOOTHING * overall) / (n + SMOOTHING)
    return dict(zip(questions.tolist(), rates.tolist(), strict=True)), overall


def item_only(train: AttemptLog, test: AttemptLog) -> np.ndarray:
    """P(correct) = the question's training success rate (the global rate for unknown questions)."""
    rates, overall = item_rates(train)
    return np.array([rates.get(q, overall) for q in test.questions])


def item_elo(train: AttemptLog, test: AttemptLog, *, k: float = 0.4, decay: float = 0.05) -> np.ndarray:
    """Item difficulty from training plus an online Elo ability per test student, updated after each row.

    The step size shrinks with the student's count of attempts: `k / (1 + decay * n)`.
    """
    rates, overall = item_rates(train)
    difficulty = {q: -np.log(r / (1 - r)) for q, r in rates.items()}
    unknown = -np.log(overall / (1 - overall))
    p = np.empty(len(test))
    ability: dict[str, float] = {}
    seen: dict[str, int] = {}
    for i, (user, question, correct) in enumerate(zip(test.users, test.questions, test.correct, strict=True)):
        theta, n = ability.get(user, 0.0), seen.get(user, 0)
        p[i] = 1 / (1 + np.exp(difficulty.get(question, unknown) - theta))
        ability[user] = theta + k / (1 + decay * n) * (correct - p[i])
        seen[user] = n + 1
    return p
