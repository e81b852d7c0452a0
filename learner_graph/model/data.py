"""Attempt logs: loading the shared CSV format, and exporting attempts from the graph in batches."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from learner_graph.config import PROJECT_ROOT
from learner_graph.content.traversals import resolve_units
from learner_graph.db.graph import Graph
from learner_graph.model.features import _seconds

ASSIST2009 = PROJECT_ROOT.parent / "shared" / "data" / "assist2009" / "attempts.csv.gz"
Concepts = list[tuple[str, float]]


@dataclass
class AttemptLog:
    """Attempts of many students, one array per column, sorted by (student, time)."""

    users: np.ndarray  # str per row
    questions: np.ndarray  # str per row
    correct: np.ndarray  # int8
    at: np.ndarray  # float seconds, or the position in the student's sequence
    split: np.ndarray  # str per row ("" when the source has no split)
    concepts: dict[str, Concepts] = field(default_factory=dict)  # question id -> (concept, weight)
    texts: dict[str, str] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)
    # bool per row: the answer to a next-best item a recommendation served (None: the source has no
    # such record); the training's served calibration is fitted on these rows
    served: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.correct)

    def select(self, mask: np.ndarray) -> AttemptLog:
        """The rows where `mask` is true, with the same question metadata."""
        return AttemptLog(self.users[mask], self.questions[mask], self.correct[mask], self.at[mask],
                          self.split[mask], self.concepts, self.texts, self.tags,
                          None if self.served is None else self.served[mask])

    def students(self) -> np.ndarray:
        """The distinct students, in order of first row."""
        return pd.unique(self.users)


def _blank(_: object) -> str:
    return ""


def load_csv(path: Path = ASSIST2009) -> AttemptLog:
    """Read the shared attempts format (`user_id,seq_idx,item_id,skill_ids,correct,split[,timestamp]`)."""
    frame = pd.read_csv(path, dtype={"user_id": str, "item_id": str, "skill_ids": str})
    time = "timestamp" if "timestamp" in frame.columns else "seq_idx"
    at = pd.to_datetime(frame[time]).astype("int64") / 1e9 if time == "timestamp" else frame[time]
    frame = frame.assign(at=at.astype(float)).sort_values(["user_id", "at"], kind="stable")
    items = frame.drop_duplicates("item_id")
    concepts = {q: [(k, 1.0) for k in str(s).split("~") if k and k != "nan"]
                for q, s in zip(items["item_id"], items["skill_ids"], strict=True)}
    split = frame["split"].fillna("").astype(str) if "split" in frame else frame["user_id"].map(_blank)
    return AttemptLog(frame["user_id"].to_numpy(object), frame["item_id"].to_numpy(object),
                      frame["correct"].to_numpy(np.int8), frame["at"].to_numpy(np.float64),
                      split.to_numpy(object), concepts)


def from_records(records: list[dict[str, Any]], questions: list[dict[str, Any]]) -> AttemptLog:
    """An attempt log from graph rows `{user_id, question_id, correct, at[, served]}` and question
    metadata (`served`: the row answers a next-best item a recommendation served)."""
    frame = pd.DataFrame(records or [], columns=["user_id", "question_id", "correct", "at", "served"])
    frame["served"] = frame["served"].eq(True)  # absent (NaN) or None: not served
    frame["at"] = [_seconds(at, i) for i, at in enumerate(frame["at"])]
    frame = frame.sort_values(["user_id", "at"], kind="stable")
    return AttemptLog(
        frame["user_id"].astype(str).to_numpy(object), frame["question_id"].astype(str).to_numpy(object),
        frame["correct"].astype(np.int8).to_numpy(), frame["at"].astype(float).to_numpy(),
        np.array([""] * len(frame), dtype=object),
        concepts={q["id"]: [(c["id"], float(c["weight"] or 1.0)) for c in q["concepts"] if c["id"]]
                  for q in questions},
        texts={q["id"]: q["text"] or "" for q in questions},
        tags={q["id"]: int(q["difficulty_tag"]) for q in questions if q["difficulty_tag"] is not None},
        served=frame["served"].to_numpy(bool),
    )


async def export_graph(db: Graph, *, units: list[str] | None = None, batch: int = 500) -> AttemptLog:
    """Every attempt (in the questions of `units`, or all), read in batches of students by id."""
    scope = None
    if units:
        scope = await resolve_units(db=db, unit_ids=units)
    questions = await db.read("model_question_meta", question_ids=scope)
    records: list[dict[str, Any]] = []
    after = ""
    while True:
        rows = await db.read("model_export_attempts", after=after, limit=batch, question_ids=scope)
        if not rows:
            break
        for row in rows:
            records.extend(row["attempts"])
        after = rows[-1]["user_id"]
    return from_records(records, questions)
