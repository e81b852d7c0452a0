"""ACT-R forgetting (seed/forgetting.py): exact activations, recall falls with time, spacing helps."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest

from seed.curriculum import build_curriculum
from seed.forgetting import ActrParams, ForgettingSimulator, activation, add_trace, recall

P = ActrParams()
DAY = 24 * 60.0  # minutes
T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)


@cache
def document() -> dict[str, Any]:
    return build_curriculum(questions_per_section=10)


def test_activation_and_decay_follow_pavlik_and_anderson() -> None:
    traces: list[tuple[float, float]] = []
    add_trace(traces, 0.0, P)
    assert traces == [(0.0, P.a)]  # the first trace decays at a
    # one day later: m = ln(1440^-a)
    assert activation(traces, DAY, P) == pytest.approx(-P.a * math.log(DAY))
    add_trace(traces, DAY, P)
    m = -P.a * math.log(DAY)
    assert traces[1] == (DAY, pytest.approx(P.c * math.exp(m) + P.a))
    at = 2 * DAY
    expected = math.log((2 * DAY) ** -P.a + DAY ** -traces[1][1])
    assert activation(traces, at, P) == pytest.approx(expected)
    assert recall(traces, at, P) == pytest.approx(1 / (1 + math.exp((P.tau - expected) / P.s)))


def test_recall_is_zero_without_practice_and_a_trace_is_at_least_a_minute_old() -> None:
    assert recall([], 10.0, P) == 0.0
    assert activation([(5.0, P.a)], 5.0, P) == pytest.approx(0.0)  # age clipped to 1 minute: ln(1) = 0


def test_recall_falls_with_time_as_documented() -> None:
    one = [(0.0, P.a)]
    values = [recall(one, hours * 60.0, P) for hours in (1, 24, 168, 720)]
    assert values == sorted(values, reverse=True)
    assert values[0] == pytest.approx(0.92, abs=0.02)  # an hour later
    assert values[1] == pytest.approx(0.60, abs=0.02)  # a day later
    assert values[2] == pytest.approx(0.30, abs=0.02)  # a week later


def test_spaced_practice_is_remembered_longer_than_massed_practice() -> None:
    spaced: list[tuple[float, float]] = []
    massed: list[tuple[float, float]] = []
    for k in range(4):
        add_trace(spaced, 2 * DAY * k, P)  # every other day
        add_trace(massed, 6 * DAY + 2.0 * k, P)  # four in a row, on the last day
    week_later = 6 * DAY + 7 * DAY
    assert recall(spaced, week_later, P) > 0.85
    assert recall(massed, week_later, P) < 0.5
    # more practice never hurts: a fifth spaced practice raises recall a week later
    more = [*spaced]
    add_trace(more, 6 * DAY + 60.0, P)
    assert recall(more, week_later + 60.0, P) > recall(spaced, week_later, P)


def test_the_simulated_learner_forgets_towards_the_start_and_a_review_brings_it_back() -> None:
    sim = ForgettingSimulator(document(), seed=3)
    student = sim.new_student("forgetful", ability=0.0)
    concept = "frac-add"
    question = next(q.question_id for q in sim.questions.values() if q.concept_ids == [concept])
    start = sim.true_skill(student, concept, T0)
    for k in range(3):
        sim.answer(student, question, T0 + timedelta(minutes=k))
    learned = student.learned[sim.index[concept]]
    assert learned > 0
    just_after = sim.true_skill(student, concept, T0 + timedelta(minutes=3))
    a_month_later = sim.true_skill(student, concept, T0 + timedelta(days=30))
    assert start < a_month_later < just_after
    # accessible share: floor + (1 - floor) · R, exactly
    traces = student.traces[sim.index[concept]]
    at = (T0 + timedelta(days=30)).timestamp() / 60.0
    share = P.floor + (1 - P.floor) * recall(traces, at, P)
    assert a_month_later == pytest.approx(start + learned * share)
    sim.answer(student, question, T0 + timedelta(days=30))
    assert sim.true_skill(student, concept, T0 + timedelta(days=30, minutes=1)) > a_month_later
