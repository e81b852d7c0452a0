"""A few plain sentences a product manager can act on, written from the computed results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from learner_graph.experiments.models import LOWER_IS_BETTER, Experiment
from learner_graph.experiments.stats import SampleRatio, format_p

if TYPE_CHECKING:
    from learner_graph.experiments.results import MetricRow

ALPHA = 0.05


def summary_lines(experiment: Experiment, metrics: list[MetricRow], srm: SampleRatio) -> list[str]:
    """Trust first (sample ratio), then the decision metrics, then any guardrail that got worse."""
    lines = []
    if srm.mismatch:
        lines.append(
            "Warning: the split of exposed users does not match the arm weights "
            f"(p = {format_p(srm.p_value)}). "
            "Assignment or exposure logging is likely broken; do not trust these results until it is fixed."
        )
    decision = experiment.primary_metrics or [m.metric for m in metrics if m.role == "secondary"]
    treatments = [m for m in metrics if m.arm != experiment.control and m.abs_lift is not None]
    for row in treatments:
        if row.metric in decision:
            lines.append(_decision_line(row))
    for row in treatments:
        if row.role == "guardrail" and _worse(row) and (row.p_value or 1) < ALPHA:
            worse = f"{_name(row)} got worse in {row.arm} ({_lift(row)})"
            lines.append(f"Guardrail: {worse}; look before shipping.")
    if not treatments:
        lines.append("Not enough exposed users yet to compare arms (each needs at least two).")
    elif not lines:
        lines.append("No primary or secondary metric is declared and no guardrail moved; nothing to act on.")
    return lines


def _decision_line(row: MetricRow) -> str:
    """On the CUPED estimate when the metric has one (same expected lift, narrower interval), else raw."""
    if row.cuped_p_value is not None and row.cuped_abs_lift is not None:
        lift, low, high, p = row.cuped_abs_lift, row.cuped_ci_low, row.cuped_ci_high, row.cuped_p_adjusted
        how = (f"; CUPED on {_name_of(row.cuped_covariate or '')}, "
               f"variance {-(row.cuped_variance_reduction or 0.0):+.0%}")
    else:
        lift, low, high, p, how = row.abs_lift or 0.0, row.ci_low, row.ci_high, row.p_adjusted, ""
    if p is None or p >= ALPHA:
        return (
            f"{row.arm} vs control on {_name(row)}: {_lift(row, lift)}, not distinguishable from no change "
            f"(adjusted p = {format_p(p)}{how}); keep running or accept no effect."
        )
    verdict = "worse" if _worse(row, lift) else "better"
    return (
        f"{row.arm} is {verdict} than control on {_name(row)}: {_lift(row, lift)}, 95% CI "
        f"[{low:+.3g}, {high:+.3g}] (adjusted p = {format_p(p)}{how})."
    )


def _worse(row: MetricRow, lift: float | None = None) -> bool:
    lift = (row.abs_lift or 0.0) if lift is None else lift
    return lift > 0 if row.metric in LOWER_IS_BETTER else lift < 0


def _lift(row: MetricRow, lift: float | None = None) -> str:
    if lift is not None and lift != row.abs_lift:
        return f"{lift:+.3g} per user"  # an adjusted lift: the raw relative lift does not describe it
    relative = f" ({row.rel_lift:+.1%})" if row.rel_lift is not None else ""
    return f"{row.abs_lift:+.3g}{relative} per user"


def _name(row: MetricRow) -> str:
    return _name_of(row.metric)


def _name_of(metric: str) -> str:
    return metric.replace("_", " ")
