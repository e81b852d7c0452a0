"""Learning outcomes: every policy on the same simulated learners who forget, the mixer tuned, the A/B.

In process (no Neo4j) for the policies and the tuning grid; the A/B of mixer against next-only
runs through the experiment service against the Neo4j of `LG_NEO4J_URI` when `LG_BENCH_AB_LEARNERS`
is set above 0. Writes benchmarks/results/outcomes.json. Alone: `python -m benchmarks outcomes`.

On a shared machine the policies can run in separate processes on the same learners:
`LG_BENCH_POLICIES=mixer,next LG_BENCH_PART=a python -m benchmarks.outcomes` writes
`outcomes-part-a.json`; `python -m benchmarks.outcomes --merge a b ...` pairs the parts by learner
into outcomes.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from typing import Any

from benchmarks.harness import RESULTS, load, machine, write_result
from learner_graph.cli.simulate import run_outcomes
from learner_graph.config import Settings

# 120: what the paired mixer-vs-next test needs for p < 0.01 at 90% power at the last measured
# difference (`learners_for_p01` in outcomes.json); about 15 min of CPU on 2 idle cores.
LEARNERS = int(os.environ.get("LG_BENCH_LEARNERS", "120"))
TUNE_LEARNERS = int(os.environ.get("LG_BENCH_TUNE_LEARNERS", "0"))  # the grid: 21 settings, ~5 min CPU at 8
AB_LEARNERS = int(os.environ.get("LG_BENCH_AB_LEARNERS", "0"))
POLICIES = [p for p in os.environ.get("LG_BENCH_POLICIES", "").split(",") if p]  # empty: all
PART = os.environ.get("LG_BENCH_PART", "")


def run(*, learners: int = LEARNERS, tune_learners: int = TUNE_LEARNERS, ab_learners: int = AB_LEARNERS,
        seed: int = 7, policies: list[str] | None = POLICIES, part: str = PART) -> dict[str, Any]:
    started, before = time.perf_counter(), machine()
    args = argparse.Namespace(learners=learners, tune_learners=tune_learners, ab_learners=ab_learners,
                              seed=seed, aa=200, only=policies or None)
    result = asyncio.run(run_outcomes(args, Settings()))
    result |= {"wall_s": round(time.perf_counter() - started, 1), "machine": before, "load_after": load()}
    write_result(f"outcomes-part-{part}" if part else "outcomes", result)
    return result


def merge(parts: list[str]) -> dict[str, Any]:
    """outcomes.json from parts run on the same learners, paired by learner."""
    from learner_graph.simulation.study import merge_parts

    loaded = [json.loads((RESULTS / f"outcomes-part-{p}.json").read_text()) for p in parts]
    result = merge_parts(loaded)
    result |= {"parts": {p: {"wall_s": r["wall_s"], "machine": r["machine"], "load_after": r["load_after"],
                             "policies": list(r["policies"])} for p, r in zip(parts, loaded, strict=True)}}
    for key in ("experiment",):  # the A/B, from whichever part ran it
        for r in loaded:
            if key in r:
                result[key] = r[key]
    write_result("outcomes", _no_nan(result))
    return result


def _no_nan(value: Any) -> Any:
    """NaN (no prediction, in parts written before `predicted_p` became None) as JSON null."""
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_nan(v) for v in value]
    return None if isinstance(value, float) and value != value else value


if __name__ == "__main__":
    if sys.argv[1:2] == ["--merge"]:
        merge(sys.argv[2:])
    else:
        run()
