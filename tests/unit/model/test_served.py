"""The served calibration: one logit offset per history band, fitted on served items and their answers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from learner_graph.model import History, predict
from learner_graph.model.live import sigmoid
from learner_graph.model.served import EDGES, DepthPlan, band, fit_offsets, offset, unshown_depth
from learner_graph.model.side import QuestionSide
from tests.model_fixtures import tiny_side

QUESTIONS = ["easy", "mid", "hard"]


def _history(n: int) -> History:
    return History.from_rows({"question_id": "mid", "correct": i % 2, "at": i} for i in range(n))


def test_bands_by_attempts_before_the_item() -> None:
    bands = [band(EDGES, a) for a in (0, 9, 10, 49, 50, 99, 100, 199, 200, 5000)]
    assert bands == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    offsets = ((0, -0.5), (10, 0.0), (50, 0.1), (100, 0.2), (200, 0.3))
    assert [offset(offsets, a) for a in (0, 9, 10, 60, 150, 999)] == [-0.5, -0.5, 0.0, 0.1, 0.2, 0.3]
    assert offset((), 12) == 0.0  # no served calibration: no offset


def test_the_fit_recovers_each_bands_miscalibration() -> None:
    """Served items predicted at P but truly at sigmoid(logit P + shift): the fit finds each band's shift."""
    rng = np.random.default_rng(3)
    shifts = {0: -0.6, 10: -0.2, 50: 0.0, 100: 0.3, 200: 0.5}
    attempts = rng.choice([0, 5, 20, 70, 150, 400], size=60_000)
    z = rng.normal(0.0, 0.8, size=len(attempts))
    truth = z + np.array([shifts[EDGES[band(EDGES, a)]] for a in attempts])
    correct = rng.random(len(z)) < sigmoid(truth)
    fitted = dict(fit_offsets(sigmoid(z), correct, attempts)[0])
    assert fitted == pytest.approx(shifts, abs=0.06)


def test_a_refit_starts_from_the_offsets_the_served_predictions_carried() -> None:
    """Items served with last fit's offsets that now succeed as predicted keep those offsets; a band
    with no answers keeps its offset too."""
    rng = np.random.default_rng(4)
    start = ((0, -0.4), (10, 0.0), (50, 0.0), (100, 0.2), (200, 0.2))
    attempts = rng.choice([3, 120], size=40_000)
    p = sigmoid(rng.normal(0.0, 0.8, size=len(attempts)))  # as served, offsets included
    correct = rng.random(len(p)) < p
    refit = dict(fit_offsets(p, correct, attempts, start=start)[0])
    assert refit[0] == pytest.approx(-0.4, abs=0.05) and refit[100] == pytest.approx(0.2, abs=0.05)
    assert refit[10] == 0.0 and refit[50] == 0.0 and refit[200] == 0.2  # no answers there


def test_a_refit_by_bands_starts_from_the_one_offset_the_training_fitted() -> None:
    """A side with one offset for every history (the training's, `evaluate.calibrate_served`) refitted
    by bands: every band starts from that offset, not from 0."""
    p = np.full(100, 0.5)
    offsets, _ = fit_offsets(p, np.arange(100) % 2 == 0, np.full(100, 3), start=((0, -0.3),))
    assert dict(offsets)[0] == pytest.approx(-0.3, abs=0.01)  # answered as predicted
    assert [o for e, o in offsets if e > 0] == [-0.3] * 4  # no answers there


def test_the_slope_on_unshown_depth_is_fitted_with_the_bands() -> None:
    """Items truly harder by 0.15 logits per unshown level, and new learners' by 0.3 more: both found."""
    rng = np.random.default_rng(5)
    attempts = rng.choice([0, 30], size=80_000)
    depth = rng.integers(0, 10, size=len(attempts)).astype(float)
    z = rng.normal(0.3, 0.8, size=len(attempts))
    correct = rng.random(len(z)) < sigmoid(z - 0.15 * depth - 0.3 * (attempts < 10))
    offsets, slope = fit_offsets(sigmoid(z), correct, attempts, depth, start_slope=0.05)
    assert slope == pytest.approx(0.05 - 0.15, abs=0.02)  # the start plus what the answers say
    bands = dict(offsets)
    assert bands[0] == pytest.approx(-0.3, abs=0.06) and bands[10] == pytest.approx(0, abs=0.06)


def test_unshown_depth_counts_levels_of_prerequisites_not_attempted() -> None:
    # 0 <- 1 <- 2 <- 3, and 4 requires 1 and 3; 5 is a root
    prerequisites = ((), (0,), (1,), (2,), (1, 3), ())
    nothing = np.zeros(6, dtype=bool)
    assert unshown_depth(prerequisites, nothing).tolist() == [0, 1, 2, 3, 4, 0]  # a newcomer: the depth
    shown = np.array([True, True, False, False, False, False])
    assert unshown_depth(prerequisites, shown).tolist() == [0, 0, 0, 1, 2, 0]
    assert unshown_depth(prerequisites, np.ones(6, dtype=bool)).tolist() == [0] * 6


def _depth_by_recursion(prerequisites: tuple[tuple[int, ...], ...], shown: np.ndarray, k: int) -> int:
    """The definition, walked: the most unshown levels on any chain of prerequisites below k."""
    below = (_depth_by_recursion(prerequisites, shown, p) + (0 if shown[p] else 1) for p in prerequisites[k])
    return max(below, default=0)


