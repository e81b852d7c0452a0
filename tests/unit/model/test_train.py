"""Training on simulated attempts recovers the simulator's question difficulties, deterministically."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from learner_graph.model import TrainConfig, train
from learner_graph.model.evaluate import live_probabilities
from learner_graph.model.metrics import score
from tests.model_fixtures import simulate

CONFIG = TrainConfig(dim=2, epochs=30, batch_size=1024, lr=0.05, progress=False, seed=3)
MIN_RANK_CORRELATION = 0.9


def _easiness(side) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Question bias plus its concepts' biases: the model's easiness of each question."""
    return side.bias + side.concept_matrix @ side.concept_bias


def test_training_recovers_question_difficulties() -> None:
    log, difficulty = simulate(n_students=300, n_questions=40, per_student=30, seed=1)
    side = train(log, CONFIG)
    truth = np.array([difficulty[q] for q in side.question_ids])
    rho = spearmanr(_easiness(side), -truth).statistic
    assert rho >= MIN_RANK_CORRELATION, rho
    assert side.calibration[0] > 0
    assert side.prior_cov.shape == (3, 3)


def test_training_is_deterministic_with_a_seed() -> None:
    log, _ = simulate(n_students=60, n_questions=10, per_student=10, seed=2)
    config = TrainConfig(dim=2, epochs=3, batch_size=128, progress=False, seed=5)
    first, second = train(log, config), train(log, config)
    assert np.array_equal(first.bias, second.bias)
    assert np.array_equal(first.vectors, second.vectors)
    assert first.calibration == second.calibration


def test_live_protocol_beats_chance_on_held_out_students() -> None:
    log, _ = simulate(n_students=300, n_questions=40, per_student=30, seed=4)
    held = np.array([int(u[1:]) >= 240 for u in log.users])
    side = train(log.select(~held), CONFIG)
    result = score(log.correct[held], live_probabilities(side, log.select(held)))
    assert result["auc"] > 0.7


SIMULATOR_MIN_RANK_CORRELATION = 0.6  # measured 0.74: the simulator adds learning, forgetting, guess/slip


def test_training_recovers_the_simulators_difficulties() -> None:
    from datetime import UTC, datetime

    from learner_graph.model.data import from_records
    from seed.curriculum import build_curriculum
    from seed.histories import simulate_histories
    from seed.simulator import Simulator

    document = build_curriculum(seed=7, questions_per_section=3)
    rows = list(simulate_histories(document, n_students=400, attempts_per_student=(30, 60),
                                   start=datetime(2024, 1, 1, tzinfo=UTC), seed=7))
    log = from_records(rows, document["questions"])
    side = train(log, CONFIG)
    truth = np.array([Simulator(document, seed=7).questions[q].difficulty for q in side.question_ids])
    # The question's own bias, next to its concepts' biases, ranks questions as the simulator does.
    rho = spearmanr(side.bias, -truth).statistic
    assert rho >= SIMULATOR_MIN_RANK_CORRELATION, rho


def test_training_on_two_students_still_gives_a_usable_prior() -> None:
    log, _ = simulate(n_students=2, n_questions=4, per_student=10, seed=6)
    side = train(log, TrainConfig(dim=2, epochs=2, progress=False, validation=0.5))
    assert np.all(np.isfinite(side.prior_cov)) and np.all(np.linalg.eigvalsh(side.prior_cov) > 0)


def test_each_training_students_posterior_is_read_at_the_fitted_parameters() -> None:
    """`fit._posteriors`: every training row's curvature p(1 - p) at the student's own (theta, c)
    and the question's vector, summed per student, with the training prior's precision."""
    import torch

    from learner_graph.model.fit import _Model, _posteriors, _tensors
    from learner_graph.model.train import encode

    log, _ = simulate(n_students=3, n_questions=2, per_student=3, n_concepts=1, seed=9)
    data = encode(log)
    model = _Model(3, 2, 1, 1, torch.from_numpy(data.tag))
    with torch.no_grad():
        model.theta.copy_(torch.tensor([[0.5], [-1.0], [2.0]]))
        model.c.copy_(torch.tensor([0.2, -0.3, 0.0]))
        model.e.copy_(torch.tensor([[1.0], [-0.5]]))
        model.b.copy_(torch.tensor([0.1, -0.4]))
    rows = np.flatnonzero(data.student != 1)  # student 1 held out: the others, in `train_s` order
    cov = _posteriors(model, _tensors(data), rows, torch.tensor([0, 2]), 2.0)
    e, b = np.array([1.0, -0.5]), np.array([0.1, -0.4])  # the concept and tag terms are still 0
    phi = {0: np.array([0.5, 0.2]), 2: np.array([2.0, 0.0])}
    for k, s in enumerate((0, 2)):
        q = data.question[rows[data.student[rows] == s]]
        x = np.column_stack([e[q], np.ones(len(q))])
        p = 1 / (1 + np.exp(-(b[q] + x @ phi[s])))
        hessian = (x.T * (p * (1 - p))) @ x + 2.0 * np.eye(2)
        assert cov[k] == pytest.approx(np.linalg.inv(hessian), rel=1e-5)
