"""The A/B's recorded tests taken in process (`outcomes.RouteTests`): the study's settings one at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from learner_graph.simulation.course import CoursePlan, Probes, schedule
from learner_graph.simulation.inproc import Engine
from learner_graph.simulation.outcomes import RouteTests, make_policy, morning_of, run_learner
from seed.forgetting import ForgettingSimulator

PLAN = CoursePlan(sessions=3, days=5, median_items=6.0, units=("u",))


def course() -> dict[str, Any]:
    """Two concepts, B requires A, three single-concept questions each, all in unit u."""
    questions = [f"{c.lower()}{k}" for c in "AB" for k in (1, 2, 3)]
    return {
        "concepts": [{"id": "A", "name": "A", "requires": []}, {"id": "B", "name": "B", "requires": ["A"]}],
        "units": [{"id": "u", "name": "u", "questions": questions}],
        "questions": [
            {"id": q, "text": q, "difficulty_tag": 3, "concepts": [{"id": q[0].upper(), "weight": 1.0}]}
            for q in questions
        ],
    }


def run(tests: RouteTests | None) -> Any:
    document = course()
    sim = ForgettingSimulator(document, seed=3)
    probes = Probes.for_questions(sim, list(sim.questions))
    engine = Engine.build(document, None)
    return run_learner(engine, sim, probes, make_policy("random"), plan=PLAN, index=0, seed=3, tests=tests)


def test_a_test_not_recorded_changes_no_practice_and_a_recorded_one_is_the_engines_history() -> None:
    items = ("a1", "b1", "a2", "b2")
    plain, unrecorded, recorded = run(None), run(RouteTests(items)), run(RouteTests(items, record_pre=True))
    practice = [(a.question_id, a.correct) for a in plain.answers]
    assert len(practice) == 6  # every question once (random practice skips the last 30 attempts)
    assert [(a.question_id, a.correct) for a in unrecorded.answers] == practice
    assert (unrecorded.gain, plain.route) == (plain.gain, {})
    assert unrecorded.answers[0].history == 0
    assert recorded.answers[0].history == len(items)  # the engine saw the four test answers first
    assert recorded.pre_test == plain.pre_test  # a test does not teach
    assert set(unrecorded.route) == {"pre_accuracy", "pre_expected", "delayed_accuracy", "delayed_expected"}
    assert unrecorded.route["pre_accuracy"] in (0.0, 0.25, 0.5, 0.75, 1.0)


def test_the_pre_tests_expected_accuracy_is_the_mean_true_p_of_its_items_that_morning() -> None:
    document = course()
    sim = ForgettingSimulator(document, seed=3)
    student = sim.new_student("learner-3-00000")  # the learner run_learner draws for index 0
    pre_at = morning_of(schedule(PLAN, 0, 3)[0][0] - timedelta(days=1))
    items = ("a1", "b2")
    expected = (sim.p_correct(student, "a1", pre_at) + sim.p_correct(student, "b2", pre_at)) / 2
    assert run(RouteTests(items)).route["pre_expected"] == pytest.approx(expected)
