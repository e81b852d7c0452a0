"""The success model: P(correct | student, question) from a trained question side and a live student fit.

    side = train(load_csv(path))                      # torch, imported only here
    p = predict(side, History.from_rows(rows), ["q1", "q2"])
"""

from learner_graph.model.data import AttemptLog, load_csv
from learner_graph.model.features import History
from learner_graph.model.live import StudentState, fit_student, predict, predict_rows, predict_with_state
from learner_graph.model.side import QuestionSide
from learner_graph.model.train import TrainConfig, train

__all__ = [
    "AttemptLog",
    "History",
    "QuestionSide",
    "StudentState",
    "TrainConfig",
    "fit_student",
    "load_csv",
    "predict",
    "predict_rows",
    "predict_with_state",
    "train",
]
