"""The PyTorch part of training: joint fit of question and student parameters with early stopping."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from learner_graph.model.forgetting import WINDOWS
from learner_graph.model.prior import population_prior, posterior_covariances

if TYPE_CHECKING:
    from learner_graph.model.train import Encoded, TrainConfig


class _Model(nn.Module):
    """The success model; a question's bias is its difficulty tag's level plus its own offset `b`.

    Only the offset is shrunk to 0, so a question with few attempts keeps its tag's level rather
    than the average question's (with a few attempts per question, shrinking the whole bias to 0
    left the model unable to tell a hard question from an easy one; docs/BENCHMARKS.md).
    """

    def __init__(self, n_students: int, n_questions: int, n_concepts: int, dim: int,
                 tag: torch.Tensor | None = None) -> None:
        super().__init__()
        self.theta = nn.Parameter(torch.randn(n_students, dim) * 0.1)
        self.c = nn.Parameter(torch.zeros(n_students))
        self.e = nn.Parameter(torch.randn(n_questions, dim) * 0.1)
        self.b = nn.Parameter(torch.zeros(n_questions))
        # One extra concept slot: the padding, always multiplied by weight 0.
        self.cb, self.cw, self.cf = (nn.Parameter(torch.zeros(n_concepts + 1)) for _ in range(3))
        self.tw, self.tf = nn.Parameter(torch.zeros(())), nn.Parameter(torch.zeros(()))
        # DAS3H's forgetting term: a weight per time window on log1p wins and on log1p attempts.
        self.rw, self.rs = (nn.Parameter(torch.zeros(len(WINDOWS))) for _ in range(2))
        # One level per tag, the last for untagged questions (0 unless some are untagged).
        self.tag: torch.Tensor = tag if tag is not None else torch.zeros(n_questions, dtype=torch.int64)
        self.level = nn.Parameter(torch.zeros(int(self.tag.max()) + 1 if n_questions else 1))

    def question_bias(self) -> torch.Tensor:
        return self.b + self.level[self.tag]

    def forward(self, x: dict[str, torch.Tensor], theta: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        k = x["concept"]
        recent = x["rw"] @ self.rw + x["rs"] @ self.rs
        concepts = (x["weight"] * (self.cb[k] + self.cw[k] * x["lw"] + self.cf[k] * x["lf"] + recent)).sum(1)
        base = self.question_bias()[x["q"]] + concepts + self.tw * x["tw"] + self.tf * x["tf"]
        return base + (self.e[x["q"]] * theta).sum(1) + c

    def penalty(self, l2: float, l2_bias: float) -> torch.Tensor:
        squares = self.theta.square().sum() + self.e.square().sum() + self.c.square().sum()
        return 0.5 * l2 * squares + 0.5 * l2_bias * self.b.square().sum()


def _tensors(data: Encoded) -> dict[str, torch.Tensor]:
    f = data.features
    return {
        "s": torch.from_numpy(data.student.astype(np.int64)),
        "q": torch.from_numpy(data.question.astype(np.int64)),
        "concept": torch.from_numpy(f.concept), "weight": torch.from_numpy(f.weight).float(),
        "lw": torch.from_numpy(f.log_wins).float(), "lf": torch.from_numpy(f.log_fails).float(),
        "tw": torch.from_numpy(f.total_wins).float(), "tf": torch.from_numpy(f.total_fails).float(),
        "rw": torch.from_numpy(f.window_wins).float(), "rs": torch.from_numpy(f.window_seen).float(),
        "y": torch.from_numpy(data.correct.astype(np.float32)),
    }


def _validation_loss(
    model: _Model, x: dict[str, torch.Tensor], rows: torch.Tensor, train_s: torch.Tensor
) -> float:
    """Loss on held-out students, each predicted as the population-average student."""
    with torch.no_grad():
        theta, c = model.theta[train_s].mean(0), model.c[train_s].mean()
        batch = {key: value[rows] for key, value in x.items()}
        z = model(batch, theta.expand(len(rows), -1), c.expand(len(rows)))
        return float(nn.functional.binary_cross_entropy_with_logits(z, batch["y"]))


def _epoch(model: _Model, optimizer: torch.optim.Optimizer, x: dict[str, torch.Tensor], order: torch.Tensor,
           config: TrainConfig) -> None:
    """One pass over the training rows in `order`, in mini-batches."""
    # Shuffle every column once, then take contiguous slices: far cheaper than gathering per batch.
    shuffled = {key: value[order] for key, value in x.items()}
    for start in range(0, len(order), config.batch_size):
        batch = {key: value[start:start + config.batch_size] for key, value in shuffled.items()}
        z = model(batch, model.theta[batch["s"]], model.c[batch["s"]])
        loss = nn.functional.binary_cross_entropy_with_logits(z, batch["y"])
        loss = loss + model.penalty(config.l2, config.l2_bias) / len(order)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def fit_params(data: Encoded, train_rows: np.ndarray, val_rows: np.ndarray,
               config: TrainConfig) -> tuple[dict[str, Any], list[float]]:
    """Fit every parameter; return the question side's arrays and the validation loss per epoch."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(max(1, min(config.threads, 2)))
    rng = np.random.default_rng(config.seed)
    x = _tensors(data)
    model = _Model(int(data.student.max()) + 1, len(data.questions), len(data.concepts), config.dim,
                   torch.from_numpy(data.tag))
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, foreach=True)
    train_idx, val_idx = np.flatnonzero(train_rows), torch.from_numpy(np.flatnonzero(val_rows))
    train_s = torch.from_numpy(np.unique(data.student[train_rows]))
    best, best_state, history = np.inf, model.state_dict(), []
    epochs = tqdm(range(config.epochs), desc="train", disable=not config.progress)
    for _ in epochs:
        _epoch(model, optimizer, x, torch.from_numpy(rng.permutation(train_idx)), config)
        history.append(_validation_loss(model, x, val_idx, train_s))
        epochs.set_postfix(val_loss=f"{history[-1]:.4f}")
        if history[-1] < best - 1e-5:
            best, best_state = history[-1], {k: v.detach().clone() for k, v in model.state_dict().items()}
        elif len(history) - 1 - int(np.argmin(history)) >= config.patience:
            break
    model.load_state_dict(best_state)
    return _export(model, train_s, _posteriors(model, x, train_idx, train_s, config.l2)), history


