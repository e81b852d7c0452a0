"""The study's served calibration reads each next item's unshown depth as the live fit would; the
retraining reads a served cohort's answers."""

from __future__ import annotations

import numpy as np
import pytest

from learner_graph.simulation.course import Answer, CourseOutcome, CoursePlan, Probes
from learner_graph.simulation.inproc import Engine
from learner_graph.simulation.outcomes import make_policy, run_cohort
from learner_graph.simulation.served import (
    RETRAIN_SEED_OFFSET,
    served_attempts,
    served_rows,
    with_prerequisites,
)
from seed.curriculum import build_curriculum
from seed.forgetting import ForgettingSimulator
from tests.model_fixtures import tiny_side

DOCUMENT = {"concepts": [{"id": "add"}, {"id": "mul", "requires": ["add"]}]}
ASSESSES = {"easy": [("add", 1.0)], "mid": [("mul", 1.0)], "hard": [("add", 1.0), ("mul", 1.0)]}


def test_each_next_item_gets_the_depth_left_by_the_answers_before_it() -> None:
    side = with_prerequisites(tiny_side(), DOCUMENT)
    assert side.prerequisites == ((), (0,))  # mul requires add
    outcome = CourseOutcome("l1", answers=[
        Answer("mid", "next", 0.4, 0.6, False, 0),  # nothing shown: mul's depth 1
        Answer("hard", "next", 0.3, 0.5, True, 1),  # add and mul, add still unshown: (0 + 1) / 2
        Answer("easy", "review", 0.9, 0.8, True, 2),  # not a next item: only shows add
        Answer("mid", "next", 0.6, 0.55, True, 3),  # add shown: 0
    ])
    predicted, correct, attempts, depth = served_rows(side, ASSESSES, [outcome])
    assert predicted.tolist() == [0.6, 0.5, 0.55] and correct.tolist() == [False, True, True]
    assert attempts.tolist() == [0, 1, 3]
    # "hard" at the second answer: mul counts add, still unshown (1), add has no prerequisite (0).
    assert depth == pytest.approx(np.array([1.0, 0.5, 0.0]))


def test_a_served_cohorts_attempts_are_the_answers_it_gave() -> None:
    """What the study's retraining reads (`served_attempts`): every answer of the cohort, with its
    learner and time, and nothing else (dismissed items are not attempts)."""
    document = build_curriculum()
    sim = ForgettingSimulator(document, seed=7)
    engine = Engine.build(document, None)  # no model: tag difficulty, as a first deployment serves
    plan = CoursePlan(sessions=2, days=2, median_items=6, spread=0.0, min_items=6, max_items=6)
    probes = Probes.for_questions(sim, [engine.catalog.table.ids[r] for r in engine.rows(list(plan.units))])
    attempts = served_attempts(engine, sim, probes, plan=plan, seed=7, learners=2)
    outcomes = run_cohort(engine, sim, probes, make_policy("mixer"), plan=plan, learners=2,
                          seed=7 + RETRAIN_SEED_OFFSET)
    answers = [(o.user_id, a.question_id, a.correct) for o in outcomes for a in o.answers]
    assert [(a["user_id"], a["question_id"], a["correct"]) for a in attempts] == answers
    assert len(answers) == 24 and engine.log is None  # the engine itself keeps no log
    times = [a["at"] for a in attempts if a["user_id"] == attempts[0]["user_id"]]
    assert times == sorted(times) and (times[-1] - times[0]).days >= 1  # two sessions on two days
