"""The activation rule and the student hold-out of the training job."""

from __future__ import annotations

from learner_graph.model.service import holdout, not_worse
from tests.model_fixtures import simulate


def test_not_worse_allows_ties_within_tolerance_only() -> None:
    active = {"auc": 0.80, "log_loss": 0.50}
    assert not_worse({"auc": 0.80, "log_loss": 0.50}, active)
    assert not_worse({"auc": 0.7995, "log_loss": 0.5005}, active)
    assert not not_worse({"auc": 0.79, "log_loss": 0.49}, active)
    assert not not_worse({"auc": 0.81, "log_loss": 0.52}, active)


def test_holdout_splits_whole_students() -> None:
    log, _ = simulate(n_students=50, n_questions=5, per_student=4, seed=0)
    train_log, test_log = holdout(log, fraction=0.2, seed=1)
    assert len(test_log.students()) == 10
    assert not set(train_log.users) & set(test_log.users)
    assert len(train_log) + len(test_log) == len(log)
    assert holdout(log, fraction=0.2, seed=1)[1].students().tolist() == test_log.students().tolist()
