"""Full training in PyTorch on the CPU; only the question side is kept."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from learner_graph.model.data import AttemptLog
from learner_graph.model.features import CountFeatures, count_features
from learner_graph.model.side import QuestionSide


@dataclass(frozen=True)
class TrainConfig:
    """Knobs of a training run; `l2` is the Gaussian prior precision on vectors and student terms."""

    dim: int = 8
    l2: float = 1.0
    l2_bias: float = 1.0
    epochs: int = 40
    batch_size: int = 4096
    lr: float = 0.02
    patience: int = 3
    validation: float = 0.1
    half_life: float = 50.0  # attempts; the live fit follows a learner who keeps learning (BENCHMARKS.md)
    window: int = 200
    seed: int = 0
    threads: int = 1  # one: the batches are small, and OpenMP threads spin when cores are shared
    progress: bool = True


@dataclass
class Encoded:
    """A log as integer codes, its concept CSR and its count features."""

    student: np.ndarray
    question: np.ndarray
    questions: list[str]
    concepts: list[str]
    ptr: np.ndarray
    idx: np.ndarray
    w: np.ndarray
    features: CountFeatures
    correct: np.ndarray
    tag: np.ndarray  # per question: its difficulty tag's index in `tags`, len(tags) when untagged
    tags: list[int]


def encode(log: AttemptLog) -> Encoded:
    """Factorise students, questions and concepts of `log` and compute its count features."""
    student, _ = pd.factorize(log.users)
    question, questions = pd.factorize(log.questions)
    concept_ids = sorted({c for q in questions for c, _ in log.concepts.get(q, [])})
    concept_of = {c: k for k, c in enumerate(concept_ids)}
    lists = [log.concepts.get(q, []) for q in questions]
    ptr = np.concatenate([[0], np.cumsum([len(x) for x in lists])]).astype(np.int64)
    idx = np.array([concept_of[c] for x in lists for c, _ in x], dtype=np.int64)
    w = np.array([wt for x in lists for _, wt in x], dtype=np.float64)
    features = count_features(student, question, log.correct, ptr, idx, w, len(concept_ids), log.at)
    tags = sorted({log.tags[q] for q in questions if q in log.tags})
    tag_of = {t: k for k, t in enumerate(tags)}
    tag = np.array([tag_of.get(log.tags.get(q, -1), len(tags)) for q in questions], dtype=np.int64)
    return Encoded(student, question, list(questions), concept_ids, ptr, idx, w, features, log.correct,
                   tag, tags)


def split_students(n_students: int, fraction: float, seed: int) -> np.ndarray:
    """A boolean mask of validation students (a `fraction` of them, at least one)."""
    rng = np.random.default_rng(seed)
    mask = np.zeros(n_students, dtype=bool)
    mask[rng.permutation(n_students)[: max(1, int(round(n_students * fraction)))]] = True
    return mask


def train(
    log: AttemptLog, config: TrainConfig = TrainConfig(), *, model_id: str | None = None
) -> QuestionSide:
    """Train on `log` (early stopping on held-out students), then calibrate live on those students,
    then on the next-best items recommendations served (`evaluate.calibrate_served`)."""
    from learner_graph.model.evaluate import calibrate_live, calibrate_served
    from learner_graph.model.fit import fit_params  # torch, imported lazily

    data = encode(log)
    is_val = split_students(int(data.student.max()) + 1, config.validation, config.seed)[data.student]
    params, history = fit_params(data, ~is_val, is_val, config)
    tags = [(log.tags[q], params["bias"][i]) for i, q in enumerate(data.questions) if q in log.tags]
    side = QuestionSide(
        model_id=model_id or f"m-{datetime.now(UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}",
        question_ids=data.questions, concept_ids=data.concepts,
        concept_ptr=data.ptr, concept_idx=data.idx, concept_w=data.w,
        half_life=config.half_life, window=config.window,
        tag_bias={t: float(np.mean([b for tag, b in tags if tag == t])) for t in {t for t, _ in tags}},
        texts=[log.texts.get(q, "") for q in data.questions] if log.texts else [],
        info=_info(config, log, history), **params,
    )
    return calibrate_served(calibrate_live(side, log.select(is_val)), log)


def _info(config: TrainConfig, log: AttemptLog, history: list[float]) -> dict[str, Any]:
    return {
        "trained_at": datetime.now(UTC).isoformat(), "config": asdict(config),
        "attempts": len(log), "students": int(len(log.students())), "validation_loss": history,
    }
