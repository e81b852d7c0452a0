"""CUPED (regression adjustment on a pre-exposure covariate) against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from learner_graph.experiments.models import Experiment
from learner_graph.experiments.results import MetricRow
from learner_graph.experiments.stats import (
    CUPED_COLUMNS,
    SampleRatio,
    cuped,
    cuped_adjust,
    sample_size_per_arm,
)
from learner_graph.experiments.summary import summary_lines

# x: the pre-period covariate, y: the metric. Pooled over both arms: mean x 2.5, mean y 4,
# Σ dx·dy = 10, Σ dx² = 5.5, so θ = 10 / 5.5 = 20/11.
USERS = pd.DataFrame({
    "user_id": ["c1", "c2", "c3", "t1", "t2", "t3"],
    "arm": ["control"] * 3 + ["treat"] * 3,
    "x": [1.0, 2.0, 3.0, 2.0, 3.0, 4.0],
    "y": [1.0, 3.0, 4.0, 4.0, 5.0, 7.0],
})
# y - 20/11 · (x - 2.5), by hand
ADJUSTED_CONTROL = [41 / 11, 43 / 11, 34 / 11]  # mean 118/33
ADJUSTED_TREAT = [54 / 11, 45 / 11, 47 / 11]  # mean 146/33


def _row(table: pd.DataFrame, arm: str) -> pd.Series:
    return table[table["arm"] == arm].iloc[0]


def test_adjusted_values_theta_and_variance_by_hand() -> None:
    x = pd.Series([1.0, 2.0, 3.0, 4.0])
    y = pd.Series([2.0, 3.0, 5.0, 6.0])  # θ = (7/3) / (5/3) = 1.4
    adjusted = cuped_adjust(y, x)
    assert adjusted is not None
    assert adjusted.tolist() == pytest.approx([4.1, 3.7, 4.3, 3.9])
    assert adjusted.mean() == pytest.approx(y.mean())  # centred: the mean is kept
    assert adjusted.var() == pytest.approx(0.2 / 3)  # from 10/3


def test_a_user_without_the_covariate_keeps_the_metric_and_does_not_move_theta() -> None:
    x = pd.Series([1.0, 2.0, 3.0, 4.0, None])
    y = pd.Series([2.0, 3.0, 5.0, 6.0, 10.0])
    adjusted = cuped_adjust(y, x)
    assert adjusted is not None
    assert adjusted.tolist() == pytest.approx([4.1, 3.7, 4.3, 3.9, 10.0])
    missing_y = cuped_adjust(pd.Series([2.0, None, 3.0, 5.0, 6.0]), pd.Series([1.0, 9.0, 2.0, 3.0, 4.0]))
    assert missing_y is not None and math.isnan(missing_y[1])  # no metric, no value; θ from the other four
    assert missing_y.dropna().tolist() == pytest.approx([4.1, 3.7, 4.3, 3.9])


def test_no_adjustment_without_a_covariate_that_varies() -> None:
    assert cuped_adjust(pd.Series([1.0, 2.0, 3.0]), pd.Series([5.0, 5.0, 5.0])) is None
    assert cuped_adjust(pd.Series([1.0, 2.0, 3.0]), pd.Series([1.0, 2.0, None])) is None  # 2 pairs
    assert cuped_adjust(pd.Series([1.0, 2.0, 3.0]), pd.Series([1.0, 2.0, 4.0])) is not None  # 3 pairs


def test_comparison_on_adjusted_values_by_hand() -> None:
    table = cuped(USERS, control="control", covariates={"y": "x"})
    assert list(table.columns) == ["metric", "arm", *CUPED_COLUMNS]
    treat, control = _row(table, "treat"), _row(table, "control")
    assert treat["cuped_covariate"] == "x" and treat["metric"] == "y"
    assert control["cuped_mean"] == pytest.approx(118 / 33)
    assert treat["cuped_mean"] == pytest.approx(146 / 33)
    assert treat["cuped_abs_lift"] == pytest.approx(28 / 33)  # raw lift 8/3: x was higher in treat
    welch = sps.ttest_ind(ADJUSTED_TREAT, ADJUSTED_CONTROL, equal_var=False)
    assert treat["cuped_p_value"] == pytest.approx(welch.pvalue)
    low, high = welch.confidence_interval(0.95)
    assert (treat["cuped_ci_low"], treat["cuped_ci_high"]) == pytest.approx((low, high))
    # each arm's adjusted variance 201/1089 (raw 7/3): SE² 402/3267 against 14/9
    assert treat["cuped_variance_reduction"] == pytest.approx(1 - (402 / 3267) / (14 / 9))
    compared = ("cuped_abs_lift", "cuped_p_value", "cuped_variance_reduction")
    assert all(math.isnan(control[c]) for c in compared)


def test_unequal_arms_take_the_control_arm_s_own_n_and_spread() -> None:
    # 3 control users, 4 treated. Pooled: mean x 20/7, Σ dx·dy 100/7, Σ dx² 76/7, θ = 25/19.
    # Adjusted variances by hand: control 127/1083, treat 1130/1083; raw 7/3 and 5/3.
    users = pd.DataFrame({
        "user_id": ["c1", "c2", "c3", "t1", "t2", "t3", "t4"],
        "arm": ["control"] * 3 + ["treat"] * 4,
        "x": [1.0, 2.0, 3.0, 2.0, 3.0, 4.0, 5.0],
        "y": [1.0, 3.0, 4.0, 4.0, 5.0, 7.0, 6.0],
        "other": [9.0, 0.0, 9.0, 0.0, 9.0, 0.0, 9.0],  # a metric not adjusted: it must not enter
    })
    treat = _row(cuped(users, control="control", covariates={"y": "x"}), "treat")
    assert treat["cuped_abs_lift"] == pytest.approx(619 / 133 - 1514 / 399)  # means of the adjusted values
    # SE² adjusted 1130/1083/4 + 127/1083/3 = 1949/6498 against raw 5/3/4 + 7/3/3 = 43/36
    assert treat["cuped_variance_reduction"] == pytest.approx(1 - (1949 / 6498) / (43 / 36))  # 0.7489


def test_each_treatment_is_compared_with_control_alone() -> None:
    third = pd.DataFrame({"user_id": ["u1", "u2", "u3"], "arm": ["other"] * 3,
                          "x": [0.0, 5.0, 9.0], "y": [8.0, 1.0, 2.0]})
    users = pd.concat([USERS, third], ignore_index=True)
    table = cuped(users, control="control", covariates={"y": "x"})
    assert sorted(table["arm"]) == ["control", "other", "treat"]  # one row per arm, none duplicated
    adjusted = cuped_adjust(users["y"], users["x"])
    assert adjusted is not None
    by_arm = {arm: adjusted[users["arm"] == arm] for arm in ("control", "treat", "other")}
    for arm in ("treat", "other"):
        welch = sps.ttest_ind(by_arm[arm], by_arm["control"], equal_var=False)
        assert _row(table, arm)["cuped_p_value"] == pytest.approx(welch.pvalue)
        raw_se2 = users[users["arm"] == arm]["y"].var() / 3 + users[users["arm"] == "control"]["y"].var() / 3
        se2 = by_arm[arm].var() / 3 + by_arm["control"].var() / 3
        assert _row(table, arm)["cuped_variance_reduction"] == pytest.approx(1 - se2 / raw_se2)


def test_a_metric_without_spread_in_either_arm_has_no_variance_reduction() -> None:
    users = USERS.assign(y=1.0)  # θ = 0: the adjusted values are the raw ones, SE² 0 / 0
    treat = _row(cuped(users, control="control", covariates={"y": "x"}), "treat")  # warnings are errors
    assert treat["cuped_abs_lift"] == 0.0
    assert math.isnan(treat["cuped_variance_reduction"])


def test_only_metrics_with_a_usable_covariate_are_adjusted() -> None:
    users = USERS.assign(flat=1.0, z=USERS["y"] * 2)
    table = cuped(users, control="control", covariates={"y": "x", "z": "flat"})
    assert set(table["metric"]) == {"y"}
    empty = cuped(users, control="control", covariates={"z": "flat"})
    assert empty.empty and list(empty.columns) == ["metric", "arm", *CUPED_COLUMNS]


def test_a_covariate_unrelated_to_the_metric_changes_little() -> None:
    rng = np.random.default_rng(3)
    users = pd.DataFrame({"user_id": range(400), "arm": ["a", "b"] * 200,
                          "x": rng.normal(size=400), "y": rng.normal(size=400)})
    treat = _row(cuped(users, control="a", covariates={"y": "x"}), "b")
    assert abs(treat["cuped_variance_reduction"]) < 0.05


def test_sample_size_per_arm() -> None:
    z80 = sps.norm.ppf(0.975) + sps.norm.ppf(0.8)  # 2.8016
    assert sample_size_per_arm(1.0, 0.5) == math.ceil(2 * (z80 * 2) ** 2) == 63
    assert sample_size_per_arm(1.0, 1.0, alpha=0.01) == 24  # 2 · (2.5758 + 0.8416)²
    assert sample_size_per_arm(1.0, 1.0, power=0.9) == 22  # 2 · (1.96 + 1.2816)²
    assert sample_size_per_arm(0.17, 0.0073) == 8514  # 2 · (2.8016 · 0.17 / 0.0073)² = 8513.1


def _summary_row(**cuped_fields: object) -> MetricRow:
    return MetricRow(metric="delayed_retention", role="primary", arm="mixer", n=100, mean=0.54, std=0.16,
                     abs_lift=-0.009, rel_lift=-0.017, ci_low=-0.05, ci_high=0.03, p_value=0.66,
                     p_adjusted=0.66,
                     **cuped_fields)  # type: ignore[arg-type]


def test_the_summary_decides_on_cuped_where_it_exists() -> None:
    experiment = Experiment.model_validate({
        "key": "ab", "seed": "ab", "control": "next", "primary_metrics": ["delayed_retention"],
        "arms": [{"name": "next", "weight": 0.5}, {"name": "mixer", "weight": 0.5}],
    })
    srm = SampleRatio(0.1, 0.75, False)
    adjusted = _summary_row(cuped_covariate="pre_accuracy", cuped_abs_lift=0.006, cuped_ci_low=0.002,
                            cuped_ci_high=0.01, cuped_p_value=0.004, cuped_p_adjusted=0.012,
                            cuped_variance_reduction=0.9)
    assert summary_lines(experiment, [adjusted], srm) == [
        "mixer is better than control on delayed retention: +0.006 per user, 95% CI [+0.002, +0.01] "
        "(adjusted p = 0.0120; CUPED on pre accuracy, variance -90%)."
    ]
    raw = _summary_row()
    assert summary_lines(experiment, [raw], srm) == [
        "mixer vs control on delayed retention: -0.009 (-1.7%) per user, not distinguishable from no change "
        "(adjusted p = 0.6600); keep running or accept no effect."
    ]
