"""The live protocol: predict each attempt of held-out students from their earlier attempts only."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from learner_graph.model import baselines
from learner_graph.model.coldstart import with_questions
from learner_graph.model.data import AttemptLog
from learner_graph.model.live import history_offsets, newton, recency, sigmoid
from learner_graph.model.metrics import score
from learner_graph.model.served import fit_offsets
from learner_graph.model.side import QuestionSide

WARM_STEPS = 2  # warm-started from the previous attempt's fit, two Newton steps converge
CALIBRATION_ROWS = 30_000  # Platt scaling has two parameters: this many attempts pin them down
SERVED_MIN_ITEMS = 50  # fewer served next-best answers than this: no served calibration
SERVED_ATTEMPTS = 60_000  # the served learners' attempts replayed for it, the most recently served first
SERVED_EDGES = (0,)  # one offset for every history length (docs/BENCHMARKS.md, #16 round 13)


def question_metas(log: AttemptLog) -> dict[str, dict[str, Any]]:
    """Cold-start metadata of every question of `log`."""
    return {
        q: {"concept_ids": log.concepts.get(q, []), "text": log.texts.get(q, ""),
            "difficulty_tag": log.tags.get(q)}
        for q in np.unique(log.questions).tolist()
    }


def _student_logits(side: QuestionSide, q: np.ndarray, y: np.ndarray, at: np.ndarray) -> np.ndarray:
    offset = history_offsets(side, q, y, at)
    X = np.hstack([side.vectors[q], np.ones((len(q), 1))])
    phi, out = side.prior_mean, np.empty(len(q))
    for t in range(len(q)):
        if t:
            lo = max(0, t - side.window)
            phi, _ = newton(X[lo:t], offset[lo:t], y[lo:t], recency(t - lo, side.half_life),
                            side.prior_mean, side.prior_precision, phi, WARM_STEPS)
        out[t] = offset[t] + X[t] @ phi
    return out


def live_logits(side: QuestionSide, log: AttemptLog) -> np.ndarray:
    """Uncalibrated logit of every row of `log`, each from the student's earlier rows only."""
    side, q = with_questions(side, log.questions.tolist(), question_metas(log))
    y = log.correct.astype(np.float64)
    out = np.empty(len(log))
    bounds = np.flatnonzero(np.r_[True, log.users[1:] != log.users[:-1], True])
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        out[lo:hi] = _student_logits(side, q[lo:hi], y[lo:hi], log.at[lo:hi])
    return out


def live_probabilities(side: QuestionSide, log: AttemptLog) -> np.ndarray:
    a, b = side.calibration
    return sigmoid(a * live_logits(side, log) + b)


def calibrate_live(side: QuestionSide, validation: AttemptLog) -> QuestionSide:
    """Platt scaling fitted on the live-protocol logits of the validation students."""
    if len(validation) < 20 or len(np.unique(validation.correct)) < 2:
        return side
    # Whole students, in order, until about CALIBRATION_ROWS attempts.
    last_user = validation.users[min(len(validation), CALIBRATION_ROWS) - 1]
    validation = validation.select(np.cumsum(validation.users != np.roll(validation.users, 1))
                                   <= np.flatnonzero(validation.students() == last_user)[0] + 1)
    z = live_logits(side, validation)
    platt = LogisticRegression(C=1e4).fit(z[:, None], validation.correct)
    calibrated = replace(side, calibration=(float(platt.coef_[0, 0]), float(platt.intercept_[0])))
    a, b = calibrated.calibration
    metrics = score(validation.correct, sigmoid(a * z + b))
    calibrated.info["validation"] = {k: v for k, v in metrics.items() if k != "calibration"}
    return calibrated


def calibrate_served(side: QuestionSide, log: AttemptLog) -> QuestionSide:
    """The served calibration (`model.served`) fitted on the next-best items recommendations served.

    Those items are chosen at the learner's frontier, where the population's training answers say
    little about this learner, and the model can be off there by more than over all attempts: a
    model trained a little differently serves them at 0.45 or 0.55 true success for a predicted
    0.5. Each served item is predicted as the live fit would have then (from the learner's earlier
    attempts, Platt-scaled, with this side: whichever model served it) and one logit offset, under
    `fit_offsets`'s N(0, 1) prior, is fitted so that they succeed as predicted. Learners whose
    items were served most recently are replayed first, up to `SERVED_ATTEMPTS` attempts."""
    if log.served is None or int(log.served.sum()) < SERVED_MIN_ITEMS:
        return side
    frame = pd.DataFrame({"user": log.users, "served": log.served, "at": log.at})
    last = frame[frame["served"]].groupby("user", sort=False)["at"].max().sort_values(ascending=False)
    sizes = frame.groupby("user", sort=False).size()[last.index]
    within = int(np.searchsorted(sizes.cumsum().to_numpy(), SERVED_ATTEMPTS, side="right"))
    chosen = last.index[: max(1, within)]  # at least one learner, however long their history
    replay = log.select(np.isin(log.users, chosen.to_numpy()))
    assert replay.served is not None
    starts = np.flatnonzero(np.r_[True, replay.users[1:] != replay.users[:-1]])
    before = np.arange(len(replay)) - np.repeat(starts, np.diff(np.r_[starts, len(replay)]))
    p = live_probabilities(side, replay)[replay.served]
    y = replay.correct[replay.served]
    offsets, _ = fit_offsets(p, y, before[replay.served], edges=SERVED_EDGES)
    calibrated = replace(side, served=offsets)
    calibrated.info["served"] = {"items": int(len(y)), "learners": len(chosen), "predicted": float(p.mean()),
                                 "observed": float(y.mean()), "offset": offsets[0][1]}
    return calibrated


def evaluate(side: QuestionSide, train: AttemptLog, test: AttemptLog) -> dict[str, Any]:
    """Our model and both baselines on `test` (live protocol); baselines learn from `train`."""
    report = score(test.correct, live_probabilities(side, test))
    report["model_id"] = side.model_id
    report["baselines"] = {
        "item_only": score(test.correct, baselines.item_only(train, test)),
        "item_elo": score(test.correct, baselines.item_elo(train, test)),
    }
    return report


def format_table(report: dict[str, Any]) -> str:
    """A plain-text table of the headline metrics of our model and the baselines."""
    rows = [("model", report)] + list(report["baselines"].items())
    lines = [f"{'':12} {'AUC':>7} {'logloss':>8} {'Brier':>7} {'acc':>7} {'ECE':>7}"]
    for name, r in rows:
        lines.append(f"{name:12} {r['auc']:7.4f} {r['log_loss']:8.4f} {r['brier']:7.4f} "
                     f"{r['accuracy']:7.4f} {r['ece']:7.4f}")
    lines.append("")
    lines.append(f"{'bucket':12} {'n':>7} {'pred':>7} {'obs':>7}")
    for row in report["calibration"]:
        if row["n"]:
            lines.append(f"{row['lo']:.1f}-{row['hi']:.1f}     {row['n']:7d} {row['predicted']:7.3f} "
                         f"{row['observed']:7.3f}")
    return "\n".join(lines)
