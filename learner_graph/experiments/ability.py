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

Difficulties come from the active success model (`model_difficulty`). Without one they are fitted
jointly with the abilities on the experiment's own counts (`fit_jointly`): a question's pooled
success rate alone would say more about who it was served to than about the question, since the
engine serves each student questions near its target P. The gain's size is only as good as the
difficulty scale: difficulties that vary less than the true ones under-credit a move to harder
questions, which then reads as lost ability (docs/BENCHMARKS.md measures this on the simulator).
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
from learner_graph.model.store import with_graph_questions

PRIOR_SD = 1.0  # logits, for abilities and (without a model) question difficulties
MAX_STEPS = 50
MAX_STEP = 2.0  # logits: damps the first Newton steps of a phase answered all right or all wrong
TOLERANCE = 1e-10
MAX_ROUNDS = 500  # alternations of the ability and difficulty fits without a model
TOLERANCE_ROUNDS = 1e-8


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


async def user_ability_gains(*, db: Graph, key: str, until: datetime) -> pd.Series:
    """`ability_gain` of every exposed user with at least three attempts in the window, by user id."""
    counts = await ability_counts(db=db, key=key, until=until)
    side = await registry.load_active(db=db)
    if side is None:
        difficulty = await asyncio.to_thread(fit_jointly, counts)
    else:
        side = await with_graph_questions(db, side)  # questions newer than the model: its cold start
        difficulty = await asyncio.to_thread(model_difficulty, side, sorted(set(counts["question_id"])))
    return await asyncio.to_thread(ability_gain, counts, difficulty)


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


def fit_jointly(counts: pd.DataFrame) -> pd.Series:
    """Question difficulties fitted jointly with every (user, phase) ability, without a model.

    Alternates the two vectorised Newton fits until they agree: abilities under N(μ, 1) as in
    `ability_gain` (μ from the current difficulties), difficulties under N(0, 1).
    """
    user_phase, pairs = pd.factorize(pd.MultiIndex.from_frame(counts[["user_id", "phase"]]))
    question, ids = pd.factorize(counts["question_id"])
    n, correct = counts["n"].to_numpy(dtype=float), counts["correct"].to_numpy(dtype=float)
    b = np.zeros(len(ids))
    for _ in range(MAX_ROUNDS if len(n) else 0):
        level = pooled_level(b[question], n, correct)
        theta = fit_theta(user_phase, b[question], n, correct, groups=len(pairs), prior_mean=level)
        # A question's easiness −b is its "ability" against the students' −θ: P = σ(−b − (−θ)).
        fitted = -fit_theta(question, -theta[user_phase], n, correct, groups=len(ids), prior_mean=0.0)
        moved = np.abs(fitted - b).max(initial=0.0)
        b = fitted
        if moved < TOLERANCE_ROUNDS:
            break
    return pd.Series(b, index=list(ids), dtype=float)
