"""The course's tests and schedule (learner_graph/simulation/course.py) on constructed learners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from learner_graph.simulation.course import CourseOutcome, CoursePlan, Probes, schedule
from learner_graph.simulation.outcome_stats import mean_ci, paired
from seed.forgetting import ForgettingSimulator

T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)


def tiny() -> dict[str, Any]:
    """Two concepts, B requires A; three questions on A, two on B."""
    def q(qid: str, concept: str) -> dict[str, Any]:
        return {"id": qid, "text": qid, "difficulty_tag": 3, "concepts": [{"id": concept, "weight": 1.0}]}

    return {
        "concepts": [{"id": "A", "name": "A", "requires": []}, {"id": "B", "name": "B", "requires": ["A"]}],
        "units": [],
        "questions": [q("a1", "A"), q("a2", "A"), q("a3", "A"), q("b1", "B"), q("b2", "B")],
    }


def constructed() -> tuple[ForgettingSimulator, Probes, Any]:
    sim = ForgettingSimulator(tiny(), seed=1)
    for qid, difficulty in {"a1": -1.0, "a2": 0.0, "a3": 2.0, "b1": 1.0, "b2": 2.0}.items():
        sim.questions[qid].difficulty = difficulty
    probes = Probes.for_questions(sim, list(sim.questions))
    student = sim.new_student("constructed", ability=0.0)
    a, b = sim.index["A"], sim.index["B"]
    student.base[a] = student.skill[a] = 1.0
    student.base[b] = student.skill[b] = -0.5
    return sim, probes, student


def test_probes_sit_at_the_median_difficulty_of_each_concepts_questions() -> None:
    _, probes, _ = constructed()
    assert probes.concepts == ("A", "B")
    assert probes.difficulty == (0.0, 1.5)


def test_post_test_equals_hand_computed_values() -> None:
    sim, probes, student = constructed()
    # 0.05 + 0.9 σ(1 - 0) and 0.05 + 0.9 σ(-0.5 - 1.5)
    assert probes.p(sim, student, 0, T0) == pytest.approx(0.7079527, abs=1e-6)
    assert probes.p(sim, student, 1, T0) == pytest.approx(0.1572826, abs=1e-6)
    pre = probes.score(sim, student, T0)
    assert pre == pytest.approx(0.4326177, abs=1e-6)
    # One unit of skill learned on A by a single practice at T0; a week later ACT-R recall is
    # σ((-0.177 ln 10080 + 1.4) / 0.27) = 0.297772, so 0.25 + 0.75 · 0.297772 = 0.473329 of it is left.
    a = sim.index["A"]
    student.learned[a] = 1.0
    student.traces[a] = [(T0.timestamp() / 60.0, 0.177)]
    delayed = probes.score(sim, student, T0 + timedelta(days=7))
    assert delayed == pytest.approx(0.4697446, abs=1e-6)
    outcome = CourseOutcome("constructed", pre_test=pre, delayed=delayed)
    assert outcome.gain == pytest.approx(0.0371269, abs=1e-6)


def test_schedule_spreads_sessions_over_distinct_days_and_is_the_same_for_every_policy() -> None:
    plan = CoursePlan(sessions=20, days=30)
    sessions = schedule(plan, 3, seed=7)
    assert len(sessions) == 20
    days = [s.date() for s, _ in sessions]
    assert len(set(days)) == 20 and days == sorted(days)
    assert (days[-1] - days[0]).days < 30
    assert all(plan.min_items <= size <= plan.max_items for _, size in sessions)
    assert len({size for _, size in sessions}) > 3  # lengths vary
    assert schedule(plan, 3, seed=7) == sessions and schedule(plan, 4, seed=7) != sessions


def test_confidence_interval_and_paired_test_match_hand_values() -> None:
    ci = mean_ci([1.0, 2.0, 3.0, 4.0])
    # mean 2.5, s.d. 1.290994, t(0.975, 3) = 3.182446: half width 2.054260
    assert (ci["mean"], ci["ci_low"], ci["ci_high"]) == pytest.approx((2.5, 0.445740, 4.554260), abs=1e-5)
    result = paired([2.0, 3.0, 5.0, 4.0], [1.0, 1.0, 2.0, 2.0])  # differences 1, 2, 3, 2
    assert result["mean_diff"] == pytest.approx(2.0)
    # t = 2 / (0.816497 / 2) = 4.898979 on 3 d.f.: two-sided p = 0.016277
    assert result["p_value"] == pytest.approx(0.016277, abs=1e-5)
    assert result["a_wins_share"] == 1.0


def test_learners_needed_for_p01_matches_hand_values_and_the_exact_power() -> None:
    from scipy import stats as sps

    from learner_graph.simulation.outcome_stats import learners_needed

    # differences 1, 2, 3, 2: mean 2, s.d. 0.816497; (2.575829 + 1.281552)² · (0.816497 / 2)² = 2.4800,
    # plus 2.575829² / 2 = 3.3175: 5.80, so 6 learners
    assert paired([2.0, 3.0, 5.0, 4.0], [1.0, 1.0, 2.0, 2.0])["learners_for_p01"] == 6
    assert learners_needed(np.array([1.0, -1.0, 2.0, -2.0])) is None  # no difference to detect
    # Half a standard deviation: the exact power of a paired t-test (noncentral t) at the size given
    spread = np.array([-1.5, -0.5, 0.5, 1.5])
    n = learners_needed(0.5 + spread / np.std(spread, ddof=1))
    exact = sps.nct.sf(sps.t.ppf(1 - 0.01 / 2, n - 1), n - 1, 0.5 * np.sqrt(n))
    assert n == 63 and 0.9 <= exact < 0.91


def test_rejection_rate_interval_is_wilsons() -> None:
    from learner_graph.simulation.experiment import rejection_ci

    # 10 of 200: centre (0.05 + 1.96²/400) / (1 + 1.96²/200) = 0.058481, half width 0.031100
    assert rejection_ci(10, 200) == pytest.approx([0.0274, 0.0896], abs=1e-4)
