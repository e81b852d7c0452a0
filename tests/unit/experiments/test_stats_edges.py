"""Exact values at the edges of the results statistics (mutation survivors)."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd

from learner_graph.experiments.stats import SampleRatio, compare, sample_ratio_test, summarise

USERS = pd.DataFrame(
    {
        "arm": ["control"] * 4 + ["treat"] * 4,
        "x": [1.0, 2.0, 3.0, 2.0, 3.0, 4.0, 2.0, 3.0],
        "y": [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0],  # control mean 0.5, treatment 0.75
    }
)


def test_sample_ratio_with_no_exposures_is_no_evidence() -> None:
    assert sample_ratio_test({}, {"a": 0.5, "b": 0.5}) == SampleRatio(0.0, 1.0, False)


def test_sample_ratio_counts_an_unseen_arm_as_zero() -> None:
    result = sample_ratio_test({"a": 10}, {"a": 0.5, "b": 0.5})
    assert result.chi2 == 10.0  # (10 - 5)^2 / 5 + (0 - 5)^2 / 5
    assert result.mismatch is False  # p = 0.00157 > 0.001


def test_summarise_only_the_metrics_asked_for() -> None:
    table = summarise(USERS, ["x"])
    assert table["metric"].tolist() == ["x", "x"]
    assert table["n"].tolist() == [4, 4]
    assert table["mean"].tolist() == [2.0, 3.0]


def test_compare_only_the_metrics_asked_for() -> None:
    table = compare(USERS, control="control", metrics=["x"])
    assert table["metric"].tolist() == ["x", "x"]


def test_summarise_makes_decimal_values_floats() -> None:
    values = pd.Series([Decimal(1), Decimal(2), None], dtype=object)
    users = pd.DataFrame({"arm": ["a", "a", "a"], "x": values})
    table = summarise(users, ["x"])
    assert table["mean"].dtype == np.float64
    assert table["var"].dtype == np.float64
    assert table["mean"].tolist() == [1.5]
    assert table["var"].tolist() == [0.5]


def test_relative_lift_when_the_control_mean_is_below_one() -> None:
    table = compare(USERS, control="control", metrics=["y"])
    treat = table[table["arm"] == "treat"].iloc[0]
    assert treat["rel_lift"] == 0.5  # (0.75 - 0.5) / 0.5


def test_control_row_has_no_comparison_at_all() -> None:
    table = compare(USERS, control="control", metrics=["x"])
    control = table[table["arm"] == "control"].iloc[0]
    for column in ("abs_lift", "rel_lift", "ci_low", "ci_high", "p_value", "cohens_d"):
        assert math.isnan(control[column]), column


def test_a_metric_control_never_reported_keeps_its_treatment_row() -> None:
    users = USERS.assign(z=[None] * 4 + [1.0, 2.0, 3.0, 4.0])
    table = compare(users, control="control", metrics=["x", "z"])
    z = table[table["metric"] == "z"]
    assert z["arm"].tolist() == ["treat"]
    assert z["mean"].tolist() == [2.5]
    assert math.isnan(z["abs_lift"].iloc[0])
