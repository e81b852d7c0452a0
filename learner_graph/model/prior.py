"""The population prior of the live fit: the spread of students' terms, uncertainty included.

Training fits each student's `phi = (theta, c)` as a MAP estimate under a unit Gaussian prior; a
student with few attempts is shrunk towards 0, so the spread of those estimates understates how
much students really differ. Used as the live fit's prior, it shrinks a new student a second time:
the live fit then moves too little from the population mean — new learners stay at the prior's
prediction while their answers say otherwise, and learners who have improved stay under-predicted
(docs/BENCHMARKS.md, "next items at the target, round 4"). The law of total variance gives the
spread back: Var(c) = Var(E[c | answers]) + E[Var(c | answers)], the second term from each training
student's Laplace posterior (the inverse Hessian of their penalised log-likelihood).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

CHUNK = 65_536  # rows per block of outer products (CHUNK × (d+1)² floats)
JITTER = 1e-4  # keeps the prior covariance invertible when every student looks alike


def posterior_covariances(student: np.ndarray, design: np.ndarray, curvature: np.ndarray,
                          n_students: int, precision: float) -> np.ndarray:
    """Each student's Laplace posterior covariance of `phi`: inv(sum_i w_i x_i x_i^T + precision I).

    `student` (N,) indexes the rows' students, `design` (N, k) is each row's `x = (e_q, 1)`,
    `curvature` (N,) its `p (1 - p)` at the fitted parameters; returns (n_students, k, k).
    """
    k = design.shape[1]
    hessian = np.zeros((n_students, k * k))
    for start in range(0, len(student), CHUNK):
        rows = slice(start, start + CHUNK)
        x = design[rows]
        outer = (x[:, :, None] * x[:, None, :]).reshape(len(x), k * k)
        members = csr_matrix((curvature[rows], (student[rows], np.arange(len(x)))),
                             shape=(n_students, len(x)))
        hessian += members @ outer
    hessian = hessian.reshape(n_students, k, k) + precision * np.eye(k)
    return np.linalg.inv(hessian)


def population_prior(phi: np.ndarray, posterior: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the students' terms: the spread of the estimates `phi` (S, k), with
    the mean posterior variance of the student's level `c` (the last term) added, when `posterior`
    (S, k, k) is given.

    Only `c` gets its uncertainty back: it is the term a learner's first answers and later progress
    move, and with it the served items follow the learner. The vector `theta`'s directions are
    weakly identified per student (their posterior variance is 0.4 of the unit prior's on the
    1,500-history study model); adding that back let `theta` swing on a few answers and cost AUC
    on ASSISTments 2009 (docs/BENCHMARKS.md, round 4).
    """
    k = phi.shape[1]
    # One student has no spread to measure: the unit prior training used stands in for it.
    spread = np.atleast_2d(np.cov(phi, rowvar=False)) if len(phi) > 1 else np.eye(k)
    if posterior is not None:
        spread[-1, -1] += posterior[:, -1, -1].mean()
    return phi.mean(0), spread + JITTER * np.eye(k)