def _posteriors(model: _Model, x: dict[str, torch.Tensor], rows: np.ndarray, train_s: torch.Tensor,
                l2: float) -> np.ndarray:
    """Each training student's Laplace posterior covariance of (theta, c), in `train_s` order."""
    with torch.no_grad():
        batch = {key: value[torch.from_numpy(rows)] for key, value in x.items()}
        s = batch["s"]
        p = torch.sigmoid(model(batch, model.theta[s], model.c[s])).double().numpy()
        vectors = model.e[batch["q"]].double().numpy()
    position = np.full(int(model.c.shape[0]), -1, dtype=np.int64)
    position[train_s.numpy()] = np.arange(len(train_s))
    design = np.hstack([vectors, np.ones((len(rows), 1))])
    return posterior_covariances(position[s.numpy()], design, p * (1 - p), len(train_s), l2)


def _export(model: _Model, train_s: torch.Tensor, posterior: np.ndarray | None = None) -> dict[str, Any]:
    with torch.no_grad():
        phi = torch.cat([model.theta[train_s], model.c[train_s, None]], 1).double().numpy()
        names = ("b", "e", "cb", "cw", "cf")
        arrays = {name: getattr(model, name).detach().double().numpy() for name in names}
        arrays["b"] = model.question_bias().detach().double().numpy()
    mean, cov = population_prior(phi, posterior)
    return {
        "bias": arrays["b"], "vectors": arrays["e"], "concept_bias": arrays["cb"][:-1],
        "concept_win": arrays["cw"][:-1], "concept_fail": arrays["cf"][:-1],
        "total_win": float(model.tw.detach()), "total_fail": float(model.tf.detach()),
        "window_win": model.rw.detach().double().numpy(), "window_seen": model.rs.detach().double().numpy(),
        "prior_mean": mean, "prior_cov": cov,
    }
