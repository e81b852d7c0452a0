"""The live fit's recency weighting and Newton step, exactly."""

from __future__ import annotations

import numpy as np
import pytest

from learner_graph.model import History, fit_student, predict, predict_rows
from learner_graph.model.live import newton, recency, sigmoid
from tests.model_fixtures import tiny_side

QUESTIONS = ["easy", "mid", "hard"]


def _history(pairs: list[tuple[str, int]]) -> History:
    return History.from_rows({"question_id": q, "correct": c, "at": i} for i, (q, c) in enumerate(pairs))


def test_recency_weighs_the_newest_attempt_most() -> None:
    assert recency(4, 1.0).tolist() == [0.125, 0.25, 0.5, 1.0]  # oldest first
    assert recency(3, 2.0) == pytest.approx([0.5, 0.5**0.5, 1.0])
    assert recency(0, 5.0).tolist() == []


def test_recent_answers_count_more_than_old_ones() -> None:
    side = tiny_side()
    improving = predict(side, _history([("mid", 0)] * 6 + [("mid", 1)] * 6), QUESTIONS)
    declining = predict(side, _history([("mid", 1)] * 6 + [("mid", 0)] * 6), QUESTIONS)
    assert np.all(improving > declining)  # same answers, the newest decide


def test_sigmoid_is_clipped() -> None:
    clipped = [0.5, 1 / (1 + np.exp(-30)), 1 / (1 + np.exp(30))]
    assert sigmoid(np.array([0.0, 1000.0, -1000.0])) == pytest.approx(clipped)


def test_newton_solves_a_one_parameter_fit() -> None:
    # One feature, prior N(0, 1), two answers: right with weight 1, wrong with weight 0.5.
    X = np.array([[1.0], [1.0]])
    phi, cov = newton(X, np.zeros(2), np.array([1.0, 0.0]), np.array([1.0, 0.5]), np.zeros(1),
                      np.eye(1), np.zeros(1), steps=25)
    p = sigmoid(phi[0])
    assert 1.0 * (p - 1) + 0.5 * p + phi[0] == pytest.approx(0.0, abs=1e-12)  # the MAP condition
    assert cov[0, 0] == pytest.approx(1 / (1.5 * p * (1 - p) + 1.0))


def test_the_fit_counts_wins_and_fails_per_concept() -> None:
    state = fit_student(tiny_side(), _history([("easy", 1), ("hard", 0), ("mid", 1)]))
    # easy: add; mid: mul; hard: add + mul
    assert state.wins.tolist() == [1.0, 1.0] and state.fails.tolist() == [1.0, 1.0]
    assert (state.total_wins, state.total_fails, state.n_attempts) == (2.0, 1.0, 3)


def test_predict_rows_equals_predict_by_id() -> None:
    side = tiny_side()
    history = _history([("mid", 1), ("hard", 0), ("easy", 1)])
    rows = np.array([2, 0])
    assert predict_rows(side, history, rows) == pytest.approx(predict(side, history, ["hard", "easy"]))
