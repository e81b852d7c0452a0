"""Figures of a comparison of learning outcomes: means with 95% CIs, paired tests, success by history."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats as sps

from learner_graph.simulation.course import CourseOutcome

HISTORY_BUCKETS = ((0, 10), (10, 50), (50, 100), (100, 200), (200, 10**9))  # attempts before the answer
FOCUS_KINDS = ("next", "random", "easiest")  # the items whose success a policy aims at its target


def mean_ci(values: list[float] | np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Mean and its t-based confidence interval."""
    x = np.asarray(values, dtype=float)
    mean = float(x.mean())
    if x.size < 2:
        return {"mean": mean, "ci_low": mean, "ci_high": mean}
    half = float(sps.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half}


def paired(a: list[float], b: list[float]) -> dict[str, float | int | None]:
    """a − b on the same learners: mean difference, its 95% CI, paired t-test p, a's win share, and
    the learners a paired test needs to reach p < 0.01 nine times in ten at this difference."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    ci = mean_ci(diff)
    p_value = float(sps.ttest_rel(a, b).pvalue) if diff.any() else 1.0
    return {"mean_diff": ci["mean"], "ci_low": ci["ci_low"], "ci_high": ci["ci_high"], "p_value": p_value,
            "a_wins_share": float((diff > 0).mean()), "learners_for_p01": learners_needed(diff)}


def learners_needed(diff: np.ndarray, *, alpha: float = 0.01, power: float = 0.9) -> int | None:
    """Paired-test sample size for the observed mean difference and spread (normal approximation,
    plus the usual z²/2 for estimating the spread); None when there is no difference to detect."""
    mean, sd = float(np.mean(diff)), float(np.std(diff, ddof=1)) if diff.size > 1 else 0.0
    if mean == 0 or not np.isfinite(mean):
        return None
    if sd == 0:
        return 2
    z_alpha, z_power = sps.norm.ppf(1 - alpha / 2), sps.norm.ppf(power)
    return int(np.ceil(((z_alpha + z_power) * sd / mean) ** 2 + z_alpha**2 / 2))


def success_by_history(outcomes: list[CourseOutcome]) -> list[dict[str, Any]]:
    """Observed success of the aimed items by how many attempts the learner had made before."""
    rows = []
    answers = [a for o in outcomes for a in o.answers if a.kind in FOCUS_KINDS]
    for low, high in HISTORY_BUCKETS:
        bucket = [a for a in answers if low <= a.history < high]
        if bucket:
            rows.append({
                "history": f"{low}-{high - 1}" if high < 10**9 else f"{low}+", "answers": len(bucket),
                "success": float(np.mean([a.correct for a in bucket])),
                "true_p": float(np.mean([a.p_true for a in bucket])),
                "predicted_p": _mean_or_none([a.p_predicted for a in bucket]),  # None for random
            })
    return rows


def _mean_or_none(values: list[float]) -> float | None:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else None


def summarise(outcomes: list[CourseOutcome]) -> dict[str, Any]:
    """Per-policy figures: gains (delayed and immediate) with CIs, success, review load, time, mastery."""
    answers = [a for o in outcomes for a in o.answers]
    focus = [a for a in answers if a.kind in FOCUS_KINDS]
    minutes = [m for o in outcomes for m in o.mastery_minutes.values()]
    per = [o.summary() for o in outcomes]
    return {
        "learners": len(outcomes),
        "post_test_gain": mean_ci([o.gain for o in outcomes]),
        "immediate_gain": mean_ci([o.immediate_gain for o in outcomes]),
        "pre_test": float(np.mean([o.pre_test for o in outcomes])),
        "delayed_post_test": mean_ci([o.delayed for o in outcomes]),
        "success_rate": float(np.mean([a.correct for a in answers])) if answers else None,
        "success_rate_next": float(np.mean([a.correct for a in focus])) if focus else None,
        "true_p_next": float(np.mean([a.p_true for a in focus])) if focus else None,
        "review_share": float(np.mean([p["review_share"] for p in per])),
        "attempts_per_learner": float(np.mean([p["attempts"] for p in per])),
        "practice_minutes": mean_ci([p["practice_min"] for p in per]),
        "dismissals_per_100": 100.0 * sum(o.dismissed for o in outcomes)
        / max(sum(o.served for o in outcomes), 1),
        "concepts_mastered": mean_ci([p["mastered"] for p in per]),
        "concepts_practised": float(np.mean([p["concepts_practised"] for p in per])),
        "minutes_to_mastery_median": float(np.median(minutes)) if minutes else None,
        "success_by_history": success_by_history(outcomes),
    }


def rounded(value: Any, digits: int = 4) -> Any:
    """`value` with every float rounded (p-values to 3 significant digits), for JSON and tables."""
    if isinstance(value, dict):
        return {k: (float(f"{v:.3g}") if k == "p_value" and isinstance(v, float)
                    else rounded(v, 7 if k == "per_learner_gain" else digits))
                for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    if isinstance(value, float):
        return round(value, digits)
    return value
