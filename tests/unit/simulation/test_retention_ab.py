"""The simulated A/B's pure parts: the test items, the winner it names, its power figures, A/A with CUPED."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest

from learner_graph.experiments.stats import sample_size_per_arm
from learner_graph.simulation.course import Probes
from learner_graph.simulation.experiment import aa_tests
from learner_graph.simulation.outcomes import recorded_test_items
from learner_graph.simulation.retention_ab import PAIRED_DIFF, _winner, power


@dataclass
class Params:
    concept_ids: list[str]
    difficulty: float


def test_test_items_are_the_nearest_single_concept_questions_in_rounds() -> None:
    questions = {
        "a1": Params(["a"], 0.0), "a2": Params(["a"], 0.5), "a3": Params(["a"], -2.0),
        "ab": Params(["a", "b"], 0.0),  # two concepts: never a test item
        "b1": Params(["b"], 1.0), "b2": Params(["b"], 3.0),
    }
    sim = cast(Any, SimpleNamespace(questions=questions))
    probes = Probes(("a", "b"), (0.1, 1.2))
    assert recorded_test_items(sim, probes, list(questions), items=1) == ["a1", "b1"]
    assert recorded_test_items(sim, probes, list(questions), items=2) == ["a1", "b1", "a2", "b2"]
    assert recorded_test_items(sim, probes, list(questions), items=3) == ["a1", "b1", "a2", "b2", "a3"]


def test_the_winner_is_named_on_cuped_when_it_has_one() -> None:
    row = {"p_value": 0.6, "abs_lift": -0.02, "cuped_p_value": 0.01, "cuped_abs_lift": 0.004}
    assert _winner(row) == "mixer"
    assert _winner(row, cuped=False) == "none"
    assert _winner(row | {"cuped_abs_lift": -0.004}) == "next"
    assert _winner(row | {"cuped_p_value": 0.05}) == "none"  # at 0.05: not below it
    assert _winner(row | {"cuped_p_value": None, "p_value": 0.04}) == "next"  # no CUPED: the raw test
    assert _winner({"p_value": None, "abs_lift": None}) == "none"


def test_power_figures_from_the_within_arm_spread() -> None:
    # the arms differ by 1 in both; within an arm y = x + (+-0.1): CUPED leaves only the +-0.1
    users = pd.DataFrame({
        "user_id": [f"u{i}" for i in range(8)],
        "arm": ["next"] * 4 + ["mixer"] * 4,
        "pre_accuracy": [0.2, 0.4, 0.6, 0.8, 0.2, 0.4, 0.6, 0.8],
        "delayed_retention": [0.3, 0.3, 0.7, 0.7, 1.3, 1.3, 1.7, 1.7],
    })
    figures = power(users, lift=0.5)
    within = np.array([-0.2, -0.2, 0.2, 0.2] * 2)
    assert figures["sd_raw"] == pytest.approx(round(within.std(ddof=1), 4))
    assert figures["sd_cuped"] is not None and figures["sd_cuped"] < figures["sd_raw"] / 2
    assert figures["learners_with_value"] == 8
    paired = figures["paired_diff"]
    assert paired["diff"] == PAIRED_DIFF
    assert paired["per_arm_raw"] == sample_size_per_arm(within.std(ddof=1), PAIRED_DIFF)
    assert figures["observed_lift"]["per_arm_cuped"] < figures["observed_lift"]["per_arm_raw"]
    assert "observed_lift" not in power(users, lift=None)


def test_aa_re_splits_report_the_cuped_test_beside_the_raw_one() -> None:
    rng = np.random.default_rng(5)
    skill = rng.normal(size=200)
    users = pd.DataFrame({"user_id": [f"u{i}" for i in range(200)], "arm": "x",
                          "pre": skill + rng.normal(scale=0.2, size=200),
                          "metric": skill + rng.normal(scale=0.2, size=200)})
    checks = aa_tests(users, repetitions=40, metrics=("metric",), covariates={"metric": "pre"})
    assert set(checks) == {"metric", "metric_cuped"}
    assert checks["metric"]["repetitions"] == checks["metric_cuped"]["repetitions"] == 40
    assert 0 <= checks["metric_cuped"]["share_below_0.05"] <= 0.2
    assert set(aa_tests(users, repetitions=3, metrics=("metric",))) == {"metric"}
