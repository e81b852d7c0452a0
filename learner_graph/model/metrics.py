"""Scores of probabilistic predictions: AUC, log loss, Brier, accuracy, calibration and ECE."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

BUCKETS = 10
EPS = 1e-15


def calibration_table(y: np.ndarray, p: np.ndarray, buckets: int = BUCKETS) -> list[dict[str, Any]]:
    """Equal-width probability buckets: count, mean prediction and observed rate of each."""
    which = np.minimum((p * buckets).astype(int), buckets - 1)
    table = []
    for b in range(buckets):
        inside = which == b
        n = int(inside.sum())
        table.append({
            "lo": b / buckets, "hi": (b + 1) / buckets, "n": n,
            "predicted": float(p[inside].mean()) if n else None,
            "observed": float(y[inside].mean()) if n else None,
        })
    return table


def ece(table: list[dict[str, Any]]) -> float:
    """Expected calibration error: bucket gaps weighted by bucket size."""
    total = sum(row["n"] for row in table)
    return float(sum(row["n"] * abs(row["predicted"] - row["observed"]) for row in table if row["n"]) / total)


def score(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """Every metric of predictions `p` of outcomes `y` (1 = correct)."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    clipped = np.clip(p, EPS, 1 - EPS)
    table = calibration_table(y, p)
    return {
        "n": int(len(y)),
        "auc": float(roc_auc_score(y, p)),
        "log_loss": float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped))),
        "brier": float(np.mean((p - y) ** 2)),
        "accuracy": float(np.mean((p >= 0.5) == (y == 1))),
        "ece": ece(table),
        "calibration": table,
    }


def reliability_png(path: Path, curves: dict[str, dict[str, Any]]) -> Path:
    """Draw the reliability diagram of each named score (with its calibration table) to `path`."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 5))
    axes.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect")
    for name, result in curves.items():
        rows = [r for r in result["calibration"] if r["n"]]
        axes.plot([r["predicted"] for r in rows], [r["observed"] for r in rows], marker="o",
                  label=f"{name} (ECE {result['ece']:.3f})")
    axes.set(xlabel="predicted P(correct)", ylabel="observed rate", xlim=(0, 1), ylim=(0, 1),
             title="Reliability (10 buckets)")
    axes.legend(loc="upper left")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path
