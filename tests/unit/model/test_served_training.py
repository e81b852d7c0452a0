"""The training's served calibration (`evaluate.calibrate_served`): one logit offset fitted on the
answers to next-best items that recommendations served, each predicted as the live fit would have."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from learner_graph.model import TrainConfig, train
from learner_graph.model.data import AttemptLog
from learner_graph.model.evaluate import SERVED_MIN_ITEMS, calibrate_served, live_probabilities
from learner_graph.model.live import sigmoid
from learner_graph.model.side import QuestionSide
from tests.model_fixtures import simulate

CONFIG = TrainConfig(dim=2, epochs=20, batch_size=1024, lr=0.05, progress=False, seed=3)
STUDENTS = 1200
PER_STUDENT = 20


Trained = tuple[AttemptLog, QuestionSide, np.ndarray, np.ndarray]


@pytest.fixture(scope="module")
def trained() -> Trained:
    """A model trained on simulated students; each student's last answer is the served item (so
    redrawing it moves no earlier prediction), predicted at `p` by the live fit."""
    log, _ = simulate(n_students=STUDENTS, n_questions=40, per_student=PER_STUDENT, seed=11)
    side = train(log, CONFIG)
    last = np.r_[log.users[1:] != log.users[:-1], True]
    return log, side, live_probabilities(side, log), last


def _served(log: AttemptLog, p: np.ndarray, last: np.ndarray, shift: float, seed: int) -> AttemptLog:
    """The log with each student's last answer served and drawn at sigmoid(logit p + shift)."""
    rng = np.random.default_rng(seed)
    correct = log.correct.copy()
    z = np.log(p[last] / (1 - p[last]))
    correct[last] = (rng.random(int(last.sum())) < sigmoid(z + shift)).astype(np.int8)
    return replace(log, correct=correct, served=last.copy())


@pytest.mark.parametrize("shift", [-0.8, 0.0, 0.6])
def test_the_offset_is_how_far_served_items_miss_their_prediction(trained: Trained, shift: float) -> None:
    log, side, p, last = trained
    calibrated = calibrate_served(side, _served(log, p, last, shift, seed=int(10 * shift) + 50))
    assert calibrated.served[0][0] == 0 and len(calibrated.served) == 1  # one offset for every history
    # 1,200 answers: the offset's standard error is about 0.065 logit
    assert calibrated.served[0][1] == pytest.approx(shift, abs=0.2)
    info = calibrated.info["served"]
    assert info["items"] == STUDENTS and info["learners"] == STUDENTS
    assert info["offset"] == calibrated.served[0][1]
    # served items then succeed as predicted, on average
    assert np.mean(sigmoid(np.log(p[last] / (1 - p[last])) + info["offset"])) == pytest.approx(
        info["observed"], abs=0.03)


def test_nothing_is_fitted_without_enough_served_answers(trained: Trained) -> None:
    log, side, p, last = trained
    assert calibrate_served(side, log) is side  # the source records nothing served
    few = last & (np.cumsum(last) <= SERVED_MIN_ITEMS - 1)
    assert calibrate_served(side, _served(log, p, few, -1.0, seed=1)) is side


def test_training_fits_it_on_the_logs_served_answers() -> None:
    log, _ = simulate(n_students=300, n_questions=20, per_student=12, seed=5)
    last = np.r_[log.users[1:] != log.users[:-1], True]
    harder = replace(log, correct=np.where(last, 0, log.correct).astype(np.int8), served=last)
    side = train(harder, TrainConfig(dim=2, epochs=5, batch_size=512, progress=False, seed=1))
    assert side.info["served"]["items"] == 300 and side.info["served"]["observed"] == 0.0
    assert side.served[0][1] < -1.0  # every served item answered wrong: predicted far too high
