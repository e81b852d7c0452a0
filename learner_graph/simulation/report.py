"""Figures of a policy run: skill gained (ground truth), success against target, dismissals, latency."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats as sps

from learner_graph.simulation.runner import Outcome

TARGET_P = 0.5


def summarise(outcomes: list[Outcome], *, target: float = TARGET_P) -> dict[str, Any]:
    """Per-policy figures; success of `next` items (all items for baselines, which have no kinds)."""
    delta = np.array([o.delta_skill for o in outcomes])
    answers = [a for o in outcomes for a in o.answers]
    kinds = {kind for kind, _, _ in answers}
    focus = [a for a in answers if a[0] == "next"] if "next" in kinds else answers
    served = sum(o.served for o in outcomes)
    latencies = np.array([ms for o in outcomes for ms in o.latencies_ms])
    success = float(np.mean([c for _, _, c in focus])) if focus else float("nan")
    return {
        "students": len(outcomes),
        "recommendations": int(latencies.size),
        "served": served,
        "attempts": len(answers),
        "mean_delta_skill": round(float(delta.mean()), 4),
        "se_delta_skill": round(float(delta.std(ddof=1) / np.sqrt(delta.size)), 4) if delta.size > 1 else 0.0,
        "success_rate": round(float(np.mean([c for _, _, c in answers])), 4) if answers else None,
        "success_rate_next": round(success, 4),
        "mean_true_p_next": round(float(np.mean([p for _, p, _ in focus])), 4) if focus else None,
        "target_p": target,
        "dismissals_per_100": round(100.0 * sum(o.dismissed for o in outcomes) / max(served, 1), 2),
        "latency_ms_p50": round(float(np.median(latencies)), 2),
        "latency_ms_p95": round(float(np.percentile(latencies, 95)), 2),
    }


def paired(a: list[Outcome], b: list[Outcome]) -> dict[str, float]:
    """Δ skill of `a` minus `b` on the same hidden students: mean difference and paired t-test p."""
    diff = np.array([x.delta_skill - y.delta_skill for x, y in zip(a, b, strict=True)])
    p_value = float(sps.ttest_rel([x.delta_skill for x in a], [y.delta_skill for y in b]).pvalue)
    return {"mean_diff": round(float(diff.mean()), 4), "p_value": p_value, "a_wins_share": round(
        float((diff > 0).mean()), 3)}


COLUMNS = [
    ("policy", "policy"),
    ("mean_delta_skill", "mean Δ true skill"),
    ("se_delta_skill", "± s.e."),
    ("attempts", "attempts"),
    ("success_rate_next", "success (next items)"),
    ("mean_true_p_next", "true P (next items)"),
    ("dismissals_per_100", "dismissals /100 served"),
    ("latency_ms_p50", "latency p50 ms"),
    ("latency_ms_p95", "latency p95 ms"),
]


def markdown(policies: dict[str, dict[str, Any]]) -> str:
    """The per-policy table as Markdown (as pasted into docs/BENCHMARKS.md)."""
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for name, row in policies.items():
        cells = [name] + [str(row.get(key)) for key, _ in COLUMNS[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
