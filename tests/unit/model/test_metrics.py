"""Metrics and baselines on a tiny fixed dataset, against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from learner_graph.model import baselines
from learner_graph.model.data import AttemptLog
from learner_graph.model.metrics import score

Y = np.array([1, 0, 1, 0, 1])
P = np.array([0.9, 0.3, 0.35, 0.8, 0.55])


def test_scores_equal_hand_computed_values() -> None:
    result = score(Y, P)
    # Positive-negative pairs ranked right: 0.9>0.3, 0.9>0.8, 0.35>0.3, 0.55>0.3; wrong: 0.35, 0.55 < 0.8.
    assert result["auc"] == pytest.approx(4 / 6)
    expected_loss = -(math.log(0.9) + math.log(0.7) + math.log(0.35) + math.log(0.2) + math.log(0.55)) / 5
    assert result["log_loss"] == pytest.approx(expected_loss)
    assert result["brier"] == pytest.approx((0.01 + 0.09 + 0.4225 + 0.64 + 0.2025) / 5)
    assert result["accuracy"] == pytest.approx(3 / 5)
    # Buckets: [0.3, 0.35] -> 3 (gap 0.175 twice), 0.55 -> 5 (0.45), 0.8 -> 8 (0.8), 0.9 -> 9 (0.1).
    assert result["ece"] == pytest.approx((2 * 0.175 + 0.45 + 0.8 + 0.1) / 5)
    bucket = result["calibration"][3]
    assert (bucket["n"], bucket["predicted"], bucket["observed"]) == (2, pytest.approx(0.325), 0.5)
    assert [row["n"] for row in result["calibration"]] == [0, 0, 0, 2, 0, 1, 0, 0, 1, 1]


def _log(rows: list[tuple[str, str, int]]) -> AttemptLog:
    users, questions, correct = zip(*rows, strict=True)
    return AttemptLog(np.array(users, dtype=object), np.array(questions, dtype=object),
                      np.array(correct, dtype=np.int8), np.arange(len(rows), dtype=np.float64),
                      np.array([""] * len(rows), dtype=object))


TRAIN = _log([("a", "q1", 1), ("a", "q2", 0), ("b", "q1", 1), ("b", "q1", 0)])
TEST = _log([("t", "q1", 1), ("t", "q2", 0), ("t", "q3", 1)])


def test_item_only_uses_smoothed_training_rates() -> None:
    # Global rate 2/4; q1: (2 + 5 * 0.5) / (3 + 5); q2: (0 + 2.5) / (1 + 5); q3 unknown: 0.5.
    assert baselines.item_only(TRAIN, TEST) == pytest.approx([4.5 / 8, 2.5 / 6, 0.5])


def test_item_elo_updates_ability_after_each_attempt() -> None:
    def sigmoid(x: float) -> float:
        return 1 / (1 + math.exp(-x))

    def logit(p: float) -> float:
        return math.log(p / (1 - p))

    p1 = sigmoid(logit(4.5 / 8))
    theta = 0.4 * (1 - p1)
    p2 = sigmoid(theta + logit(2.5 / 6))
    theta += 0.4 / 1.05 * (0 - p2)
    p3 = sigmoid(theta)
    assert baselines.item_elo(TRAIN, TEST) == pytest.approx([p1, p2, p3])
