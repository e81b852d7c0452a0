"""A student's history, and the Best-LR count features (prior wins and fails) read from it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np


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
    """A student's attempts in scope, oldest first."""

    question_ids: tuple[str, ...]
    correct: np.ndarray  # int8, 1 = correct
    at: np.ndarray  # seconds since the epoch (or positions when there are no times)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> History:
        """From dicts `{question_id, correct, at}` in any order (sorted by `at`, stable)."""
        items = [(_seconds(r.get("at"), i), str(r["question_id"]), int(bool(r["correct"])))
                 for i, r in enumerate(rows)]
        items.sort(key=lambda item: item[0])
        return cls(
            question_ids=tuple(q for _, q, _ in items),
            correct=np.array([c for _, _, c in items], dtype=np.int8),
            at=np.array([t for t, _, _ in items], dtype=np.float64),
        )

    @classmethod
    def empty(cls) -> History:
        return cls((), np.zeros(0, dtype=np.int8), np.zeros(0))

    def __len__(self) -> int:
        return len(self.question_ids)


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
    """Per attempt: its concepts (padded with index K, weight 0) and log1p prior wins/fails."""

    concept: np.ndarray  # (N, M) int
    weight: np.ndarray  # (N, M)
    log_wins: np.ndarray  # (N, M) on each concept
    log_fails: np.ndarray
    total_wins: np.ndarray  # (N,) log1p over all concepts
    total_fails: np.ndarray


def count_features(
    student: np.ndarray, question: np.ndarray, correct: np.ndarray,
    ptr: np.ndarray, idx: np.ndarray, w: np.ndarray, n_concepts: int,
) -> CountFeatures:
    """Count features of attempts given as integer codes, in time order within each student.

    `ptr, idx, w` is the CSR map of question code -> concept codes and weights.
    """
    n = len(question)
    per_row, row, slot, pair = pair_index(ptr, question)
    concept = idx[pair]
    wins, fails = prior_counts(student[row].astype(np.int64) * (n_concepts + 1) + concept, correct[row])
    width = max(int(per_row.max(initial=0)), 1)
    out_c = np.full((n, width), n_concepts, dtype=np.int64)
    out_w, out_lw, out_lf = (np.zeros((n, width)) for _ in range(3))
    out_c[row, slot], out_w[row, slot] = concept, w[pair]
    out_lw[row, slot], out_lf[row, slot] = np.log1p(wins), np.log1p(fails)
    total_w, total_f = prior_counts(student.astype(np.int64), correct)
    return CountFeatures(out_c, out_w, out_lw, out_lf, np.log1p(total_w), np.log1p(total_f))
