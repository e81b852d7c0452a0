"""Difficulty-adjusted ability and how much it grew: a learning metric that easy answers do not inflate.

Accuracy and FSRS mastery rise when an arm serves easier questions, whether or not anyone learns.
`ability_gain` compares like with like: each user's attempts in the window are split in thirds by
order, a Rasch ability θ is fitted to the first and to the last third, P(correct) = σ(θ − b_q)
with b_q the question's difficulty, and the gain is θ_late − θ_early in logits. Easier questions
raise the success rate and lower b_q together, so θ does not move.

θ is the MAP under a N(μ, 1) prior, μ the pooled level of all the attempts, found by Newton steps
over every (user, phase) at once. The prior keeps a phase answered all right finite; it also pulls
θ further towards μ when a phase says less about the student (questions far too easy or too hard),
so a gain measured on such questions comes out smaller than it is.

The gain is only as good as the difficulty scale: difficulties that vary less than the true ones
under-credit a move to harder questions, which then reads as lost ability. The active model's
difficulties are such a compressed scale (docs/BENCHMARKS.md), and per-question difficulties fitted
on one experiment's few answers per question are noisy. So `calibrate` fits a few parameters
instead, jointly with every (user, phase) ability on the experiment's answers: a level per
content-assigned difficulty tag, plus the model's difficulty times a fitted scale k when a model
is active (`model_difficulty`), which keeps the model's ordering within a tag for what it is worth.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from learner_graph.db.graph import Graph
from learner_graph.model import registry
from learner_graph.model.coldstart import with_questions
from learner_graph.model.side import QuestionSide
from learner_graph.model.store import ModelStore, with_graph_questions

PRIOR_SD = 1.0  # logits, for abilities and for the difficulty parameters (tag levels, model scale)
MAX_STEPS = 50
MAX_STEP = 2.0  # logits: damps the first Newton steps of a phase answered all right or all wrong
TOLERANCE = 1e-10
CALIBRATION_THETA_SD = 10.0  # logits: nearly free abilities while calibrating, see `calibrate`
MODEL = "model"  # the feature holding the model's difficulty; its scale's prior is centred on 1


def fit_theta(
    group: np.ndarray, difficulty: np.ndarray, n: np.ndarray, correct: np.ndarray, *,
    groups: int, prior_mean: float, prior_sd: float = PRIOR_SD,
) -> np.ndarray:
    """MAP Rasch ability of each group from rows (group, question difficulty, attempts, correct)."""
    theta = np.full(groups, float(prior_mean))
    precision = 1.0 / prior_sd**2
    for _ in range(MAX_STEPS):
        p = expit(theta[group] - difficulty)
        likelihood = np.bincount(group, weights=correct - n * p, minlength=groups)
        gradient = likelihood - precision * (theta - prior_mean)
        curvature = np.bincount(group, weights=n * p * (1.0 - p), minlength=groups) + precision
        step = np.clip(gradient / curvature, -MAX_STEP, MAX_STEP)
        theta += step
        if np.abs(step).max(initial=0.0) < TOLERANCE:
            break
    return theta


def pooled_level(difficulty: np.ndarray, n: np.ndarray, correct: np.ndarray) -> float:
    """The prior mean μ: logit of the pooled success rate plus the attempts' mean difficulty."""
    rate = np.clip(correct.sum() / n.sum(), 0.01, 0.99)
    return float(logit(rate) + np.average(difficulty, weights=n))


def ability_gain(counts: pd.DataFrame, difficulty: pd.Series) -> pd.Series:
    """θ_late − θ_early per user, from `experiment_ability_counts` rows and difficulties by question id."""
    rows = counts.assign(b=counts["question_id"].map(difficulty)).dropna(subset=["b"])
    keys = pd.MultiIndex.from_frame(rows[["user_id", "phase"]])
    group, unique = pd.factorize(keys)
    n, correct, b = (rows[column].to_numpy(dtype=float) for column in ("n", "correct", "b"))
    level = pooled_level(b, n, correct) if len(rows) else 0.0
    theta = fit_theta(group, b, n, correct, groups=len(unique), prior_mean=level)
    table = pd.Series(theta, index=unique.set_names(["user_id", "phase"]))
    phases = table.unstack("phase").reindex(columns=["early", "late"])
    return (phases["late"] - phases["early"]).rename("ability_gain")


COUNTS = ["user_id", "phase", "question_id", "n", "correct"]


async def ability_counts(*, db: Graph, key: str, until: datetime) -> pd.DataFrame:
    """Attempts and correct answers per user × phase (early, late) × question, from the graph."""
    rows = await db.read("experiment_ability_counts", key=key, until=until)
    lists = pd.DataFrame(rows, columns=["user_id", "phase", "question_ids", "n", "correct"])
    counts = lists.rename(columns={"question_ids": "question_id"}).explode(["question_id", "n", "correct"])
    return counts.astype({"n": float, "correct": float}).reset_index(drop=True)[COUNTS]


async def user_ability_gains(
    *, db: Graph, key: str, until: datetime, models: ModelStore | None = None
) -> pd.Series:
    """`ability_gain` of every exposed user with at least three attempts in the window, by user id.

    `models`: the process's active model, already extended to the graph's questions (the API's);
    without it the active model is loaded and extended here, which costs seconds.
    """
    counts = await ability_counts(db=db, key=key, until=until)
    question_ids = sorted(set(counts["question_id"]))
    rows = await db.read("model_question_meta", question_ids=question_ids)
    tags = pd.Series({row["id"]: row["difficulty_tag"] for row in rows}, index=question_ids, dtype=float)
    side = await models.current(db) if models is not None else await _active_side(db)
    model = None
    if side is not None:
        model = await asyncio.to_thread(model_difficulty, side, question_ids)
    difficulty = await asyncio.to_thread(calibrate, counts, question_features(tags, model))
    return await asyncio.to_thread(ability_gain, counts, difficulty)


