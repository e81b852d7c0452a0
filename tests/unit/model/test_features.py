"""Histories and the Best-LR count features on small fixed inputs."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from learner_graph.model.features import History, count_features, prior_counts


def test_prior_counts_count_only_earlier_rows_of_the_same_group() -> None:
    group = np.array([7, 3, 7, 7, 3])
    correct = np.array([1, 0, 0, 1, 1])
    wins, fails = prior_counts(group, correct)
    assert wins.tolist() == [0, 0, 1, 1, 0]
    assert fails.tolist() == [0, 0, 0, 1, 1]


def test_history_from_rows_sorts_by_time() -> None:
    rows = [
        {"question_id": "b", "correct": False, "at": datetime(2024, 1, 2, tzinfo=UTC)},
        {"question_id": "a", "correct": True, "at": datetime(2024, 1, 1, tzinfo=UTC)},
    ]
    history = History.from_rows(rows)
    assert history.question_ids == ("a", "b")
    assert history.correct.tolist() == [1, 0]
    assert history.at[1] - history.at[0] == pytest.approx(86400)
    assert len(History.empty()) == 0


def test_count_features_per_concept_and_total() -> None:
    # Question 0 assesses concept 0; question 1 assesses concepts 0 and 1 (weight 0.5 on 1).
    ptr, idx, w = np.array([0, 1, 3]), np.array([0, 0, 1]), np.array([1.0, 1.0, 0.5])
    student = np.array([0, 0, 0, 1])
    question = np.array([0, 1, 1, 1])
    correct = np.array([1, 0, 1, 1])
    f = count_features(student, question, correct, ptr, idx, w, n_concepts=2)
    assert f.concept.tolist() == [[0, 2], [0, 1], [0, 1], [0, 1]]
    assert f.weight.tolist() == [[1.0, 0.0], [1.0, 0.5], [1.0, 0.5], [1.0, 0.5]]
    assert np.expm1(f.log_wins).round(6).tolist() == [[0, 0], [1, 0], [1, 0], [0, 0]]
    assert np.expm1(f.log_fails).round(6).tolist() == [[0, 0], [0, 0], [1, 1], [0, 0]]
    assert np.expm1(f.total_wins).round(6).tolist() == [0, 1, 1, 0]
    assert np.expm1(f.total_fails).round(6).tolist() == [0, 0, 1, 0]
