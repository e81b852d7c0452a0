"""The forgetting term: DAS3H's time-windowed practice counts per learner and concept.

DAS3H (Choffin, Popineau, Bourda & Vie, *DAS3H: Modeling Student Learning and Forgetting for
Optimally Scheduling Distributed Practice of Skills*, EDM 2019) adds to a learner's logit on a
question, for each concept it assesses and each time window w before now, `a_w log(1 + wins_w)
+ b_w log(1 + attempts_w)`, with weights learned per window. Practice long ago then counts only
through the wider windows, so the same history predicts less once time has passed: the live fit
can tell "forgot this concept" from "a low level". Here the weights are shared by all concepts
(eight numbers, `QuestionSide.window_win` / `window_seen`); the all-time counts are the Best-LR
terms the model already has.

Training (`count_features`, each attempt from the attempts before it) and the live fit
(`counts_at`, at the time of the request) count the same way: attempts at `at >= t - w`.
"""

from __future__ import annotations

import numpy as np

HOUR = 3600.0
# Seconds: < 1 hour, < 1 day, < 1 week, < 30 days (the paper's windows, the all-time one aside).
WINDOWS = (HOUR, 24 * HOUR, 7 * 24 * HOUR, 30 * 24 * HOUR)


def window_counts(group: np.ndarray, at: np.ndarray, correct: np.ndarray,
                  windows: tuple[float, ...] = WINDOWS) -> tuple[np.ndarray, np.ndarray]:
    """Wins and attempts of the same group at `at >= t - w` strictly before each row, (N, W).

    Rows must be in time order within each group (as `features.prior_counts` asks); rows at the
    same time count in row order.
    """
    n = len(group)
    if not n:
        return np.zeros((0, len(windows))), np.zeros((0, len(windows)))
    order = np.argsort(group, kind="stable")
    g = group[order]
    rank = np.cumsum(np.r_[False, g[1:] != g[:-1]])  # 0, 1, 2... per group, in sorted order
    t = at[order] - at.min()
    # One sorted key (group, time): a group's span keeps the next group's keys out of any window.
    span = float(t.max()) + max(windows) + 1.0
    key = rank * span + t
    wins = np.concatenate([[0.0], np.cumsum(correct[order].astype(np.float64))])
    position = np.arange(n)
    out_w, out_n = np.empty((n, len(windows))), np.empty((n, len(windows)))
    for j, width in enumerate(windows):
        low = np.searchsorted(key, key - width, side="left")
        out_n[order, j] = position - low
        out_w[order, j] = wins[position] - wins[low]
    return out_w, out_n


def counts_at(concepts: np.ndarray, at: np.ndarray, correct: np.ndarray, now: float, n_concepts: int,
              windows: tuple[float, ...] = WINDOWS) -> tuple[np.ndarray, np.ndarray]:
    """Per concept, wins and attempts at `at >= now - w` of one learner's attempts, (K, W).

    One entry per (attempt, concept it assesses) pair: an attempt counts once for each of its
    concepts, whatever the weight, as in training.
    """
    wins, seen = np.zeros((n_concepts, len(windows))), np.zeros((n_concepts, len(windows)))
    for j, width in enumerate(windows):
        recent = at >= now - width
        seen[:, j] = np.bincount(concepts[recent], minlength=n_concepts)
        wins[:, j] = np.bincount(concepts[recent], weights=correct[recent], minlength=n_concepts)
    return wins, seen
