"""Helpers for experiment tests: run service coroutines on a fresh runtime, define experiments."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from learner_graph.config import Settings
from learner_graph.db.graph import Graph
from learner_graph.db.queries import Queries
from learner_graph.experiments.models import ExperimentCreate
from learner_graph.runtime import Runtime

T = TypeVar("T")


def on_graph(settings: Settings, queries: Queries, work: Callable[[Graph], Awaitable[T]]) -> T:
    """Run `work` on a runtime of its own, as a fresh process would (nothing cached survives)."""

    async def main() -> T:
        async with Runtime.open(settings, queries=queries) as runtime:
            return await work(runtime.graph)

    return asyncio.run(main())


def definition(key: str = "target-p", **changes: Any) -> ExperimentCreate:
    """A valid two-arm definition; `changes` replace fields."""
    fields: dict[str, Any] = {
        "key": key,
        "description": "Easier questions",
        "hypothesis": "Aiming at P=0.7 keeps students practising longer",
        "arms": [
            {"name": "control", "weight": 0.5},
            {"name": "easier", "weight": 0.5, "overrides": {"target_p": 0.7}},
        ],
        "control": "control",
        "primary_metrics": ["attempts"],
        "secondary_metrics": ["accuracy"],
        "guardrail_metrics": ["dismissals"],
    }
    return ExperimentCreate.model_validate(fields | changes)
