"""Learning outcomes: every policy on the same simulated learners who forget, the mixer tuned, the A/B.

In process (no Neo4j) for the policies and the tuning grid; the A/B of mixer against next-only
runs through the experiment service against the Neo4j of `LG_NEO4J_URI` when `LG_BENCH_AB_LEARNERS`
is set above 0. Writes benchmarks/results/outcomes.json. Alone: `python -m benchmarks outcomes`.

On a shared machine the policies can run in separate processes on the same learners:
`LG_BENCH_POLICIES=mixer,next LG_BENCH_PART=a python -m benchmarks.outcomes` writes
`outcomes-part-a.json`; `python -m benchmarks.outcomes --merge a b ...` pairs the parts by learner
into outcomes.json. `python -m benchmarks.outcomes --tune` runs the tuning grid alone
(`LG_BENCH_TUNE_LEARNERS` learners, default 16) into outcomes_tuning.json.
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

# 120 learners, 40 per model of the study. The paired mixer-vs-next difference measured on them in round 13
# (+0.0036) needs 136 for p < 0.01 at 90% power (`learners_for_p01` in outcomes.json); they reached p 0.0004,
# and all 360 of round 13's learners p 0.006, 240 fresh ones alone p 0.33 (docs/BENCHMARKS.md). Three parts
# in parallel: 3 min on 2 idle cores.
LEARNERS = int(os.environ.get("LG_BENCH_LEARNERS", "120"))
TUNE_LEARNERS = int(os.environ.get("LG_BENCH_TUNE_LEARNERS", "0"))  # > 0: the grid too, before the policies
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
    if "tuning" in result:
        write_result("outcomes_tuning", result["tuning"] | {"machine": before, "load_after": load()})
    return result


def tune(*, learners: int = TUNE_LEARNERS or 16, seed: int = 7, part: str = PART) -> dict[str, Any]:
    """The tuning grid alone (`study.tune`) → outcomes_tuning.json: its frontier sets the defaults.

    `LG_BENCH_PART=k/m` runs every m-th setting from the k-th (0-based) into outcomes_tuning-part-k.json;
    `--tune-merge m` puts the m parts together."""
    from learner_graph.simulation.study import run_tuning

    k, m = (int(x) for x in part.split("/")) if part else (0, 1)
    started, before = time.perf_counter(), machine()
    result = run_tuning(learners=learners, seed=seed, part=k, parts=m)
    result |= {"wall_s": round(time.perf_counter() - started, 1), "machine": before, "load_after": load()}
    write_result(f"outcomes_tuning-part-{k}" if part else "outcomes_tuning", result)
    return result


def tune_merge(parts: int) -> dict[str, Any]:
    """outcomes_tuning.json from its parts (the same learners and model; checked): one frontier."""
    from learner_graph.simulation.study import frontier

    loaded = [json.loads((RESULTS / f"outcomes_tuning-part-{k}.json").read_text()) for k in range(parts)]
    for key in ("seed", "plan", "model", "learners"):
        if any(r[key] != loaded[0][key] for r in loaded):
            raise ValueError(f"tuning parts differ in {key}")
    own = ("grid", "best", "wall_s", "machine", "load_after")
    result = {k: v for k, v in loaded[0].items() if k not in own}
    result |= frontier([row for r in loaded for row in r["grid"]], loaded[0]["learners"])
    result["parts"] = [{"wall_s": r["wall_s"], "machine": r["machine"], "load_after": r["load_after"]}
                       for r in loaded]
    write_result("outcomes_tuning", result)
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
    elif sys.argv[1:2] == ["--tune"]:
        tune()
    elif sys.argv[1:2] == ["--tune-merge"]:
        tune_merge(int(sys.argv[2]))
    else:
        run()
