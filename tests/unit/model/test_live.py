"""The live fit's recency weighting, Newton step and logit, exactly."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from learner_graph.model import History, fit_student, predict, predict_rows
from learner_graph.model.live import (
    ItemRows,
    StudentState,
    calibrate,
    history_offsets,
    logits,
    logits_at,
    newton,
    recency,
    sigmoid,
)
from learner_graph.model.side import QuestionSide
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


def test_predict_rows_carries_the_served_calibration() -> None:
    # Band offsets and the slope on unshown depth (mul requires add; only mul was answered, so
    # mul and hard are a level short): the rows, kept or not, are predicted as by id.
    side = replace(tiny_side(), served=((0, -0.7), (2, 0.4)), served_slope=-0.3, prerequisites=((), (0,)))
    for answers in ([("mid", 1)], [("mid", 1), ("mid", 0), ("mid", 1)]):
        history = _history(answers)
        rows = np.array([2, 0, 1])
        by_id = predict(side, history, ["hard", "easy", "mid"])
        assert by_id != pytest.approx(predict(tiny_side(), history, ["hard", "easy", "mid"]))
        assert predict_rows(side, history, rows) == pytest.approx(by_id)
        assert predict_rows(side, history, rows, ItemRows.of(side, rows)) == pytest.approx(by_id)


def test_logits_over_kept_item_rows_are_the_same_values_bit_for_bit() -> None:
    s = varied_side()
    state = StudentState(phi=np.array([0.3, -0.2, 0.5]), cov=np.eye(3), n_attempts=7,
                         wins=np.array([2.0, 1.0]), fails=np.array([1.0, 3.0]),
                         total_wins=3.0, total_fails=4.0)
    for q in (np.array([2, 0]), np.array([0, 1, 2]), np.array([1]), np.array([], dtype=np.int64)):
        assert logits_at(s, state, ItemRows.of(s, q)).tolist() == logits(s, state, q).tolist()
    history = _history([("mid", 1), ("hard", 0), ("easy", 1)])
    rows = np.array([2, 0, 1])
    kept = predict_rows(s, history, rows, ItemRows.of(s, rows))
    assert kept.tolist() == predict_rows(s, history, rows).tolist()


def varied_side() -> QuestionSide:
    """tiny_side with every concept and total parameter different, so no sign can hide."""
    return replace(
        tiny_side(), concept_bias=np.array([0.2, -0.3]), concept_win=np.array([0.3, 0.1]),
        concept_fail=np.array([-0.2, -0.4]), total_win=0.05, total_fail=-0.07, calibration=(1.2, 0.3),
    )


def test_logits_are_bias_student_concepts_and_totals() -> None:
    s = varied_side()
    state = StudentState(phi=np.array([0.3, -0.2, 0.5]), cov=np.eye(3), n_attempts=7,
                         wins=np.array([2.0, 1.0]), fails=np.array([1.0, 3.0]),
                         total_wins=3.0, total_fails=4.0)
    add = 0.2 + 0.3 * np.log1p(2.0) - 0.2 * np.log1p(1.0)
    mul = -0.3 + 0.1 * np.log1p(1.0) - 0.4 * np.log1p(3.0)
    total = 0.05 * np.log1p(3.0) - 0.07 * np.log1p(4.0)
    expected = [
        1.0 + 0.5 * 0.3 + 0.5 + add + total,  # easy: vector (0.5, 0), concept add
        0.0 + 0.5 * -0.2 + 0.5 + mul + total,  # mid: (0, 0.5), mul
        -1.0 + 0.5 * 0.3 + 0.5 * -0.2 + 0.5 + add + mul + total,  # hard: both
    ]
    z = logits(s, state, np.array([0, 1, 2]))
    assert z.tolist() == pytest.approx(expected)
    assert calibrate(s, z).tolist() == pytest.approx(sigmoid(1.2 * np.array(expected) + 0.3).tolist())


def test_each_history_offset_is_the_logit_of_a_neutral_student_with_the_counts_before_it() -> None:
    s = varied_side()
    q = np.array([0, 2, 1, 2, 0])
    correct = np.array([True, False, True, True, False])
    offsets = history_offsets(s, q, correct)
    wins, fails = np.zeros(2), np.zeros(2)
    concepts = {0: [0], 1: [1], 2: [0, 1]}
    for i, (row, right) in enumerate(zip(q.tolist(), correct.tolist(), strict=True)):
        neutral = StudentState(np.zeros(3), np.eye(3), i, wins.copy(), fails.copy(),
                               float(correct[:i].sum()), float(i - correct[:i].sum()))
        assert offsets[i] == pytest.approx(logits(s, neutral, np.array([row]))[0]), i
        for c in concepts[row]:
            (wins if right else fails)[c] += 1


def test_the_fit_is_the_map_estimate_under_the_prior() -> None:
    # A prior mean away from zero: at the estimate the likelihood's gradient balances the pull
    # back toward that mean.
    s = replace(varied_side(), prior_mean=np.array([0.4, -0.4, 0.2]))
    assert fit_student(s, History.from_rows([])).phi.tolist() == [0.4, -0.4, 0.2]
    rows = [{"question_id": q, "correct": c} for q, c in [("easy", True), ("hard", False), ("mid", True)]]
    state = fit_student(s, History.from_rows(rows), steps=8)
    q = np.array([0, 2, 1])
    y = np.array([1.0, 0.0, 1.0])
    X = np.hstack([s.vectors[q], np.ones((3, 1))])
    p = sigmoid(history_offsets(s, q, y.astype(bool)) + X @ state.phi)
    weight = np.power(0.5, np.array([2, 1, 0]) / s.half_life)
    gradient = X.T @ (weight * (p - y)) + s.prior_precision @ (state.phi - s.prior_mean)
    assert np.abs(gradient).max() < 1e-9
    # Without a step the covariance is the prior's.
    unmoved = fit_student(s, History.from_rows(rows), steps=0)
    assert unmoved.cov.ravel().tolist() == pytest.approx(np.eye(3).ravel().tolist())


def test_sigmoid_clips_the_logit_at_30() -> None:
    clipped = [1.0 / (1.0 + np.exp(-30.0)), 1.0 / (1.0 + np.exp(30.0))]
    assert sigmoid(np.array([40.0, -40.0])).tolist() == clipped


def test_predictions_after_a_long_run_of_right_answers_exactly() -> None:
    # Twenty right answers on the hard question pull the student far from the prior, where the
    # live fit's few Newton steps have not yet converged: a change to the fit shows here.
    history = _history([("hard", 1)] * 20)
    got = predict(varied_side(), history, QUESTIONS)
    expected = [0.9936899449052529, 0.9261223111084788, 0.955754178036324]
    assert got.tolist() == pytest.approx(expected, rel=1e-9)