async def _active_side(db: Graph) -> QuestionSide | None:
    side = await registry.load_active(db=db)
    # questions newer than the model: their cold start
    return None if side is None else await with_graph_questions(db, side)


def model_difficulty(side: QuestionSide, question_ids: Sequence[str]) -> pd.Series:
    """Each question's difficulty under the model: minus its calibrated logit for the average new student.

    That logit is the question's bias, its concepts' biases and its vector against the population's
    mean student (counts of earlier practice left out).
    """
    ids = list(question_ids)
    side, q = with_questions(side, ids, None)
    concept_term = side.concept_matrix @ side.concept_bias
    z = side.bias[q] + concept_term[q] + side.vectors[q] @ side.prior_mean[:-1]
    return pd.Series(-side.calibration[0] * z, index=ids, dtype=float)


def question_features(tags: pd.Series, model: pd.Series | None = None) -> pd.DataFrame:
    """One column per difficulty tag (0/1; untagged questions form their own level), plus `MODEL`."""
    levels = tags.fillna(0).astype(int).map(lambda t: f"tag {t}" if t else "untagged")
    features = pd.get_dummies(levels).astype(float)
    if model is not None:
        features[MODEL] = model.reindex(tags.index).fillna(model.mean()).astype(float)
    return features


def calibrate(counts: pd.DataFrame, features: pd.DataFrame) -> pd.Series:
    """Question difficulties b = X·β, β fitted jointly with every (user, phase) ability (MAP).

    X holds each question's `features`, centred on the attempts so that the difficulties average 0
    over them (a common shift of b and θ leaves every gain unchanged); β ~ N(0, 1), the model's scale
    ~ N(1, 1). The abilities here are nearly free, θ ~ N(μ, 10²) with μ the logit of the pooled success
    rate: under the N(μ, 1) of the gains, the abilities of the students served the hardest questions
    are pulled down, and the fit blames the questions, which shrinks the scale it finds (to 3 instead
    of 5 for a scale compressed 5 times, tests/unit/test_experiments_ability.py). Returns the
    difficulty of every question in `features`.
    """
    up, pairs = pd.factorize(pd.MultiIndex.from_frame(counts[["user_id", "phase"]]))
    n, correct = counts["n"].to_numpy(dtype=float), counts["correct"].to_numpy(dtype=float)
    rows = features.index.get_indexer(pd.Index(counts["question_id"]))
    x_all = features.to_numpy(dtype=float)
    if len(n):
        x_all = x_all - np.average(x_all[rows], axis=0, weights=n)
    fit = _JointFit(up, x_all[rows], n, correct, groups=len(pairs),
                    beta0=np.array([1.0 if c == MODEL else 0.0 for c in features.columns]))
    return pd.Series(x_all @ fit.solve(), index=features.index, dtype=float)


class _JointFit:
    """Newton steps on the abilities and β at once, the abilities eliminated by their diagonal block."""

    def __init__(self, up: np.ndarray, x: np.ndarray, n: np.ndarray, correct: np.ndarray, *,
                 groups: int, beta0: np.ndarray) -> None:
        self.up, self.x, self.n, self.correct, self.groups, self.beta0 = up, x, n, correct, groups, beta0
        self.mu = pooled_level(np.zeros(len(n)), n, correct) if len(n) else 0.0
        self.precision = 1.0 / PRIOR_SD**2
        self.theta_precision = 1.0 / CALIBRATION_THETA_SD**2

    def solve(self) -> np.ndarray:
        theta, beta = np.full(self.groups, self.mu), self.beta0.copy()
        for _ in range(MAX_STEPS if len(self.n) else 0):
            step_theta, step_beta = self.step(theta, beta)
            largest = max(np.abs(step_theta).max(initial=0.0), np.abs(step_beta).max(initial=0.0))
            damp = min(1.0, MAX_STEP / largest) if largest > 0 else 1.0
            theta, beta = theta + damp * step_theta, beta + damp * step_beta
            if largest < TOLERANCE:
                break
        return beta

    def step(self, theta: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The Newton step (θ, β) of the log posterior, through the Schur complement of the θ block."""
        up, x, groups, precision = self.up, self.x, self.groups, self.precision
        p = expit(theta[up] - x @ beta)
        residual, weight = self.correct - self.n * p, self.n * p * (1.0 - p)
        prior_theta = self.theta_precision * (theta - self.mu)
        g_theta = np.bincount(up, weights=residual, minlength=groups) - prior_theta
        g_beta = -x.T @ residual - precision * (beta - self.beta0)
        d_theta = np.bincount(up, weights=weight, minlength=groups) + self.theta_precision
        cross = np.column_stack([np.bincount(up, weights=-weight * col, minlength=groups) for col in x.T])
        information = (x * weight[:, None]).T @ x + precision * np.eye(len(beta))
        schur = information - cross.T @ (cross / d_theta[:, None])
        step_beta = np.linalg.solve(schur, g_beta - cross.T @ (g_theta / d_theta))
        return (g_theta - cross @ step_beta) / d_theta, step_beta
