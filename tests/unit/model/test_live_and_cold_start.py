"""The live fit and cold start on a hand-set question side."""

from __future__ import annotations

import json

import numpy as np
import pytest

from learner_graph.model import History, QuestionSide, fit_student, predict, predict_with_state
from learner_graph.model.coldstart import cold_question
from learner_graph.model.live import sigmoid
from tests.model_fixtures import tiny_side

QUESTIONS = ["easy", "mid", "hard"]


def _history(pairs: list[tuple[str, int]]) -> History:
    return History.from_rows({"question_id": q, "correct": c, "at": i} for i, (q, c) in enumerate(pairs))


def test_a_new_student_gets_the_population_prior() -> None:
    side = tiny_side()
    p = predict(side, History.empty(), QUESTIONS)
    # Prior mean 0: the logit is the question bias plus its concept biases with zero counts.
    assert p == pytest.approx(sigmoid(np.array([1.0 + 0.2, 0.0 - 0.2, -1.0 + 0.0])))
    assert fit_student(side, History.empty()).n_attempts == 0


def test_correct_answers_raise_and_wrong_answers_lower_the_next_prediction() -> None:
    side = tiny_side()
    before = predict(side, History.empty(), QUESTIONS)
    right = predict(side, _history([("mid", 1), ("hard", 1), ("mid", 1)]), QUESTIONS)
    wrong = predict(side, _history([("mid", 0), ("hard", 0), ("mid", 0)]), QUESTIONS)
    assert np.all(right > before)
    assert np.all(wrong < before)
    one_more = predict(side, _history([("mid", 1), ("hard", 1), ("mid", 1), ("hard", 0)]), QUESTIONS)
    assert np.all(one_more < right)


def test_posterior_variance_shrinks_with_attempts() -> None:
    side = tiny_side()
    few = fit_student(side, _history([("mid", 1)]))
    many = fit_student(side, _history([("mid", 1), ("hard", 0)] * 10))
    assert many.n_attempts == 20
    assert many.variance < few.variance < fit_student(side, History.empty()).variance
    p, state = predict_with_state(side, _history([("mid", 1), ("hard", 0)] * 10), QUESTIONS)
    assert state.variance == pytest.approx(many.variance)
    assert p == pytest.approx(predict(side, _history([("mid", 1), ("hard", 0)] * 10), QUESTIONS))


def test_a_new_question_borrows_from_its_concepts_text_and_tag() -> None:
    side = tiny_side()
    vector, bias, concepts = cold_question(side, {"concept_ids": ["mul"], "text": "", "difficulty_tag": None})
    # Only "mid" and "hard" assess "mul": their mean vector and bias.
    assert vector == pytest.approx([0.25, 0.5])
    assert bias == pytest.approx(-0.5)
    assert concepts == [(1, 1.0)]
    meta = {"concept_ids": [], "text": "add two small numbers", "difficulty_tag": 5}
    vector, bias, _ = cold_question(side, meta)
    assert vector[0] > vector[1]  # nearest by text is "easy", vector (0.5, 0)
    assert bias < 1.0  # pulled down by the hardest tag


def test_predict_scores_unknown_questions_with_a_cold_start_vector() -> None:
    side = tiny_side()
    meta = {"new": {"concept_ids": ["add"], "text": "add two numbers", "difficulty_tag": 1}}
    p = predict(side, _history([("easy", 1)]), ["easy", "new", "nothing-known"], question_meta=meta)
    assert p.shape == (3,)
    assert np.all((p > 0) & (p < 1))
    assert p[1] != pytest.approx(p[2])


def test_question_side_round_trips_through_json() -> None:
    side = tiny_side()
    again = QuestionSide.from_dict(json.loads(json.dumps(side.to_dict())))
    history = _history([("mid", 1), ("hard", 0)])
    assert again.question_ids == side.question_ids
    assert again.tag_bias == side.tag_bias
    assert predict(again, history, QUESTIONS) == pytest.approx(predict(side, history, QUESTIONS), abs=1e-6)
    with pytest.raises(ValueError, match="format"):
        QuestionSide.from_dict({"format": "other"})
