"""The training job shared by `learner-graph train`, the trainer service and the admin route."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import numpy as np

from learner_graph.db.graph import Graph
from learner_graph.errors import Invalid
from learner_graph.model import registry
from learner_graph.model.data import AttemptLog, export_graph
from learner_graph.model.side import QuestionSide
from learner_graph.model.train import TrainConfig, split_students

log = logging.getLogger(__name__)
TEST_FRACTION = 0.2
TOLERANCE = 1e-3  # "not worse": AUC and log loss within this of the active version's


def holdout(
    attempts: AttemptLog, *, fraction: float = TEST_FRACTION, seed: int = 0
) -> tuple[AttemptLog, AttemptLog]:
    """Split by students: (training students' rows, held-out students' rows)."""
    students = attempts.students()
    held = set(students[split_students(len(students), fraction, seed)].tolist())
    is_test = np.array([u in held for u in attempts.users], dtype=bool)
    return attempts.select(~is_test), attempts.select(is_test)


def not_worse(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """Whether `new` scores at least as well as `old` on the same held-out students."""
    return new["auc"] >= old["auc"] - TOLERANCE and new["log_loss"] <= old["log_loss"] + TOLERANCE


Scored = tuple[QuestionSide, dict[str, Any], dict[str, Any] | None]


def _train_and_score(train_log: AttemptLog, test_log: AttemptLog, config: TrainConfig,
                     active: QuestionSide | None) -> Scored:
    from learner_graph.model.evaluate import evaluate
    from learner_graph.model.train import train

    side = train(train_log, config)
    report = evaluate(side, train_log, test_log)
    old = evaluate(active, train_log, test_log) if active is not None else None
    return side, report, old


async def train_version(*, db: Graph, model_dir: Any, units: list[str] | None = None, force: bool = False,
                        config: TrainConfig = TrainConfig(), lease: str | None = None) -> dict[str, Any]:
    """Export, train, evaluate beside the active version on held-out students, register, maybe activate.

    One training at a time across every process (a lease in Neo4j): raises Conflict otherwise. A
    caller that took the lease already (the train route, to answer 409 before going to the
    background) passes its holder as `lease`; it is released here either way."""
    holder = lease or await registry.take_training_lease(db=db)
    try:
        return await _train_version(db=db, model_dir=model_dir, units=units, force=force, config=config)
    finally:
        await registry.release_training_lease(db=db, holder=holder)


async def _train_version(*, db: Graph, model_dir: Any, units: list[str] | None, force: bool,
                         config: TrainConfig) -> dict[str, Any]:
    attempts = await export_graph(db, units=units)
    if len(attempts.students()) < 5 or len(np.unique(attempts.correct)) < 2:
        raise Invalid("not enough attempts to train on", [{"field": "scope", "value": units or []}])
    train_log, test_log = holdout(attempts, seed=config.seed)
    active = await registry.load_active(db=db)
    side, report, old = await asyncio.to_thread(_train_and_score, train_log, test_log, config, active)
    # The calibration table (10 buckets) stays: the console draws the reliability diagram from it.
    metrics = {k: v for k, v in report.items() if k != "model_id"}
    metrics["baselines"] = {name: {k: v for k, v in b.items() if k != "calibration"}
                            for name, b in report["baselines"].items()}
    # the answers to served next-best items it was calibrated on (`evaluate.calibrate_served`), if any
    metrics["served_calibration"] = side.info.get("served")
    if old is not None:
        metrics["active_on_same_students"] = {"model_id": active.model_id if active else None,
                                              "auc": old["auc"], "log_loss": old["log_loss"]}
    path = await asyncio.to_thread(registry.save_file, side, model_dir)
    await registry.register(db=db, side=side, metrics=metrics, scope=units or [], path=path)
    activated = force or old is None or not_worse(report, old)
    if activated:
        await registry.activate(db=db, model_id=side.model_id)
    log.info("model %s trained: auc %.4f, activated %s", side.model_id, report["auc"], activated)
    return {"model_id": side.model_id, "activated": activated, "metrics": metrics, "path": str(path)}
