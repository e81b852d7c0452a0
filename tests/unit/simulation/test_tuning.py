"""The tuning grid's parts and its frontier (learner_graph/simulation/study.py) on constructed rows."""

from __future__ import annotations

import itertools
from typing import Any

from learner_graph.simulation.study import KNOWN, RETENTIONS, TARGETS, WEIGHTS, frontier, grid


def row(name: str, gain: float, minutes: float, share: float) -> dict[str, Any]:
    return {"settings": {"name": name}, "post_test_gain": {"mean": gain, "ci_low": gain, "ci_high": gain},
            "practice_minutes": minutes, "review_share": share}


def test_the_parts_of_the_grid_are_the_whole_grid_once() -> None:
    whole = list(itertools.product(WEIGHTS, TARGETS, KNOWN, RETENTIONS))
    assert grid() == whole
    parts = [grid(k, 3) for k in range(3)]
    assert [len(p) for p in parts] == [28, 28, 28]  # 7 weightings x 3 targets x 4 readiness levels
    assert sorted(s for p in parts for s in p) == sorted(whole)
    assert parts[1][0] == whole[1] and parts[1][1] == whole[4]  # every third setting from the second


def test_the_frontier_keeps_what_no_cheaper_setting_beats() -> None:
    rows = [
        row("best", 0.08, 150.0, 0.5),
        row("cheaper", 0.07, 140.0, 0.5),  # less gain, but less practice time: kept
        row("less-review", 0.06, 150.0, 0.2),  # less gain, but less review: kept
        row("dominated", 0.065, 150.0, 0.5),  # best gains more for the same time and review
        row("tied", 0.08, 150.0, 0.5),  # as good as best, not beaten: kept
        row("costly", 0.075, 160.0, 0.6),  # best gains more with less of both
    ]
    result = frontier(rows, learners=4)
    assert [r["settings"]["name"] for r in result["grid"] if r["frontier"]] == [
        "best", "cheaper", "less-review", "tied",
    ]
    assert result["best"]["settings"] == {"name": "best"}  # the first of equal gains
    assert result["learners"] == 4


def test_equal_time_and_review_with_less_gain_is_off_the_frontier() -> None:
    result = frontier([row("a", 0.05, 100.0, 0.3), row("b", 0.0501, 100.0, 0.3)], learners=2)
    assert [r["frontier"] for r in result["grid"]] == [False, True]
    assert result["best"]["settings"] == {"name": "b"}
