"""Simulated experiments: target P 0.5 against 0.9 through the experiment service, and A/A re-splits.

24 requests per student (8 are too few for `ability_gain` to see learning, see docs/BENCHMARKS.md);
a graph without an active model gets 1,000 simulated histories and a model trained on them.
Writes benchmarks/results/simulate_experiments.json.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks.harness import load, machine, write_result
from benchmarks.simulate_policies import options
from learner_graph.cli.simulate import run as simulate
from learner_graph.config import Settings


def run(*, students: int = 200, steps: int = 24, aa: int = 200, warmup: int = 1000) -> dict[str, Any]:
    args = options(experiment="target-p", students=students, steps=steps, aa=aa, warmup=warmup)
    started, before = time.perf_counter(), machine()
    result = asyncio.run(simulate(args, Settings()))
    result |= {"wall_s": round(time.perf_counter() - started, 1), "machine": before, "load_after": load()}
    write_result("simulate_experiments", result)
    return result


if __name__ == "__main__":
    run()
