"""The live student fit: a few Newton steps of regularised, recency-weighted logistic regression."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from learner_graph.model.coldstart import with_questions
from learner_graph.model.features import History, count_features, pair_index
from learner_graph.model.forgetting import WINDOWS, counts_at
from learner_graph.model.served import DepthPlan, offset
from learner_graph.model.side import QuestionSide


@dataclass(frozen=True)
class StudentState:
    """The fitted student: `phi = (theta, c)`, its posterior covariance and concept counts (all
    time, and per time window before the prediction's time for the forgetting term)."""

    phi: np.ndarray
    cov: np.ndarray
    n_attempts: int
    wins: np.ndarray  # per concept of the side
    fails: np.ndarray
    total_wins: float = 0.0
    total_fails: float = 0.0
    window_wins: np.ndarray | None = None  # (K, W) per concept, in each of `forgetting.WINDOWS`
    window_seen: np.ndarray | None = None

    @property
    def variance(self) -> float:
        """Posterior variance of the student's bias `c`: small when much data stands behind it."""
        return float(self.cov[-1, -1])


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def newton(X: np.ndarray, offset: np.ndarray, y: np.ndarray, weight: np.ndarray, mean: np.ndarray,
           precision: np.ndarray, phi: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """MAP estimate of `phi` under the Gaussian prior; returns it and the inverse Hessian."""
    hessian = precision
    for _ in range(steps):
        p = sigmoid(offset + X @ phi)
        gradient = X.T @ (weight * (p - y)) + precision @ (phi - mean)
        hessian = (X.T * (weight * p * (1 - p))) @ X + precision
        phi = phi - np.linalg.solve(hessian, gradient)
    return phi, np.linalg.inv(hessian)


def recency(n: int, half_life: float) -> np.ndarray:
    """Weights of `n` attempts, oldest first: the newest weighs 1, one half-life back 0.5."""
    return np.power(0.5, np.arange(n - 1, -1, -1) / half_life)


def history_offsets(side: QuestionSide, q: np.ndarray, correct: np.ndarray, at: np.ndarray | None = None
                    ) -> np.ndarray:
    """Each attempt's logit without the student term, from the counts before it (`at`: the
    attempts' times, which the forgetting term reads; None: positions)."""
    zeros = np.zeros(len(q), dtype=np.int64)
    f = count_features(zeros, q, correct, side.concept_ptr, side.concept_idx, side.concept_w,
                       len(side.concept_ids), at)
    cb, cw, cf = (np.append(a, 0.0) for a in (side.concept_bias, side.concept_win, side.concept_fail))
    per_slot = cb[f.concept] + cw[f.concept] * f.log_wins + cf[f.concept] * f.log_fails
    if len(side.window_win):
        per_slot = per_slot + f.window_wins @ side.window_win + f.window_seen @ side.window_seen
    terms = (f.weight * per_slot).sum(1)
    return side.bias[q] + terms + side.total_win * f.total_wins + side.total_fail * f.total_fails


def fit_student(side: QuestionSide, history: History, *, steps: int = 3) -> StudentState:
    """Fit the student against the fixed question side (population prior when there is no history)."""
    side, q = with_questions(side, history.question_ids, None)
    y = history.correct.astype(np.float64)
    n_concepts = len(side.concept_ids)
    per_row, _, _, pair = pair_index(side.concept_ptr, q)
    concepts = side.concept_idx[pair]
    wins = np.bincount(concepts, weights=np.repeat(y, per_row), minlength=n_concepts)
    fails = np.bincount(concepts, minlength=n_concepts) - wins
    if not len(q):
        return StudentState(side.prior_mean, side.prior_cov, 0, wins, fails)
    window_wins = window_seen = None
    if len(side.window_win):
        window_wins, window_seen = counts_at(concepts, np.repeat(history.at, per_row), np.repeat(y, per_row),
                                             history.as_of(), n_concepts, WINDOWS)
    total_wins = float(y.sum())
    offset = history_offsets(side, q, history.correct, history.at)[-side.window:]
    y_all, q, y = y, q[-side.window:], y[-side.window:]
    X = np.hstack([side.vectors[q], np.ones((len(q), 1))])
    weight = recency(len(q), side.half_life)
    phi, cov = newton(X, offset, y, weight, side.prior_mean, side.prior_precision, side.prior_mean, steps)
    return StudentState(phi, cov, len(history), wins, fails, total_wins, len(y_all) - total_wins,
                        window_wins, window_seen)


def logits(side: QuestionSide, state: StudentState, q: np.ndarray) -> np.ndarray:
    """Uncalibrated logits of known question indexes `q` for the fitted student."""
    per_concept, total = _student_terms(side, state)
    concept_term = side.concept_matrix @ per_concept
    theta, c = state.phi[:-1], state.phi[-1]
    return side.bias[q] + side.vectors[q] @ theta + c + concept_term[q] + total


@dataclass(frozen=True)
class ItemRows:
    """The question side's rows for a fixed set of question indexes, sliced once: scoring many
    students on the same candidates then costs one small matrix-vector product each."""

    bias: np.ndarray
    vectors: np.ndarray
    concepts: csr_matrix

    @classmethod
    def of(cls, side: QuestionSide, q: np.ndarray) -> ItemRows:
        return cls(side.bias[q], np.ascontiguousarray(side.vectors[q]), side.concept_matrix[q])


def logits_at(side: QuestionSide, state: StudentState, items: ItemRows) -> np.ndarray:
    """`logits` over the questions `items` was sliced for (the same values, term for term)."""
    per_concept, total = _student_terms(side, state)
    theta, c = state.phi[:-1], state.phi[-1]
    return items.bias + items.vectors @ theta + c + items.concepts @ per_concept + total


def _student_terms(side: QuestionSide, state: StudentState) -> tuple[np.ndarray, float]:
    """The student's Best-LR weight per concept (with the forgetting term at the history's time),
    and their overall win/fail term."""
    per_concept = (side.concept_bias + side.concept_win * np.log1p(state.wins)
                   + side.concept_fail * np.log1p(state.fails))
    if state.window_wins is not None and state.window_seen is not None:
        per_concept = (per_concept + np.log1p(state.window_wins) @ side.window_win
                       + np.log1p(state.window_seen) @ side.window_seen)
    total = side.total_win * np.log1p(state.total_wins) + side.total_fail * np.log1p(state.total_fails)
    return per_concept, total


def calibrate(side: QuestionSide, z: np.ndarray, served: np.ndarray | float = 0.0) -> np.ndarray:
    """P(correct) from logits: Platt scaling, plus `served`, the served calibration's term
    (`served_term`)."""
    a, b = side.calibration
    return sigmoid(a * z + b + served)


def served_term(side: QuestionSide, state: StudentState, concepts: csr_matrix) -> np.ndarray | float:
    """The served calibration's logit term for the fitted student on questions whose concept rows
    are `concepts`: their history band's offset, plus the slope times each question's unshown
    depth (the mean over its concepts, weighted as the question assesses them; `model.served`)."""
    term: np.ndarray | float = offset(side.served, state.n_attempts)
    if side.served_slope and side.prerequisites:
        plan = side.cache.get("depth_plan")
        if plan is None:
            plan = side.cache["depth_plan"] = DepthPlan.of(side.prerequisites)
        depth = plan.depth((state.wins + state.fails) > 0)
        weights = np.asarray(concepts.sum(axis=1)).ravel()
        term = term + side.served_slope * (concepts @ depth) / np.where(weights > 0, weights, 1.0)
    return term


def predict(side: QuestionSide, history: History, question_ids: Sequence[str], *,
            question_meta: Mapping[str, Mapping[str, Any]] | None = None) -> np.ndarray:
    """P(correct) of each candidate for the student of `history`, fitted live.

    Unknown question ids get a cold-start vector from `question_meta[id]`
    (`text`, `concept_ids`, `difficulty_tag`), or the average question when there is none.
    """
    return predict_with_state(side, history, question_ids, question_meta=question_meta)[0]


def predict_rows(side: QuestionSide, history: History, rows: np.ndarray, items: ItemRows | None = None
                 ) -> np.ndarray:
    """`predict` for questions the side already has, given as its row indexes (no id lookups);
    `items`: `ItemRows.of(side, rows)` when the caller keeps it for these rows."""
    state = fit_student(side, history)
    if items is None:
        return calibrate(side, logits(side, state, rows), served_term(side, state, side.concept_matrix[rows]))
    return calibrate(side, logits_at(side, state, items), served_term(side, state, items.concepts))


def predict_with_state(side: QuestionSide, history: History, question_ids: Sequence[str], *,
                       question_meta: Mapping[str, Mapping[str, Any]] | None = None
                       ) -> tuple[np.ndarray, StudentState]:
    """`predict`, plus the fitted student (attempts used, posterior variance) for a confidence figure."""
    side, q = with_questions(side, question_ids, question_meta)
    state = fit_student(side, history)
    return calibrate(side, logits(side, state, q), served_term(side, state, side.concept_matrix[q])), state
