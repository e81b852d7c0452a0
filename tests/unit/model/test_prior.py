"""The live fit's population prior: the estimates' spread plus their Laplace posterior covariance, exactly."""

from __future__ import annotations

import numpy as np
import pytest

from learner_graph.model import prior
from learner_graph.model.prior import JITTER, population_prior, posterior_covariances


def test_one_students_posterior_is_the_inverse_penalised_hessian() -> None:
    # x = (1,) twice at p = 0.5: the Hessian is 2 · 0.25 + 1 (the unit prior) = 1.5.
    cov = posterior_covariances(np.array([0, 0]), np.ones((2, 1)), np.array([0.25, 0.25]), 1, 1.0)
    assert cov.shape == (1, 1, 1)
    assert cov[0, 0, 0] == pytest.approx(1 / 1.5)


def test_each_student_sums_only_their_own_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prior, "CHUNK", 2)  # rows of one student across blocks add up
    student = np.array([1, 0, 1, 1, 0])
    design = np.array([[1.0, 1.0], [0.5, 1.0], [-1.0, 1.0], [2.0, 1.0], [0.0, 1.0]])
    curvature = np.array([0.25, 0.2, 0.1, 0.05, 0.25])
    cov = posterior_covariances(student, design, curvature, 3, 2.0)
    expected_hessian = {
        0: 0.2 * np.outer([0.5, 1.0], [0.5, 1.0]) + 0.25 * np.outer([0.0, 1.0], [0.0, 1.0]),
        1: 0.25 * np.outer([1.0, 1.0], [1.0, 1.0]) + 0.1 * np.outer([-1.0, 1.0], [-1.0, 1.0])
        + 0.05 * np.outer([2.0, 1.0], [2.0, 1.0]),
        2: np.zeros((2, 2)),  # no rows: the prior alone
    }
    for s, hessian in expected_hessian.items():
        assert cov[s] == pytest.approx(np.linalg.inv(hessian + 2.0 * np.eye(2)))
    assert cov[2] == pytest.approx(0.5 * np.eye(2))


def test_the_prior_adds_the_mean_posterior_variance_of_the_level_to_the_estimates_spread() -> None:
    phi = np.array([[0.0, 1.0], [2.0, 3.0]])
    posterior = np.array([[[0.5, 0.1], [0.1, 0.3]], [[0.3, -0.1], [-0.1, 0.1]]])
    mean, cov = population_prior(phi, posterior)
    assert mean.tolist() == [1.0, 2.0]
    # spread of the estimates [[2, 2], [2, 2]] (n - 1 = 1); c's mean posterior variance 0.2 on top,
    # theta's posterior (0.4) and the cross terms left out
    assert cov == pytest.approx(np.array([[2.0, 2.0], [2.0, 2.2]]) + JITTER * np.eye(2))
    assert phi.tolist() == [[0.0, 1.0], [2.0, 3.0]]  # the estimates are not changed


def test_without_posteriors_the_prior_is_the_estimates_spread() -> None:
    mean, cov = population_prior(np.array([[0.0, 1.0], [2.0, 3.0]]))
    assert mean.tolist() == [1.0, 2.0]
    assert cov == pytest.approx(np.array([[2.0, 2.0], [2.0, 2.0]]) + JITTER * np.eye(2))


def test_one_student_falls_back_to_the_unit_prior() -> None:
    mean, cov = population_prior(np.array([[0.5, -0.5]]), np.array([0.25 * np.eye(2)]))
    assert mean.tolist() == [0.5, -0.5]
    assert cov == pytest.approx(np.diag([1.0, 1.25]) + JITTER * np.eye(2))
