"""Relative lift, the chart and the CSV on results whose control mean is negative, zero or empty."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pandas as pd
import pytest

from learner_graph.experiments import stats
from learner_graph.experiments.charts import chart_rows, lift_chart
from learner_graph.experiments.results import ArmCounts, MetricRow, Results, _metric_row, results_csv


def _users(control: list[float], treatment: list[float]) -> pd.DataFrame:
    arms = ["control"] * len(control) + ["better"] * len(treatment)
    return pd.DataFrame({"arm": arms, "ability_gain": control + treatment})


def _rows(users: pd.DataFrame) -> list[MetricRow]:
    table = stats.compare(users, control="control", metrics=["ability_gain"])
    table["role"], table["p_adjusted"] = "primary", table["p_value"]
    return [_metric_row(record, "control") for record in table.to_dict("records")]


def _results(metrics: list[MetricRow], summary: list[str] | None = None) -> Results:
    return Results(
        key="exp",
        status="running",
        control="control",
        window_end=datetime(2026, 1, 1, tzinfo=UTC),
        arms=[
            ArmCounts(name="control", weight=0.5, assigned_users=1050, exposed_users=3),
            ArmCounts(name="better", weight=0.5, assigned_users=1035, exposed_users=7),
        ],
        srm_chi2=0.1,
        srm_p_value=0.7,
        srm_warning=False,
        metrics=metrics,
        summary=summary or ["better is better than control on ability gain: +0.208 per user."],
    )


def test_a_better_arm_never_reads_as_a_negative_relative_lift() -> None:
    # The reported case: control mean -0.26, treatment higher; the relative lift read -80%.
    treated = next(r for r in _rows(_users([-0.3, -0.22, -0.26], [-0.05, -0.06, -0.04])) if r.arm == "better")
    assert treated.abs_lift == pytest.approx(0.21)
    assert treated.rel_lift is None
    assert treated.rel_lift_note == stats.RELATIVE_LIFT_RULE


def test_zero_control_mean_has_no_relative_lift_and_positive_one_has() -> None:
    zero = next(r for r in _rows(_users([0.0, 0.0, 0.0], [1.0, 2.0, 3.0])) if r.arm == "better")
    assert zero.rel_lift is None and zero.rel_lift_note
    positive = next(r for r in _rows(_users([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])) if r.arm == "better")
    assert positive.rel_lift == pytest.approx(0.5) and positive.rel_lift_note is None


@pytest.mark.parametrize(
    ("control", "treatment"),
    [
        ([-0.3, -0.22, -0.26], [-0.05, -0.06, -0.04]),
        ([0.0, 0.0, 0.0], [1.0, 2.0, 3.0]),
        ([1.0, 1.0], [1.0, 1.0]),
    ],
)
def test_the_chart_never_crashes_and_plots_the_primary_metric(
    control: list[float], treatment: list[float]
) -> None:
    results = _results(_rows(_users(control, treatment)))
    png = lift_chart(results)
    assert png[:4] == b"\x89PNG"
    plotted = chart_rows(results)
    assert all(r.metric == "ability_gain" and r.arm == "better" for r in plotted)


def test_the_chart_before_any_attempt_still_shows_counts_and_summary() -> None:
    results = _results(
        [], summary=["Not enough exposed users yet to compare arms (each needs at least two)."]
    )
    assert chart_rows(results) == []
    assert lift_chart(results)[:4] == b"\x89PNG"


def test_the_csv_carries_arm_counts_the_sample_ratio_check_and_the_summary() -> None:
    results = _results(_rows(_users([-0.3, -0.22, -0.26], [-0.05, -0.06, -0.04])))
    rows = list(csv.DictReader(io.StringIO(results_csv(results))))
    metric = next(r for r in rows if r["row"] == "metric" and r["arm"] == "better")
    assert (metric["assigned_users"], metric["exposed_users"], metric["srm_p_value"]) == ("1035", "7", "0.7")
    assert metric["rel_lift_note"] == stats.RELATIVE_LIFT_RULE
    assert [r["text"] for r in rows if r["row"] == "summary"] == results.summary
