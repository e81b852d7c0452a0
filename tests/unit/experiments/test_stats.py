"""Results statistics against hand-computed values and scipy's own tests."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from learner_graph.experiments.stats import compare, format_p, holm, sample_ratio_test, summarise

USERS = pd.DataFrame(
    {
        "arm": ["control"] * 4 + ["treat"] * 4,
        "x": [1.0, 2.0, 3.0, 2.0, 3.0, 4.0, 2.0, 3.0],  # control mean 2, treatment mean 3
        "y": [1.0, None, 1.0, 1.0, 0.0, 0.0, 1.0, None],
    }
)


def _row(table: pd.DataFrame, metric: str, arm: str) -> pd.Series:
    return table[(table["metric"] == metric) & (table["arm"] == arm)].iloc[0]


def test_lift_is_against_control() -> None:
    table = compare(USERS, control="control", metrics=["x"])
    treat = _row(table, "x", "treat")
    assert treat["abs_lift"] == pytest.approx(1.0)
    assert treat["rel_lift"] == pytest.approx(0.5)  # (3 - 2) / 2, the control's mean
    control = _row(table, "x", "control")
    assert all(math.isnan(control[c]) for c in ("abs_lift", "rel_lift", "ci_low", "p_value", "cohens_d"))


def test_welch_p_value_ci_and_cohens_d() -> None:
    table = compare(USERS, control="control", metrics=["x"])
    treat = _row(table, "x", "treat")
    a = np.array([3.0, 4.0, 2.0, 3.0])
    b = np.array([1.0, 2.0, 3.0, 2.0])
    welch = sps.ttest_ind(a, b, equal_var=False)
    assert treat["p_value"] == pytest.approx(welch.pvalue)
    se = math.sqrt(a.var(ddof=1) / 4 + b.var(ddof=1) / 4)
    df = se**4 / ((a.var(ddof=1) / 4) ** 2 / 3 + (b.var(ddof=1) / 4) ** 2 / 3)
    half = sps.t.ppf(0.975, df) * se
    assert (treat["ci_low"], treat["ci_high"]) == pytest.approx((1.0 - half, 1.0 + half))
    pooled = math.sqrt((3 * a.var(ddof=1) + 3 * b.var(ddof=1)) / 6)
    assert treat["cohens_d"] == pytest.approx(1.0 / pooled)
    assert (treat["n"], treat["mean"], treat["std"]) == (4, 3.0, pytest.approx(a.std(ddof=1)))


def test_rel_lift_is_missing_when_control_mean_is_zero() -> None:
    users = pd.DataFrame({"arm": ["c", "c", "t", "t"], "x": [0.0, 0.0, 1.0, 2.0]})
    treat = _row(compare(users, control="c", metrics=["x"]), "x", "t")
    assert math.isnan(treat["rel_lift"]) and treat["abs_lift"] == pytest.approx(1.5)


def test_summary_skips_missing_values() -> None:
    table = summarise(USERS, ["y"])
    assert _row(table, "y", "control")[["n", "mean"]].tolist() == [3, 1.0]
    assert _row(table, "y", "treat")[["n", "mean"]].tolist() == [3, pytest.approx(1 / 3)]


def test_holm_adjusts_step_down_and_keeps_missing() -> None:
    adjusted = holm(pd.Series([0.01, 0.04, None, 0.03], index=["a", "b", "c", "d"]))
    assert adjusted["a"] == pytest.approx(0.03)  # 0.01 * 3
    assert adjusted["d"] == pytest.approx(0.06)  # 0.03 * 2
    assert adjusted["b"] == pytest.approx(0.06)  # max(0.04 * 1, 0.06): monotone
    assert math.isnan(adjusted["c"])
    assert holm(pd.Series([0.5, 0.9])).tolist() == [1.0, 1.0]  # capped at 1
    assert holm(pd.Series([None, None], dtype=float)).isna().all()


def test_sample_ratio_mismatch() -> None:
    even = sample_ratio_test({"a": 500, "b": 500}, {"a": 0.5, "b": 0.5})
    assert (even.chi2, even.p_value, even.mismatch) == (0.0, 1.0, False)
    skewed = sample_ratio_test({"a": 600, "b": 400}, {"a": 0.5, "b": 0.5})
    assert skewed.chi2 == pytest.approx(40.0) and skewed.mismatch
    weighted = sample_ratio_test({"a": 750, "b": 250}, {"a": 3, "b": 1})
    assert weighted.chi2 == pytest.approx(0.0) and not weighted.mismatch
    assert sample_ratio_test({}, {"a": 0.5, "b": 0.5}).p_value == 1.0
    assert sample_ratio_test({"a": 10}, {"a": 1.0}).mismatch is False
    assert sample_ratio_test({"a": 520}, {"a": 0.5, "b": 0.5}).mismatch  # a missing arm counts as 0
    borderline = sample_ratio_test({"a": 553, "b": 447}, {"a": 0.5, "b": 0.5})
    assert borderline.p_value == pytest.approx(sps.chisquare([553, 447]).pvalue)
    assert borderline.mismatch is (borderline.p_value < 0.001)


@pytest.mark.parametrize(
    ("p", "text"),
    [(None, "n/a"), (1.0, "1.0000"), (0.034, "0.0340"), (0.0001, "0.0001"), (0.0000999, "1.0e-04"),
     (1.5e-12, "1.5e-12"), (0.0, "0.0e+00")],
)
def test_p_values_are_written_one_way(p: float | None, text: str) -> None:
    """The same cases as the console's `pValue` (console/src/utils/format.test.ts)."""
    assert format_p(p) == text
