"""A student's history, and the count features read from it: Best-LR's prior wins and fails, and
DAS3H's counts in time windows (`model.forgetting`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from learner_graph.model.forgetting import WINDOWS, window_counts


def _seconds(at: Any, position: int) -> float:
    if at is None:
        return float(position)
    if hasattr(at, "to_native"):  # neo4j.time.DateTime
        at = at.to_native()
    if isinstance(at, datetime):
        return at.timestamp()
    return float(at)


@dataclass(frozen=True)
class History:
    """A student's attempts in scope, oldest first, as of `now` (the time of the prediction)."""

    question_ids: tuple[str, ...]
    correct: np.ndarray  # int8, 1 = correct
    at: np.ndarray  # seconds since the epoch (or positions when there are no times)
    now: float | None = None  # seconds, as `at`; None: just after the last attempt

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]], *, now: Any = None) -> History:
        """From dicts `{question_id, correct, at}` in any order (sorted by `at`, stable); `now`
        as `at` (a datetime, or seconds), which the forgetting term counts back from."""
        items = [(_seconds(r.get("at"), i), str(r["question_id"]), int(bool(r["correct"])))
                 for i, r in enumerate(rows)]
        items.sort(key=lambda item: item[0])
        return cls(
            question_ids=tuple(q for _, q, _ in items),
            correct=np.array([c for _, _, c in items], dtype=np.int8),
            at=np.array([t for t, _, _ in items], dtype=np.float64),
            now=None if now is None else _seconds(now, 0),
        )

    @classmethod
    def empty(cls) -> History:
        return cls((), np.zeros(0, dtype=np.int8), np.zeros(0))

    def __len__(self) -> int:
        return len(self.question_ids)

    def as_of(self) -> float:
        """The time predictions are for: `now`, or the last attempt's time without one."""
        if self.now is not None:
            return self.now
        return float(self.at[-1]) if len(self.at) else 0.0


def prior_counts(group: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wins and fails of the same group (e.g. student x concept) strictly before each row.

    Rows must be in time order within each group; the sort is stable so that order is kept.
    """
    order = np.argsort(group, kind="stable")
    g = group[order]
    c = correct[order].astype(np.float64)
    before = np.cumsum(c) - c
    position = np.arange(len(g))
    starts = np.ones(len(g), dtype=bool)
    starts[1:] = g[1:] != g[:-1]
    start = np.maximum.accumulate(np.where(starts, position, 0))
    wins, seen = np.empty(len(g)), np.empty(len(g))
    wins[order] = before - before[start]
    seen[order] = position - start
    return wins, seen - wins


def pair_index(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """For CSR rows `rows`: entries per row, and per entry its row, its slot in the row and its position."""
    per_row = ptr[rows + 1] - ptr[rows]
    row = np.repeat(np.arange(len(rows)), per_row)
    slot = np.arange(len(row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    return per_row, row, slot, np.repeat(ptr[rows], per_row) + slot


@dataclass(frozen=True)
class CountFeatures:
    """Per attempt: its concepts (padded with index K, weight 0), log1p prior wins/fails, and
    log1p prior wins/attempts in each of DAS3H's time windows."""

    concept: np.ndarray  # (N, M) int
    weight: np.ndarray  # (N, M)
    log_wins: np.ndarray  # (N, M) on each concept
    log_fails: np.ndarray
    total_wins: np.ndarray  # (N,) log1p over all concepts
    total_fails: np.ndarray
    window_wins: np.ndarray  # (N, M, W) on each concept, in each of `forgetting.WINDOWS`
    window_seen: np.ndarray


def count_features(
    student: np.ndarray, question: np.ndarray, correct: np.ndarray,
    ptr: np.ndarray, idx: np.ndarray, w: np.ndarray, n_concepts: int, at: np.ndarray | None = None,
) -> CountFeatures:
    """Count features of attempts given as integer codes, in time order within each student.

    `ptr, idx, w` is the CSR map of question code -> concept codes and weights; `at` the
    attempts' times in seconds (None: positions, as `History` uses when there are no times).
    """
    n = len(question)
    at = np.arange(n, dtype=np.float64) if at is None else np.asarray(at, dtype=np.float64)
    per_row, row, slot, pair = pair_index(ptr, question)
    concept = idx[pair]
    group = student[row].astype(np.int64) * (n_concepts + 1) + concept
    wins, fails = prior_counts(group, correct[row])
    recent_wins, recent_seen = window_counts(group, at[row], correct[row], WINDOWS)
    width = max(int(per_row.max(initial=0)), 1)
    out_c = np.full((n, width), n_concepts, dtype=np.int64)
    out_w, out_lw, out_lf = (np.zeros((n, width)) for _ in range(3))
    out_rw, out_rs = (np.zeros((n, width, len(WINDOWS))) for _ in range(2))
    out_c[row, slot], out_w[row, slot] = concept, w[pair]
    out_lw[row, slot], out_lf[row, slot] = np.log1p(wins), np.log1p(fails)
    out_rw[row, slot], out_rs[row, slot] = np.log1p(recent_wins), np.log1p(recent_seen)
    total_w, total_f = prior_counts(student.astype(np.int64), correct)
    return CountFeatures(out_c, out_w, out_lw, out_lf, np.log1p(total_w), np.log1p(total_f), out_rw, out_rs)
