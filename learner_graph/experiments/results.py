"""Results of an experiment: per-user metrics aggregated in Cypher, compared with pandas and scipy."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from datetime import datetime
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field

from learner_graph.db.graph import Graph
from learner_graph.experiments import stats
from learner_graph.experiments.ability import user_ability_gains
from learner_graph.experiments.assignment import choose_arm
from learner_graph.experiments.models import METRICS, Experiment
from learner_graph.experiments.service import get_experiment
from learner_graph.experiments.summary import summary_lines
from learner_graph.learners.mastery import MASTERED
from learner_graph.model.store import ModelStore

RETENTION_DELAY_DAYS = 7  # delayed_retention: accuracy on concepts left unpractised at least this long
COMPUTED = ("ability_gain", "delayed_retention")  # metrics computed beside `experiment_user_metrics`
PRE_PERIOD_DAYS = 28  # CUPED's covariates: each user's attempts in this many days before their first exposure
# metric -> its pre-exposure covariate (CUPED); a metric absent here is reported raw only
COVARIATES: dict[str, str] = {
    "attempts": "pre_attempts",
    "practice_minutes": "pre_practice_minutes",
    "accuracy": "pre_accuracy",
    "active_days": "pre_active_days",
    "delayed_retention": "pre_accuracy",
}
PRE_PERIOD = ("pre_attempts", "pre_practice_minutes", "pre_accuracy", "pre_active_days")


class ArmCounts(BaseModel):
    name: str
    weight: float
    assigned_users: int = Field(
        description="learners known to the graph by the end of the window whose hash falls in this arm, "
        "whether or not they were ever served (the arm they would get)"
    )
    exposed_users: int = Field(
        description="learners served at least one recommendation in this arm during the window; "
        "the metrics and the sample-ratio check count these"
    )


class MetricRow(BaseModel):
    metric: str
    role: str  # primary | secondary | guardrail | other
    arm: str
    n: int
    mean: float | None
    std: float | None
    abs_lift: float | None = None
    rel_lift: float | None = None
    rel_lift_note: str | None = Field(default=None, description="why rel_lift is null for a treatment")
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    cohens_d: float | None = None
    cuped_covariate: str | None = Field(
        default=None, description="the pre-exposure covariate of the CUPED estimate (null: no CUPED for "
        "this metric, or no users with a pre-period that varies)"
    )
    cuped_mean: float | None = Field(default=None, description="the arm's mean after the CUPED adjustment")
    cuped_abs_lift: float | None = Field(default=None, description="CUPED-adjusted difference from control")
    cuped_ci_low: float | None = None
    cuped_ci_high: float | None = None
    cuped_p_value: float | None = Field(default=None, description="Welch's test on the CUPED-adjusted values")
    cuped_p_adjusted: float | None = Field(
        default=None,
        description="Holm-adjusted over the same metrics as p_adjusted, with CUPED's p where it exists",
    )
    cuped_variance_reduction: float | None = Field(
        default=None, description="1 - (CUPED standard error / raw standard error)^2: the share of users "
        "the same precision needs less"
    )


class Results(BaseModel):
    key: str
    status: str
    control: str
    window_end: datetime
    arms: list[ArmCounts]
    srm_chi2: float
    srm_p_value: float
    srm_warning: bool
    metrics: list[MetricRow]
    summary: list[str]


def metric_role(experiment: Experiment, metric: str) -> str:
    for role in ("primary", "secondary", "guardrail"):
        if metric in getattr(experiment, f"{role}_metrics"):
            return role
    return "other"


async def experiment_results(
    *, db: Graph, key: str, now: datetime, models: ModelStore | None = None
) -> Results:
    """Counts, the sample-ratio check, per-metric comparisons with Holm correction, and a summary.

    `models`: the process's active model, if it holds one (see `user_ability_gains`).
    """
    experiment = await get_experiment(db=db, key=key)
    until = min(experiment.end, now) if experiment.end else now
    users = await user_metrics(db=db, key=key, until=until, models=models)
    ids = (await db.read("experiment_user_ids", until=until))[0]["ids"]
    assigned = Counter(choose_arm(experiment, user_id) for user_id in ids)
    exposed = {str(arm): int(n) for arm, n in users["arm"].value_counts().items()}
    weights = {arm.name: arm.weight for arm in experiment.arms}
    srm = stats.sample_ratio_test(exposed, weights)
    table = stats.compare(users, control=experiment.control, metrics=list(METRICS))
    adjusted = stats.cuped(users, control=experiment.control, covariates=COVARIATES)
    table = table.merge(adjusted, on=["metric", "arm"], how="left")
    numbers = [c for c in stats.CUPED_COLUMNS if c != "cuped_covariate"]
    table[numbers] = table[numbers].astype(float)  # all-missing when no metric has a usable covariate
    table["role"] = table["metric"].map(lambda m: metric_role(experiment, m))
    tested = (table["role"] != "guardrail") & (table["arm"] != experiment.control)
    table["p_adjusted"] = stats.holm(table["p_value"].where(tested))
    table.loc[table["role"] == "guardrail", "p_adjusted"] = table["p_value"]
    best = table["cuped_p_value"].fillna(table["p_value"])  # the same family, CUPED's p where there is one
    table["cuped_p_adjusted"] = stats.holm(best.where(tested))
    table.loc[table["role"] == "guardrail", "cuped_p_adjusted"] = table["cuped_p_value"]
    table.loc[table["cuped_p_value"].isna(), "cuped_p_adjusted"] = float("nan")
    metrics = [_metric_row(record, experiment.control) for record in table.to_dict("records")]
    return Results(
        key=key,
        status=experiment.status,
        control=experiment.control,
        window_end=until,
        arms=[
            ArmCounts(
                name=a.name,
                weight=a.weight,
                assigned_users=assigned[a.name],
                exposed_users=exposed.get(a.name, 0),
            )
            for a in experiment.arms
        ],
        srm_chi2=srm.chi2,
        srm_p_value=srm.p_value,
        srm_warning=srm.mismatch,
        metrics=metrics,
        summary=summary_lines(experiment, metrics, srm),
    )


async def user_metrics(
    *, db: Graph, key: str, until: datetime, models: ModelStore | None = None
) -> pd.DataFrame:
    """One row per exposed user: id, arm, every metric of `METRICS` over their window, and the
    pre-period covariates of `PRE_PERIOD` (their last `PRE_PERIOD_DAYS` days before exposure).

    The four reads are independent and run at once (each takes about a second on the demo).
    """
    rows, gains, retention, before = await asyncio.gather(
        db.read("experiment_user_metrics", key=key, until=until, mastery_threshold=MASTERED),
        user_ability_gains(db=db, key=key, until=until, models=models),
        delayed_retention(db=db, key=key, until=until),
        db.read("experiment_pre_period", key=key, days=PRE_PERIOD_DAYS),
    )
    users = pd.DataFrame(rows, columns=["user_id", "arm", *(m for m in METRICS if m not in COMPUTED)])
    users["ability_gain"] = users["user_id"].map(gains).astype(float)
    users["delayed_retention"] = users["user_id"].map(retention)
    pre = pd.DataFrame(before, columns=["user_id", "attempts", "practice_minutes", "accuracy", "active_days"])
    pre = pre.rename(columns={c: f"pre_{c}" for c in pre.columns if c != "user_id"})
    users = users.merge(pre, on="user_id", how="left")
    return users[["user_id", "arm", *METRICS, *PRE_PERIOD]]


async def delayed_retention(*, db: Graph, key: str, until: datetime) -> dict[str, float]:
    """Per user, the share right of their answers on the day they came back to a concept they had
    left unpractised `RETENTION_DELAY_DAYS`+ (every answer of that day, not only the first).

    Users without such an attempt have no value (they are left out of the comparison).
    """
    rows = await db.read("experiment_delayed_retention", key=key, until=until,
                         delay_days=RETENTION_DELAY_DAYS)
    return {r["user_id"]: r["correct"] / r["attempts"] for r in rows if r["attempts"]}


def metrics_frame(results: Results) -> pd.DataFrame:
    """The metric rows as a table."""
    return pd.DataFrame([row.model_dump() for row in results.metrics], columns=list(MetricRow.model_fields))


def results_csv(results: Results) -> str:
    """Everything the JSON says, as one table: a row per metric and arm with the arm's counts and
    the sample-ratio check beside it, then one `summary` row per sentence of the summary."""
    table = metrics_frame(results)
    arms = pd.DataFrame([a.model_dump() for a in results.arms]).rename(columns={"name": "arm"})
    table = table.merge(arms, on="arm", how="left")
    table["srm_chi2"], table["srm_p_value"] = results.srm_chi2, results.srm_p_value
    table["srm_warning"] = results.srm_warning
    table.insert(0, "row", "metric")
    table["text"] = None
    summary = pd.DataFrame({"row": "summary", "text": results.summary}, columns=table.columns)
    return pd.concat([table, summary], ignore_index=True).to_csv(index=False)


def _metric_row(record: dict[Any, Any], control: str) -> MetricRow:
    row = MetricRow(**_clean(record))
    if row.arm != control and row.abs_lift is not None and row.rel_lift is None:
        row.rel_lift_note = stats.RELATIVE_LIFT_RULE
    return row


def _clean(record: dict[Any, Any]) -> dict[str, Any]:
    """NaN (no comparison, or no data) becomes None so JSON says null."""
    return {str(k): None if isinstance(v, float) and math.isnan(v) else v for k, v in record.items()}
