"""The recommendation pipeline's own steps driven in process, with each learner's state in memory.

`pipeline.recommend` reads a learner from Neo4j, scores, mixes and stores; here the learner's
attempts, review states and rejections live in a `recommendations.student.Student` kept in
memory, and each request runs the pipeline's pure steps (`score`, `settings`, `mix_input`,
`mixer.mix`), so thousands of simulated learners over weeks run in minutes. Attempts update the
review states with `learners.memory` as `record_attempts` does; dismissals move the target offset
as `record_feedback` does (tests/integration/simulation/test_inproc.py checks both against the graph).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from fsrs import Scheduler

from learner_graph.learners import memory
from learner_graph.mixer.mix import mix
from learner_graph.mixer.models import Pick
from learner_graph.mixer.settings import MAX_TARGET_OFFSET, Overrides
from learner_graph.model import QuestionSide
from learner_graph.model.data import from_records
from learner_graph.model.train import TrainConfig, train
from learner_graph.recommendations import pipeline, scoring
from learner_graph.recommendations.catalog import Catalog, ConceptMeta, QuestionMeta
from learner_graph.recommendations.feedback import target_step
from learner_graph.recommendations.models import RecommendationRequest
from learner_graph.recommendations.student import Student
from seed.histories import simulate_students
from seed.simulator import Simulator

IMPLICIT_DEPTH = 3  # implicit credit reaches this deep (`attempts_prerequisites`, learners.cypher)


@dataclass
class Engine:
    """A content document as the engine sees it (catalog, unit rows, prerequisites) and a model."""

    catalog: Catalog
    side: QuestionSide | None
    unit_rows: dict[str, np.ndarray]  # unit id -> sorted question rows under it
    below: dict[str, list[tuple[str, int]]]  # concept -> (prerequisite, shortest depth ≤ IMPLICIT_DEPTH)
    assesses: dict[str, list[tuple[str, float]]]  # question -> (concept, ASSESSES weight)
    scheduler: Scheduler
    retention: float  # the service's review retention: review states and the mixer's view use it
    log: list[dict[str, Any]] | None = None  # when a list: every attempt recorded, as the graph keeps it

    @classmethod
    def build(cls, document: dict[str, Any], side: QuestionSide | None, retention: float = 0.9) -> Engine:
        catalog = Catalog(
            version="simulation",
            questions={q["id"]: QuestionMeta(tuple(c["id"] for c in q["concepts"]), q.get("difficulty_tag"),
                                             q.get("text") or "") for q in document["questions"]},
            concepts={c["id"]: ConceptMeta(c.get("name") or c["id"], tuple(c.get("requires", [])))
                      for c in document["concepts"]},
            units={u["id"]: tuple(u.get("filter_scope") or [u["id"]]) for u in document["units"]},
        )
        questions = unit_questions(document)
        rows = {u: catalog.table.rows(ids) for u, ids in questions.items()}
        below = {c: _prerequisites(catalog, c) for c in catalog.concepts}
        assesses = {q["id"]: [(c["id"], float(c.get("weight") or 1.0)) for c in q["concepts"]]
                    for q in document["questions"]}
        return cls(catalog, side, rows, below, assesses, memory.make_scheduler(retention), retention)

    def rows(self, units: list[str]) -> np.ndarray:
        return np.unique(np.concatenate([self.unit_rows[u] for u in units]))

    def scope(self, units: list[str]) -> np.ndarray:
        """The filter scope's question rows, as `service.scope_for` resolves it."""
        return self.rows(sorted({s for u in units for s in self.catalog.units[u]}))

    def predict(self, learner: Student, units: list[str], now: datetime | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
        """(question rows, P(correct)) of every question under the units, from the live fit at `now`."""
        rows = self.rows(units)
        scored = scoring.score(side=self.side, learner=learner, scope_rows=self.scope(units), rows=rows,
                               catalog=self.catalog, now=now)
        return scored.rows, scored.p

    def recommend(self, learner: Student, *, units: list[str], n: int, seed: int, now: datetime,
                  overrides: dict[str, Any] | None = None) -> list[Pick]:
        """What `pipeline.recommend` serves, without reading or writing the graph.

        `overrides` apply as an admin's would, over the service's review retention (this engine's).
        """
        request = RecommendationRequest(user_id=learner.user_id, units=units, n=n, seed=seed,
                                        overrides=Overrides.model_validate(overrides or {}))
        rows = self.rows(units)
        scored = scoring.score(side=self.side, learner=learner, scope_rows=self.scope(units), rows=rows,
                               catalog=self.catalog, now=now)
        settings = pipeline.settings(request=request, service={"review_retention": self.retention},
                                     assignments=[], learner=learner)
        data = scoring.mix_input(scored=scored, learner=learner, catalog=self.catalog, request=request,
                                 now=now, settings=settings)
        return mix(data, settings, n)

    def record(self, learner: Student, *, question_id: str, correct: bool, at: datetime,
               time_ms: int, served: bool = False) -> None:
        """One attempt: history (newest first) and review states, as `record_attempts` writes them
        (`served`: the answer to a next-best item it served, as the graph knows from the attempt's
        recommendation)."""
        attempt = {"question_id": question_id, "correct": correct, "at": at, "time_ms": time_ms}
        learner.attempts.insert(0, attempt)
        if self.log is not None:
            self.log.append({"user_id": learner.user_id, "question_id": question_id, "correct": correct,
                             "at": at, "served": served})
        assesses = self.assesses[question_id]
        concepts = {c for c, _ in assesses}
        for concept, weight in assesses:
            learner.memory[concept] = memory.review(
                learner.memory.get(concept, memory.MemoryState()), correct=correct, at=at, weight=weight,
                scheduler=self.scheduler, time_ms=time_ms,
            )
            if not correct:
                continue
            for prerequisite, depth in self.below[concept]:
                if prerequisite not in concepts:
                    learner.memory[prerequisite] = memory.implicit_credit(
                        learner.memory.get(prerequisite, memory.MemoryState()), at=at, depth=depth,
                        weight=weight, scheduler=self.scheduler,
                    )

    @staticmethod
    def dismiss(learner: Student, question_id: str, reason: str, kind: str) -> None:
        """A dismissal of an item of stream `kind`: the question is rejected and the target offset
        moves, as `record_feedback` does."""
        learner.rejected.add(question_id)
        step = target_step(reason, kind)
        learner.target_offset = max(-MAX_TARGET_OFFSET, min(MAX_TARGET_OFFSET, learner.target_offset + step))


def new_learner(user_id: str) -> Student:
    return Student(user_id=user_id, timezone="UTC", target_offset=0.0, attempts=[], memory={}, rejected=set())


def train_side(document: dict[str, Any], sim: Simulator, *, students: int, start: datetime, seed: int,
               epochs: int = 30, served: list[dict[str, Any]] | None = None) -> QuestionSide:
    """The model the engine would have: trained on `students` simulated curriculum-walk histories,
    and on `served`, attempts of learners the engine served (`Engine.log`), when given."""
    records: list[dict[str, Any]] = list(served or [])
    for _, rows in simulate_students(document, n_students=students, attempts_per_student=(20, 120),
                                     start=start, days=58, seed=seed, simulator=sim):
        records.extend(rows)
    log = from_records(records, [
        {"id": q["id"], "text": q.get("text"), "difficulty_tag": q.get("difficulty_tag"),
         "concepts": q["concepts"]} for q in document["questions"]
    ])
    return train(log, TrainConfig(dim=8, epochs=epochs, seed=seed, progress=False), model_id=f"sim-{seed}")


def unit_questions(document: dict[str, Any]) -> dict[str, list[str]]:
    """Every unit's question ids, its sub-units' included (what `resolve_units` traverses)."""
    units = {u["id"]: u for u in document["units"]}
    done: dict[str, list[str]] = {}

    def under(unit_id: str) -> list[str]:
        if unit_id not in done:
            unit = units[unit_id]
            found = set(unit.get("questions", []))
            for child in unit.get("units", []):
                found.update(under(child))
            done[unit_id] = sorted(found)
        return done[unit_id]

    for unit_id in units:
        under(unit_id)
    return done


def _prerequisites(catalog: Catalog, concept: str) -> list[tuple[str, int]]:
    """Prerequisites up to `IMPLICIT_DEPTH` levels below, at their shortest depth (breadth first)."""
    depth: dict[str, int] = {}
    queue = deque([(concept, 0)])
    while queue:
        current, d = queue.popleft()
        if d == IMPLICIT_DEPTH:
            continue
        for p in catalog.concepts[current].requires if current in catalog.concepts else ():
            if p not in depth and p != concept:
                depth[p] = d + 1
                queue.append((p, d + 1))
    return sorted(depth.items())

