"""Simulated experiments: a target-P A/B test run through the real experiment service, and A/A checks.

The A/B test is created and started with the experiment service, the students are assigned and
exposed by the engine's own `assign_and_expose`, and the results come from `experiment_results`.
The simulator adds what no real experiment has: each user's true skill gained, so the detected
lift can be checked against the truth, and each question's true difficulty, so `ability_gain`
can be recomputed without the error of estimated difficulties (`ORACLE`). A/A tests re-split
that one population by hash seeds.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from scipy import stats as sps

from learner_graph.experiments.ability import ability_counts, ability_gain
from learner_graph.experiments.assignment import hash_v2
from learner_graph.experiments.models import Arm, ExperimentCreate
from learner_graph.experiments.results import experiment_results, user_metrics
from learner_graph.experiments.service import create_experiment, start_experiment, stop_experiment
from learner_graph.experiments.stats import compare, cuped
from learner_graph.simulation.policies import EnginePolicy
from learner_graph.simulation.runner import Outcome, Plan, run_population, session_days
from learner_graph.simulation.world import World

TRUTH = "true_skill_gain"
ORACLE = "ability_gain_true_difficulty"
REPORTED = ("ability_gain", "mastery_gained", "accuracy", "attempts", "dismissals")


def target_p_definition(key: str, control: float, treatment: float) -> ExperimentCreate:
    return ExperimentCreate(
        key=key,
        hypothesis=f"target P {treatment} changes what students learn against {control}",
        arms=[
            Arm(name="control", weight=0.5, overrides={"target_p": control}),
            Arm(name="treatment", weight=0.5, overrides={"target_p": treatment}),
        ],
        control="control",
        primary_metrics=["ability_gain"],
        secondary_metrics=["accuracy", "mastery_gained"],
        guardrail_metrics=["dismissals"],
    )


async def target_p_experiment(
    world: World, *, students: int, plan: Plan, seed: int, control: float = 0.5, treatment: float = 0.9,
    concurrency: int = 4,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Run the A/B test end to end; returns its figures and the per-user frame (with the truth)."""
    key = f"sim-target-p-{uuid.uuid4().hex[:6]}"
    begin = session_days(0, 1, seed)[0].replace(hour=0) - timedelta(days=1)
    await create_experiment(db=world.db, definition=target_p_definition(key, control, treatment), now=begin)
    await start_experiment(db=world.db, key=key, now=begin, hot=world.runtime.experiments)
    outcomes = await run_population(world, EnginePolicy(experiments=True), students=students,
                                    tag=key, plan=plan, seed=seed, concurrency=concurrency)
    end = begin + timedelta(days=plan.steps * 3 + 5)
    await stop_experiment(db=world.db, key=key, now=end, hot=world.runtime.experiments)
    results = await experiment_results(db=world.db, key=key, now=end)
    users = await user_frame(world, key, end, outcomes)
    truth = compare(users, control="control", metrics=[TRUTH, ORACLE])
    truth_rows = {r["metric"]: r for r in truth.to_dict("records") if r["arm"] == "treatment"}
    detected = {r.metric: r.model_dump() for r in results.metrics if r.arm == "treatment"}
    return {
        "key": key,
        "students": students,
        "plan": vars(plan) | {"units": list(plan.units)},
        "target_p": {"control": control, "treatment": treatment},
        "arms": {a.name: a.model_dump() for a in results.arms},
        "srm_p_value": results.srm_p_value,
        "means": users.groupby("arm")[[TRUTH, ORACLE, *REPORTED]].mean().round(4).to_dict("index"),
        "truth": _row(truth_rows[TRUTH]),
        "oracle": _row(truth_rows[ORACLE]),
        "detected": {m: _row(detected[m]) for m in REPORTED if m in detected},
        "summary": results.summary,
    }, users


async def user_frame(world: World, key: str, until: datetime, outcomes: list[Outcome]) -> pd.DataFrame:
    """The results service's per-user metrics, joined with each user's true skill gained.

    Also `ORACLE`: `ability_gain` with the simulator's difficulties against an average new student.
    """
    users = await user_metrics(db=world.db, key=key, until=until)
    truth = {o.user_id: o.delta_skill for o in outcomes}
    users[TRUTH] = users["user_id"].map(truth)
    counts = await ability_counts(db=world.db, key=key, until=until)
    questions = set(counts["question_id"])
    difficulty = pd.Series({q: world.sim.typical_difficulty(q) for q in questions}, dtype=float)
    users[ORACLE] = users["user_id"].map(ability_gain(counts, difficulty)).astype(float)
    return users


def aa_tests(users: pd.DataFrame, *, repetitions: int, metrics: tuple[str, ...] = (TRUTH, *REPORTED[:3]),
             covariates: dict[str, str] | None = None) -> dict[str, Any]:
    """Re-split the population `repetitions` times by hash seed; p-values per metric, KS against uniform.

    `covariates` (metric -> pre-period column): also each metric's CUPED test, as `<metric>_cuped`.
    """
    covariates = covariates or {}
    names = [*metrics, *(f"{m}_cuped" for m in covariates)]
    p_values: dict[str, list[float]] = {m: [] for m in names}
    for r in range(repetitions):
        split = users.assign(arm=[
            "a" if hash_v2(f"aa-{r}", user) < 0.5 else "b" for user in users["user_id"]
        ])
        table = compare(split, control="a", metrics=list(metrics))
        adjusted = cuped(split, control="a", covariates=covariates).rename(
            columns={"cuped_p_value": "p_value"}).assign(metric=lambda t: t["metric"] + "_cuped")
        for m in p_values:
            rows = table if m in metrics else adjusted
            row = rows[(rows["metric"] == m) & (rows["arm"] == "b")]
            if len(row) and pd.notna(row["p_value"].iloc[0]):  # a split may leave an arm without values
                p_values[m].append(float(row["p_value"].iloc[0]))
    return {
        m: {
            "repetitions": len(ps),
            "share_below_0.05": round(sum(p < 0.05 for p in ps) / len(ps), 3),
            "share_ci_95": rejection_ci(sum(p < 0.05 for p in ps), len(ps)),
            "ks_p_value_vs_uniform": round(float(sps.kstest(ps, "uniform").pvalue), 4),
            "mean_p": round(sum(ps) / len(ps), 3),
        }
        for m, ps in p_values.items()
    }


def rejection_ci(rejected: int, repetitions: int) -> list[float]:
    """Wilson 95% interval of a rejection rate (of the re-splits of this population: they share its users)."""
    ci = sps.binomtest(rejected, repetitions).proportion_ci(confidence_level=0.95, method="wilson")
    return [round(float(ci.low), 4), round(float(ci.high), 4)]


def _row(row: dict[Any, Any]) -> dict[str, Any]:
    keep = ("n", "mean", "abs_lift", "rel_lift", "ci_low", "ci_high", "p_value", "cohens_d")
    return {k: (round(float(row[k]), 4) if row.get(k) is not None else None) for k in keep if k in row}
