"""The trained artefact: everything about questions and concepts that a prediction needs."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

FORMAT = "learner-graph/question-side@1"


def _pack(array: np.ndarray) -> dict[str, Any]:
    data = np.ascontiguousarray(array, dtype="<f4" if array.dtype.kind == "f" else "<i4")
    encoded = base64.b64encode(data.tobytes()).decode()
    return {"dtype": data.dtype.str, "shape": list(data.shape), "b64": encoded}


def _unpack(packed: dict[str, Any]) -> np.ndarray:
    data = np.frombuffer(base64.b64decode(packed["b64"]), dtype=packed["dtype"])
    kind = np.float64 if data.dtype.kind == "f" else np.int64
    return data.reshape(packed["shape"]).astype(kind)


_ARRAYS = (
    "bias", "vectors", "concept_ptr", "concept_idx", "concept_w",
    "concept_bias", "concept_win", "concept_fail", "prior_mean", "prior_cov",
)


@dataclass
class QuestionSide:
    """Question vectors and biases, Best-LR concept weights, the population prior and calibration.

    A question's logit for a student with state `phi = (theta, c)` and prior concept counts is
    `bias[q] + sum_k w_qk (concept_bias[k] + concept_win[k] log1p(W_k) + concept_fail[k] log1p(F_k))
    + total_win log1p(W) + total_fail log1p(F) + vectors[q] . theta + c`, plus DAS3H's forgetting term
    `sum_k w_qk sum_j (window_win[j] log1p(W_kj) + window_seen[j] log1p(A_kj))` over the wins and
    attempts on concept k in the time windows before now (`model.forgetting`), then Platt-calibrated,
    plus the served calibration's offset for the learner's number of attempts and its slope times
    the question's unshown depth (`model.served`).
    """

    model_id: str
    question_ids: list[str]
    bias: np.ndarray  # (Q,)
    vectors: np.ndarray  # (Q, d)
    concept_ids: list[str]
    concept_ptr: np.ndarray  # (Q + 1,) CSR of question -> concepts
    concept_idx: np.ndarray
    concept_w: np.ndarray
    concept_bias: np.ndarray  # (K,)
    concept_win: np.ndarray
    concept_fail: np.ndarray
    total_win: float
    total_fail: float
    prior_mean: np.ndarray  # (d + 1,) population mean of (theta, c)
    prior_cov: np.ndarray  # (d + 1, d + 1)
    calibration: tuple[float, float] = (1.0, 0.0)  # p = sigmoid(a * logit + b)
    # Per window of `forgetting.WINDOWS`: weights of log1p wins and log1p attempts on a concept
    # (empty: a side trained before the forgetting term, which then has none).
    window_win: np.ndarray = field(default_factory=lambda: np.zeros(0))
    window_seen: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # (lower edge, logit offset) per band of the learner's attempts, fitted on served next-best
    # items (`model.served`); added to the calibrated logit. Empty: none fitted.
    served: tuple[tuple[int, float], ...] = ()
    served_slope: float = 0.0  # logits per level of a question's unshown depth (`model.served`)
    prerequisites: tuple[tuple[int, ...], ...] = ()  # per concept, its direct prerequisites' indexes
    half_life: float = 50.0  # attempts; recent attempts weigh more in the live fit
    window: int = 200  # the live fit reads at most this many recent attempts
    tag_bias: dict[int, float] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)  # known question texts, for TF-IDF cold start
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {qid: i for i, qid in enumerate(self.question_ids)}
        self.concept_index = {cid: k for k, cid in enumerate(self.concept_ids)}
        self.prior_precision = np.linalg.inv(self.prior_cov)
        self.concept_matrix = csr_matrix(
            (self.concept_w, self.concept_idx, self.concept_ptr),
            shape=(len(self.question_ids), len(self.concept_ids)),
        )
        self.cache: dict[str, Any] = {}  # derived data built on first use (e.g. the TF-IDF index)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def concepts_of(self, q: int) -> tuple[np.ndarray, np.ndarray]:
        """Concept indexes and weights of known question `q`."""
        lo, hi = self.concept_ptr[q], self.concept_ptr[q + 1]
        return self.concept_idx[lo:hi], self.concept_w[lo:hi]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (arrays as base64 float32)."""
        out: dict[str, Any] = {"format": FORMAT, "model_id": self.model_id}
        out |= {name: _pack(getattr(self, name)) for name in _ARRAYS}
        if len(self.window_win):
            out |= {"window_win": _pack(self.window_win), "window_seen": _pack(self.window_seen)}
        out |= {
            "question_ids": self.question_ids, "concept_ids": self.concept_ids,
            "total_win": self.total_win, "total_fail": self.total_fail,
            "calibration": list(self.calibration), "served": [list(o) for o in self.served],
            "served_slope": self.served_slope, "prerequisites": [list(p) for p in self.prerequisites],
            "half_life": self.half_life, "window": self.window,
            "tag_bias": {str(k): v for k, v in self.tag_bias.items()}, "texts": self.texts, "info": self.info,
        }
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuestionSide:
        """The inverse of `to_dict`."""
        if data.get("format") != FORMAT:
            raise ValueError(f"not a question side: format {data.get('format')!r}")
        arrays = {name: _unpack(data[name]) for name in _ARRAYS}
        arrays |= {name: _unpack(data[name]) for name in ("window_win", "window_seen") if name in data}
        a, b = data["calibration"]
        return cls(
            model_id=data["model_id"], question_ids=list(data["question_ids"]),
            concept_ids=list(data["concept_ids"]), total_win=float(data["total_win"]),
            total_fail=float(data["total_fail"]), calibration=(float(a), float(b)),
            served=tuple((int(e), float(o)) for e, o in data.get("served", [])),
            served_slope=float(data.get("served_slope", 0.0)),
            prerequisites=tuple(tuple(int(k) for k in p) for p in data.get("prerequisites", [])),
            half_life=float(data["half_life"]), window=int(data["window"]),
            tag_bias={int(k): float(v) for k, v in data["tag_bias"].items()},
            texts=list(data["texts"]), info=dict(data["info"]), **arrays,
        )
