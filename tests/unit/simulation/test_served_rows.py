"""The study's served calibration reads each next item's unshown depth as the live fit would."""

from __future__ import annotations

import numpy as np
import pytest

from learner_graph.simulation.course import Answer, CourseOutcome
from learner_graph.simulation.served import served_rows, with_prerequisites
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
