"""The ability fit behind `ability_gain`: exact MAP values, invariance to difficulty, the calibration."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit, logit

from learner_graph.experiments.ability import (
    ability_gain,
    calibrate,
    fit_theta,
    model_difficulty,
    pooled_level,
    question_features,
)
from tests.model_fixtures import tiny_side


def map_theta(b: np.ndarray, n: np.ndarray, k: np.ndarray, mean: float, sd: float = 1.0) -> float:
    """The MAP of one group by scalar minimisation of the negative log posterior (independent of Newton)."""

    def loss(theta: float) -> float:
        p = expit(theta - b)
        return float(-(k * np.log(p) + (n - k) * np.log(1 - p)).sum() + (theta - mean) ** 2 / (2 * sd**2))

    return float(minimize_scalar(loss, bounds=(-20, 20), method="bounded", options={"xatol": 1e-10}).x)


Answers = list[tuple[str, float, float]]  # (question, attempts, correct)


def phases(user: str, early: Answers, late: Answers) -> list[dict[str, object]]:
    return [{"user_id": user, "phase": phase, "question_id": q, "n": n, "correct": k}
            for phase, rows in (("early", early), ("late", late)) for q, n, k in rows]


def test_fit_theta_is_each_groups_map() -> None:
    rng = np.random.default_rng(1)
    group = np.repeat(np.arange(6), 5)
    b, n = rng.normal(0, 1.5, 30), rng.integers(1, 4, 30).astype(float)
    k = np.minimum(n, rng.integers(0, 4, 30)).astype(float)
    k[group == 4] = n[group == 4]  # all right: finite only through the prior
    k[group == 5] = 0.0
    theta = fit_theta(group, b, n, k, groups=6, prior_mean=0.3)
    for g in range(6):
        rows = group == g
        assert theta[g] == pytest.approx(map_theta(b[rows], n[rows], k[rows], 0.3), abs=1e-6)


def test_harder_questions_at_the_same_ability_give_the_same_theta() -> None:
    """Expected counts at ability 0.7: accuracy falls from 0.9 to 0.3 on harder questions, θ does not move."""
    easy, hard = np.array([-1.8, -1.4, -1.0]), np.array([1.2, 1.6, 2.0])
    n = np.full(3, 1000.0)
    for b in (easy, hard):
        k = n * expit(0.7 - b)
        assert fit_theta(np.zeros(3, dtype=int), b, n, k, groups=1, prior_mean=0.0, prior_sd=1e6)[0] == (
            pytest.approx(0.7, abs=1e-9))
    difficulty = pd.Series(dict(zip(["e1", "e2", "e3", "h1", "h2", "h3"], [*easy, *hard], strict=True)))
    counts = pd.DataFrame(
        phases("same", [(q, 1000.0, 1000.0 * expit(0.7 - difficulty[q])) for q in ("e1", "e2", "e3")],
               [(q, 1000.0, 1000.0 * expit(0.7 - difficulty[q])) for q in ("h1", "h2", "h3")])
        + phases("rises", [(q, 1000.0, 1000.0 * expit(0.0 - difficulty[q])) for q in ("e1", "h1")],
                 [(q, 1000.0, 1000.0 * expit(1.0 - difficulty[q])) for q in ("e1", "h1")])
    )
    gain = ability_gain(counts, difficulty)
    assert gain["same"] == pytest.approx(0.0, abs=0.01)  # the N(μ, 1) prior weighs 1/3000 of the data
    assert gain["rises"] == pytest.approx(1.0, abs=0.01)


def test_ability_gain_is_late_minus_early_map_under_the_pooled_prior() -> None:
    difficulty = pd.Series({"a": -1.0, "b": 0.5, "c": 2.0})
    counts = pd.DataFrame(phases("u1", [("a", 2, 1), ("b", 1, 0)], [("b", 2, 2), ("c", 1, 1)])
                          + phases("u2", [("c", 3, 0)], [("a", 1, 1)])
                          + [{"user_id": "u3", "phase": "early", "question_id": "a", "n": 1, "correct": 1}])
    b = counts["question_id"].map(difficulty).to_numpy()
    n, k = counts["n"].to_numpy(float), counts["correct"].to_numpy(float)
    mu = logit(k.sum() / n.sum()) + (n * b).sum() / n.sum()
    assert pooled_level(b, n, k) == pytest.approx(mu)
    gain = ability_gain(counts, difficulty)
    for user in ("u1", "u2"):
        theta = {}
        for phase in ("early", "late"):
            rows = ((counts["user_id"] == user) & (counts["phase"] == phase)).to_numpy()
            theta[phase] = map_theta(b[rows], n[rows], k[rows], mu)
        assert gain[user] == pytest.approx(theta["late"] - theta["early"], abs=1e-6)
    assert np.isnan(gain["u3"])  # no late phase: no gain
    assert ability_gain(counts.iloc[:0], difficulty).empty


def test_a_population_that_learns_shows_a_positive_mean_gain() -> None:
    rng = np.random.default_rng(7)
    difficulty = pd.Series(rng.normal(0, 1.2, 60), index=[f"q{i}" for i in range(60)])
    ability = rng.normal(0, 1, 400)
    rows = []
    for u, theta in enumerate(ability):
        for phase, level in (("early", theta), ("late", theta + 0.5)):
            for q in rng.choice(difficulty.index, 15, replace=False):
                rows.append({"user_id": f"u{u}", "phase": phase, "question_id": q, "n": 1,
                             "correct": int(rng.random() < expit(level - difficulty[q]))})
    gain = ability_gain(pd.DataFrame(rows), difficulty)
    # the prior shrinks each θ towards μ by about a quarter with 15 answers: the mean gain too
    assert 0.25 < gain.mean() < 0.5
    assert gain.std() / np.sqrt(len(gain)) < 0.05


def joint_map(counts: pd.DataFrame, features: pd.DataFrame, beta0: np.ndarray) -> np.ndarray:
    """b = X_c·β at the joint MAP (θ ~ N(μ, 10²), β ~ N(β0, 1)), by BFGS over every θ and β (not Newton)."""
    x = features.loc[counts["question_id"]].to_numpy(float)
    n, k = counts["n"].to_numpy(float), counts["correct"].to_numpy(float)
    centre = (x * n[:, None]).sum(0) / n.sum()
    group = pd.factorize(counts["user_id"] + "/" + counts["phase"])[0]
    groups, mu = group.max() + 1, logit(k.sum() / n.sum())

    def loss(params: np.ndarray) -> float:
        theta, beta = params[:groups], params[groups:]
        eta = theta[group] - (x - centre) @ beta
        spread = ((theta - mu) ** 2).sum() / (2 * 10.0**2)
        return float((n * np.logaddexp(0, eta) - k * eta).sum() + spread + ((beta - beta0) ** 2).sum() / 2)

    start = np.concatenate([np.full(groups, mu), beta0])
    fitted = minimize(loss, start, method="BFGS", options={"gtol": 1e-9}).x[groups:]
    return (features.to_numpy(float) - centre) @ fitted


def test_calibrate_is_the_joint_map_of_abilities_and_difficulty_parameters() -> None:
    rng = np.random.default_rng(3)
    tags = pd.Series([1, 1, 2, 3, 3, np.nan], index=[f"q{q}" for q in range(6)], dtype=float)
    model = pd.Series([-0.5, -0.2, 0.0, 0.3, 0.5, 0.1], index=tags.index)
    rows = [{"user_id": f"u{u}", "phase": phase, "question_id": f"q{q}", "n": float(rng.integers(1, 3)),
             "correct": 0.0}
            for u in range(8) for phase in ("early", "late") for q in rng.choice(6, 4, replace=False)]
    counts = pd.DataFrame(rows)
    p_true = expit(0.3 - 3 * counts["question_id"].map(model))
    counts["correct"] = rng.binomial(counts["n"].astype(int), p_true)
    features = question_features(tags, model)
    assert list(features.columns) == ["tag 1", "tag 2", "tag 3", "untagged", "model"]
    difficulty = calibrate(counts, features)
    expected = joint_map(counts, features, np.array([0.0, 0.0, 0.0, 0.0, 1.0]))
    assert difficulty.to_numpy() == pytest.approx(expected, abs=1e-4)
    n = counts["n"].to_numpy(float)
    assert np.average(counts["question_id"].map(difficulty), weights=n) == pytest.approx(0.0, abs=1e-12)


def test_a_compressed_difficulty_scale_is_stretched_back() -> None:
    """Difficulties given at a fifth of the true scale: the raw gain is biased, the calibrated one is not.

    Every student learns 0.5 logits and is served much harder questions late; with the difficulties at
    0.2x the late questions look only a little harder, and the falling accuracy reads as lost ability.
    """
    rng = np.random.default_rng(5)
    truth = pd.Series(rng.normal(0, 1.5, 80), index=[f"q{i}" for i in range(80)])
    rows = []
    for u, theta in enumerate(rng.normal(0, 1, 400)):
        for phase, level, aim in (("early", theta, theta - 1.0), ("late", theta + 0.5, theta + 1.5)):
            # the 20 questions nearest a difficulty 1 logit below θ early, 1 above late: P 0.73, then 0.27
            near = truth.index[np.argsort(np.abs(truth.to_numpy() - aim))[:20]]
            for q in rng.choice(near, 12, replace=False):
                rows.append({"user_id": f"u{u}", "phase": phase, "question_id": q, "n": 1.0,
                             "correct": float(rng.random() < expit(level - truth[q]))})
    counts = pd.DataFrame(rows)
    oracle = ability_gain(counts, truth).mean()
    compressed = 0.2 * truth + 0.7
    raw = ability_gain(counts, compressed).mean()
    calibrated = calibrate(counts, question_features(pd.Series(3.0, index=truth.index), compressed))
    gain = ability_gain(counts, calibrated).mean()
    assert 0.3 < oracle < 0.55  # the prior shrinks the 0.5 a little
    assert raw < 0  # harder questions under-credited: learning reads as a loss
    assert gain == pytest.approx(oracle, abs=0.05)
    stretch = np.polyfit(compressed, calibrated, 1)[0]
    assert 4.5 < stretch < 5.5  # k near 1 / 0.2


def test_model_difficulty_is_minus_the_calibrated_logit_of_the_average_new_student() -> None:
    side = replace(tiny_side(), prior_mean=np.array([0.4, -0.2, 0.1]), calibration=(0.8, 0.3))
    difficulty = model_difficulty(side, ["hard", "easy", "unknown"])
    # bias + concept biases + vector . mean theta: easy (add), hard (add + mul)
    assert difficulty["easy"] == pytest.approx(-0.8 * (1.0 + 0.2 + 0.5 * 0.4))
    assert difficulty["hard"] == pytest.approx(-0.8 * (-1.0 + 0.2 - 0.2 + 0.5 * 0.4 + 0.5 * -0.2))
    assert difficulty["unknown"] == pytest.approx(0.0)  # no metadata: the model's average question
