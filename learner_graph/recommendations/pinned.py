"""Model versions pinned by an experiment arm: loaded once each (a version never changes)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from learner_graph.db.graph import Graph
from learner_graph.model import registry
from learner_graph.model.side import QuestionSide


class PinnedModels:
    def __init__(self, limit: int = 4) -> None:
        self.limit = limit
        self._sides: OrderedDict[str, QuestionSide] = OrderedDict()
        self._lock = asyncio.Lock()

    async def get(self, db: Graph, model_id: str) -> QuestionSide:
        if model_id in self._sides:
            self._sides.move_to_end(model_id)
            return self._sides[model_id]
        async with self._lock:
            if model_id not in self._sides:
                self._sides[model_id] = await registry.load(db=db, model_id=model_id)
                while len(self._sides) > self.limit:
                    self._sides.popitem(last=False)
        return self._sides[model_id]
