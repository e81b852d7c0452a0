"""The active question side held in process, refreshed when the active version changes."""

from __future__ import annotations

import asyncio
import time

from learner_graph.db.graph import Graph
from learner_graph.model import registry
from learner_graph.model.coldstart import extend
from learner_graph.model.side import QuestionSide

CHECK_EVERY_S = 1.0


class ModelStore:
    """Holds the active model; `current()` asks Neo4j which version is active at most once a second."""

    def __init__(self, *, check_every_s: float = CHECK_EVERY_S) -> None:
        self.check_every_s = check_every_s
        self._side: QuestionSide | None = None
        self._checked = -float("inf")
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Ask Neo4j again on the next call (this process just changed the active version)."""
        self._checked = -float("inf")

    def _fresh(self) -> bool:
        return time.monotonic() - self._checked < self.check_every_s

    async def current(self, db: Graph) -> QuestionSide | None:
        """The active question side (None before any version is active); cheap when unchanged."""
        if self._fresh():
            return self._side
        if self._lock.locked() and self._side is not None:
            return self._side  # another request is checking: serve the loaded side, never queue
        async with self._lock:
            if self._fresh():
                return self._side
            active = await registry.active_id(db=db)
            if active is None:
                self._side = None
            elif self._side is None or self._side.model_id != active:
                self._side = await with_graph_questions(db, await registry.load(db=db, model_id=active))
            self._checked = time.monotonic()
        return self._side


async def with_graph_questions(db: Graph, side: QuestionSide) -> QuestionSide:
    """The side extended, once, with cold-start vectors for the graph's questions newer than the model.

    Requests then find every current question already known; only questions created after this
    load are cold-started per request.
    """
    rows = await db.read("model_question_meta", question_ids=None)
    metas = {
        row["id"]: {"text": row["text"] or "", "difficulty_tag": row["difficulty_tag"],
                    "concept_ids": [(c["id"], float(c["weight"] or 1.0)) for c in row["concepts"] if c["id"]]}
        for row in rows if row["id"] not in side.index
    }
    return await asyncio.to_thread(extend, side, metas) if metas else side

