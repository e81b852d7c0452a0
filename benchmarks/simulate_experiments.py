"""Simulated experiments: target P 0.5 against 0.9 through the experiment service, and A/A re-splits.

Writes benchmarks/results/simulate_experiments.json.
"""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks.harness import write_result
from benchmarks.simulate_policies import options
from learner_graph.cli.simulate import run as simulate
from learner_graph.config import Settings


def run(*, students: int = 120, steps: int = 8, aa: int = 200) -> dict[str, Any]:
    args = options(experiment="target-p", students=students, steps=steps, aa=aa)
    result = asyncio.run(simulate(args, Settings()))
    write_result("simulate_experiments", result)
    return result


if __name__ == "__main__":
    run()
