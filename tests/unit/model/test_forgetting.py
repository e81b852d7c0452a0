"""The forgetting term (DAS3H's windowed counts): exact counts, one rule in training and live, and
predictions that fall with time since practice and rise with recent right answers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from learner_graph.model import History, fit_student, predict
from learner_graph.model.features import count_features
from learner_graph.model.forgetting import HOUR, WINDOWS, counts_at, window_counts
from learner_graph.model.live import StudentState, history_offsets, logits
from learner_graph.model.side import QuestionSide
from tests.model_fixtures import tiny_side

DAY = 24 * HOUR
QUESTIONS = ["easy", "mid", "hard"]


def forgetting_side() -> QuestionSide:
    """tiny_side with a forgetting term: recent wins and attempts count more the more recent."""
    return replace(tiny_side(), window_win=np.array([0.4, 0.3, 0.2, 0.1]),
                   window_seen=np.array([0.2, 0.1, -0.05, -0.05]))


def _history(pairs: list[tuple[str, int, float]], now: float | None = None) -> History:
    return History.from_rows(({"question_id": q, "correct": c, "at": t} for q, c, t in pairs), now=now)


def test_window_counts_count_earlier_rows_of_the_group_within_each_window() -> None:
    group = np.array([5, 5, 9, 5, 5, 9])
    at = np.array([0.0, 0.5 * HOUR, 0.6 * HOUR, 2 * HOUR, 3 * DAY, 10 * DAY])
    correct = np.array([1, 0, 1, 1, 1, 0])
    wins, seen = window_counts(group, at, correct, (HOUR, DAY, 7 * DAY))
    assert seen.tolist() == [[0, 0, 0], [1, 1, 1], [0, 0, 0], [0, 2, 2], [0, 0, 3], [0, 0, 0]]
    assert wins.tolist() == [[0, 0, 0], [1, 1, 1], [0, 0, 0], [0, 1, 1], [0, 0, 2], [0, 0, 0]]


def test_a_window_counts_attempts_exactly_its_width_back() -> None:
    wins, seen = window_counts(np.zeros(2, dtype=np.int64), np.array([0.0, HOUR]), np.array([1, 1]), (HOUR,))
    assert seen.tolist() == [[0], [1]] and wins.tolist() == [[0], [1]]


def test_training_features_and_the_live_counts_are_the_same_rule() -> None:
    # One learner's attempts on questions of two concepts over two weeks: each attempt's training
    # features equal the live counts over the attempts before it, taken at its time.
    side = tiny_side()
    q = np.array([0, 2, 1, 0, 2, 2, 1, 0])
    correct = np.array([1, 0, 1, 1, 0, 1, 1, 0])
    at = np.array([0.0, 600.0, 1200.0, 5 * HOUR, DAY + 60, 3 * DAY, 9 * DAY, 13 * DAY])
    f = count_features(np.zeros(len(q), dtype=np.int64), q, correct, side.concept_ptr, side.concept_idx,
                       side.concept_w, 2, at)
    for i in range(len(q)):
        pairs = np.array([k for r in q[:i].tolist() for k in side.concepts_of(r)[0].tolist()], dtype=np.int64)
        per_row = np.diff(side.concept_ptr)[q[:i]]
        wins, seen = counts_at(pairs, np.repeat(at[:i], per_row),
                               np.repeat(correct[:i].astype(float), per_row), float(at[i]), 2, WINDOWS)
        for slot, k in enumerate(side.concepts_of(int(q[i]))[0].tolist()):
            assert np.expm1(f.window_wins[i, slot]) == pytest.approx(wins[k]), (i, k)
            assert np.expm1(f.window_seen[i, slot]) == pytest.approx(seen[k]), (i, k)


def test_the_live_logit_at_an_attempts_time_is_its_training_offset() -> None:
    # A neutral student's logit on the next question, fitted live as of that attempt's time, is the
    # offset training gives the attempt: the same forgetting term in both.
    side = forgetting_side()
    pairs = [("easy", 1, 0.0), ("hard", 0, 600.0), ("mid", 1, 2 * HOUR), ("easy", 1, 2 * DAY),
             ("hard", 1, 2 * DAY + 300), ("mid", 0, 12 * DAY)]
    q = np.array([QUESTIONS.index(p[0]) for p in pairs])
    correct = np.array([p[1] for p in pairs])
    at = np.array([p[2] for p in pairs])
    offsets = history_offsets(side, q, correct, at)
    for i in range(1, len(pairs)):
        state = fit_student(side, _history(pairs[:i], now=at[i]), steps=0)
        neutral = replace(state, phi=np.zeros(3))
        assert logits(side, neutral, q[i:i + 1])[0] == pytest.approx(offsets[i]), i


def test_predicted_p_falls_with_time_since_practice() -> None:
    side = forgetting_side()
    practised = [("easy", 1, 0.0), ("easy", 1, 60.0), ("hard", 1, 120.0)]
    p = [predict(side, _history(practised, now=120.0 + gap), QUESTIONS) for gap in (60, 2 * HOUR, 2 * DAY,
                                                                                    10 * DAY, 40 * DAY)]
    for sooner, later in zip(p, p[1:], strict=False):
        assert np.all(later < sooner)
    # Past every window only the all-time counts remain: no further fall.
    assert fit_student(side, _history(practised, now=120.0 + 40 * DAY)).window_seen.sum() == 0  # type: ignore[union-attr]
    assert predict(side, _history(practised, now=120.0 + 400 * DAY), QUESTIONS).tolist() == p[-1].tolist()


def test_recent_right_answers_raise_the_prediction_more_than_old_ones() -> None:
    side = forgetting_side()
    now = 30 * DAY
    recent = [("mid", 0, 0.0), ("easy", 1, now - 600), ("easy", 1, now - 300)]
    old = [("mid", 0, 0.0), ("easy", 1, now - 20 * DAY), ("easy", 1, now - 20 * DAY + 300)]
    none = [("mid", 0, 0.0)]
    p_recent, p_old, p_none = (predict(side, _history(h, now=now), ["easy"])[0] for h in (recent, old, none))
    assert p_recent > p_old > p_none


def test_a_wrong_answer_after_a_long_gap_lowers_the_level_less() -> None:
    # The same answers; a miss right after practice says more about the level than a miss after
    # the practice has had time to fade, which the forgetting term explains.
    side = forgetting_side()
    base = [("easy", 1, 0.0), ("easy", 1, 60.0)]
    fresh = fit_student(side, _history([*base, ("easy", 0, 120.0)], now=130.0))
    faded = fit_student(side, _history([*base, ("easy", 0, 20 * DAY)], now=20 * DAY + 10))
    assert faded.phi[-1] > fresh.phi[-1]


def test_a_side_without_the_term_predicts_as_before() -> None:
    side = tiny_side()
    state = fit_student(side, _history([("easy", 1, 0.0), ("hard", 0, DAY)], now=30 * DAY))
    assert state.window_wins is None
    expected = StudentState(state.phi, state.cov, 2, state.wins, state.fails, 1.0, 1.0)
    assert logits(side, state, np.arange(3)).tolist() == logits(side, expected, np.arange(3)).tolist()


def test_the_side_keeps_its_forgetting_weights_through_json() -> None:
    side = forgetting_side()
    again = QuestionSide.from_dict(side.to_dict())
    assert again.window_win.tolist() == pytest.approx(side.window_win.tolist())
    assert again.window_seen.tolist() == pytest.approx(side.window_seen.tolist())
    older = tiny_side().to_dict()
    assert "window_win" not in older and len(QuestionSide.from_dict(older).window_win) == 0


def test_no_rows_give_empty_counts_shaped_for_every_window() -> None:
    empty = np.array([], dtype=np.int64)
    for windows in (WINDOWS, (HOUR, DAY)):
        wins, seen = window_counts(empty, np.array([]), empty, windows)
        assert wins.shape == seen.shape == (0, len(windows))


def test_window_counts_depend_only_on_time_differences() -> None:
    # Times on any origin: relative ones before 0 (seconds before now), or epoch seconds.
    group = np.array([3, 3, 7, 3, 7])
    at = np.array([0.0, 0.5 * HOUR, 2 * HOUR, 3 * DAY, 10 * DAY])
    correct = np.array([1, 0, 1, 1, 0])
    wins, seen = window_counts(group, at, correct)
    assert seen.tolist() == [[0, 0, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 2, 2], [0, 0, 0, 1]]
    assert wins.tolist() == [[0, 0, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]]
    for origin in (-50 * DAY, -1e9, 1.7e9):
        moved_wins, moved_seen = window_counts(group, at + origin, correct)
        assert moved_seen.tolist() == seen.tolist() and moved_wins.tolist() == wins.tolist(), origin


def test_a_group_never_counts_another_groups_attempts() -> None:
    # Group 1's one attempt is the latest of all, group 2's the earliest: 30 days apart, the widest
    # window, group 2 still has nothing before it.
    wins, seen = window_counts(np.array([1, 2, 2]), np.array([30 * DAY, 0.0, 1.0]), np.array([1, 1, 0]))
    assert seen.tolist() == [[0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]]
    assert wins.tolist() == [[0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]]


def test_the_live_counts_take_an_attempt_exactly_a_window_back() -> None:
    # Concept 0 practised exactly an hour before now, concept 1 a second longer ago.
    now = 10 * DAY
    wins, seen = counts_at(np.array([0, 1]), np.array([now - HOUR, now - HOUR - 1]), np.array([1.0, 1.0]),
                           now, 2, (HOUR, DAY))
    assert seen.tolist() == [[1, 1], [0, 1]] and wins.tolist() == [[1, 1], [0, 1]]


def test_window_counts_match_counting_each_pair_of_rows() -> None:
    # 400 attempts of 5 groups interleaved, many at the same time: each row's counts are the earlier
    # rows of its group (in row order) at `at >= t - w`, counted one pair at a time.
    rng = np.random.default_rng(7)
    at = np.sort(rng.integers(0, 200, 400)).astype(float) * 600.0
    group, correct = rng.integers(0, 5, 400), rng.integers(0, 2, 400)
    wins, seen = window_counts(group, at, correct)
    for i in range(len(group)):
        earlier = (group[:i] == group[i])[:, None] & (at[:i, None] >= at[i] - np.array(WINDOWS))
        assert seen[i].tolist() == earlier.sum(0).tolist(), i
        assert wins[i].tolist() == (earlier * correct[:i, None]).sum(0).tolist(), i