def test_the_depth_plan_gives_the_definitions_depth_on_random_graphs() -> None:
    rng = np.random.default_rng(8)
    for _ in range(20):
        n = int(rng.integers(1, 40))
        prerequisites = tuple(tuple(int(p) for p in rng.choice(k, size=min(k, int(rng.integers(0, 4))),
                                                                replace=False)) for k in range(n))
        order = rng.permutation(n)  # concepts in any order, not only below their dependants
        relabel = {int(old): new for new, old in enumerate(order)}
        shuffled = tuple(tuple(relabel[p] for p in prerequisites[int(old)]) for old in order)
        shown = rng.random(n) < 0.4
        plan = DepthPlan.of(shuffled)
        assert plan.depth(shown).tolist() == [_depth_by_recursion(shuffled, shown, k) for k in range(n)]


def test_a_cycle_in_the_prerequisites_gives_depth_zero_not_a_hang() -> None:
    # 0 <-> 1 (refused by the content API, but a side must not loop on it); 2 requires 1; 3 requires 4
    plan = DepthPlan.of(((1,), (0,), (1,), (4,), ()))
    assert plan.depth(np.zeros(5, dtype=bool)).tolist() == [0, 0, 0, 1, 0]


def test_the_prior_holds_a_band_with_few_answers_near_its_start() -> None:
    # Three wrong answers at P 0.5: the likelihood's best shift is -inf; the N(0, 1) prior keeps it finite.
    shift = dict(fit_offsets(np.full(3, 0.5), np.zeros(3, bool), np.zeros(3, np.int64))[0])[0]
    assert -2.0 < shift < -0.5


def test_a_learner_is_predicted_with_their_bands_offset() -> None:
    side = tiny_side()
    calibrated = replace(side, served=((0, -0.7), (10, 0.4)))
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    for n, shift in ((0, -0.7), (4, -0.7), (12, 0.4)):
        before, after = predict(side, _history(n), QUESTIONS), predict(calibrated, _history(n), QUESTIONS)
        assert logit(after) - logit(before) == pytest.approx(np.full(3, shift))


def test_a_new_learner_is_predicted_lower_on_deeper_questions() -> None:
    side = tiny_side()  # concepts: see tests/model_fixtures.py
    chain = tuple(() if k == 0 else (k - 1,) for k in range(len(side.concept_ids)))
    sloped = replace(side, served_slope=-0.2, prerequisites=chain)
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    shift = logit(predict(sloped, _history(0), QUESTIONS)) - logit(predict(side, _history(0), QUESTIONS))
    rows = [side.index[q] for q in QUESTIONS]
    concepts, depth = side.concept_matrix[rows], np.arange(len(side.concept_ids), dtype=float)
    expected = -0.2 * (concepts @ depth) / np.asarray(concepts.sum(axis=1)).ravel()
    assert shift == pytest.approx(expected)


def test_the_served_calibration_round_trips_through_json() -> None:
    side = replace(tiny_side(), served=((0, -0.7), (10, 0.4)), served_slope=-0.25, prerequisites=((), (0,)))
    back = QuestionSide.from_dict(side.to_dict())
    assert (back.served, back.served_slope, back.prerequisites) == (((0, -0.7), (10, 0.4)), -0.25, ((), (0,)))
    older = {k: v for k, v in tiny_side().to_dict().items() if k != "served"}  # a side saved before
    assert QuestionSide.from_dict(older).served == ()


def _shift(calibrated: QuestionSide, side: QuestionSide, history: History, questions: list[str]
           ) -> np.ndarray:
    """What the served calibration adds to the logit of each question for the learner of `history`."""
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    return logit(predict(calibrated, history, questions)) - logit(predict(side, history, questions))


def _answers(pairs: list[tuple[str, int]]) -> History:
    return History.from_rows({"question_id": q, "correct": c, "at": i} for i, (q, c) in enumerate(pairs))


def test_one_wrong_answer_shows_a_prerequisite() -> None:
    # mul requires add. A newcomer is a level short on mul (mid) and on half of hard; one attempt on
    # add, even a wrong one, shows add: nothing is unshown any more.
    side = tiny_side()
    sloped = replace(side, served_slope=-0.2, prerequisites=((), (0,)))
    assert _shift(sloped, side, _answers([]), QUESTIONS) == pytest.approx([0.0, -0.2, -0.1])
    assert _shift(sloped, side, _answers([("easy", 0)]), QUESTIONS) == pytest.approx([0.0, 0.0, 0.0])


def test_depth_is_the_mean_over_a_questions_concepts_weighted_as_it_assesses_them() -> None:
    # easy: add 0.5; mid: mul 0.5; hard: add 0.3 and mul 0.2. A newcomer's depth: add 0, mul 1.
    side = replace(tiny_side(), concept_w=np.array([0.5, 0.5, 0.3, 0.2]))
    sloped = replace(side, served_slope=-0.2, prerequisites=((), (0,)))
    expected = [0.0, -0.2 * 1.0, -0.2 * (0.3 * 0.0 + 0.2 * 1.0) / 0.5]
    assert _shift(sloped, side, _answers([]), QUESTIONS) == pytest.approx(expected)


def test_a_question_without_concepts_has_no_unshown_depth() -> None:
    # An unknown question without metadata: the average question, assessing no concept.
    side = tiny_side()
    sloped = replace(side, served=((0, -0.7),), served_slope=-0.2, prerequisites=((), (0,)))
    assert _shift(sloped, side, _answers([]), ["new", "mid"]) == pytest.approx([-0.7, -0.7 - 0.2])


def test_a_slope_without_the_prerequisite_graph_leaves_the_band_offset() -> None:
    # Unshown depth is read off the prerequisite graph: a side without it has no depth term.
    side = tiny_side()
    sloped = replace(side, served=((0, -0.7),), served_slope=-0.2)
    assert _shift(sloped, side, _answers([]), QUESTIONS) == pytest.approx([-0.7, -0.7, -0.7])
