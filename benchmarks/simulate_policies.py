"""Policies on simulated students: mixer, next, random and easiest on the same hidden students.

Runs against the Neo4j of `LG_NEO4J_URI` (the demo curriculum is imported and a model trained on
simulated histories when absent), in process through `engine.recommend`.
Writes benchmarks/results/simulate_policies.json.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from benchmarks.harness import load, machine, write_result
from learner_graph.cli.simulate import POLICIES
from learner_graph.cli.simulate import run as simulate
from learner_graph.config import Settings


def options(**overrides: Any) -> argparse.Namespace:
    """The CLI's defaults (`learner-graph simulate`), with `overrides`."""
    defaults: dict[str, Any] = {
        "policy": list(POLICIES), "experiment": None, "students": 80, "steps": 8, "n": 5,
        "units": ["math"], "warmup": 150, "aa": 200, "seed": 7, "concurrency": 4,
    }
    return argparse.Namespace(**(defaults | overrides))


def run(*, students: int = 80, steps: int = 8) -> dict[str, Any]:
    started, before = time.perf_counter(), machine()
    result = asyncio.run(simulate(options(students=students, steps=steps), Settings()))
    result |= {"wall_s": round(time.perf_counter() - started, 1), "machine": before, "load_after": load()}
    write_result("simulate_policies", result)
    return result


if __name__ == "__main__":
    run()
