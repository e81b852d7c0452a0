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
    significant = row.p_adjusted is not None and row.p_adjusted < ALPHA
    if not significant:
        return (
            f"{row.arm} vs control on {_name(row)}: {_lift(row)}, not distinguishable from no change "
            f"(adjusted p = {format_p(row.p_adjusted)}); keep running or accept no effect."
        )
    verdict = "worse" if _worse(row) else "better"
    return (
        f"{row.arm} is {verdict} than control on {_name(row)}: {_lift(row)}, 95% CI "
        f"[{row.ci_low:+.3g}, {row.ci_high:+.3g}] (adjusted p = {format_p(row.p_adjusted)})."
    )


def _worse(row: MetricRow) -> bool:
    lift = row.abs_lift or 0.0
    return lift > 0 if row.metric in LOWER_IS_BETTER else lift < 0


def _lift(row: MetricRow) -> str:
    relative = f" ({row.rel_lift:+.1%})" if row.rel_lift is not None else ""
    return f"{row.abs_lift:+.3g}{relative} per user"


def _name(row: MetricRow) -> str:
    return row.metric.replace("_", " ")
