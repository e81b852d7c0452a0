"""The A/B of mixer against next-only through the real experiment service, and its power.

`learner_graph/simulation/retention_ab.py` against a Neo4j of its own (port `LG_BENCH_AB_NEO4J_PORT`,
default the benchmark graph's port + 2, data in .lg/neo4j-ab; started if absent and left running
like the benchmark graph: `learner-graph neo4j stop --port P --data .lg/neo4j-ab`). The first run
records the 1,500 warm-up histories and trains the model (~9 min on a loaded machine); later runs
reuse them. Writes benchmarks/results/outcomes_ab.json (the experiment) and outcomes_power.json
(the metric's s.d. between learners raw and with CUPED, the learners per arm it needs, the A/A
checks). Alone: `python -m benchmarks outcomes_ab`; `LG_BENCH_AB_LEARNERS` sets the cohort.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import ensure_neo4j, load, machine, settings_for, write_result
from learner_graph.simulation.retention_ab import PAIRED_DIFF, retention_experiment

BENCH_PORT = int(os.environ.get("LG_BENCH_NEO4J_PORT", "7690"))
PORT = int(os.environ.get("LG_BENCH_AB_NEO4J_PORT", str(BENCH_PORT + 2)))
DATA_DIR = Path(".lg/neo4j-ab")
# 160: on the paired study's plan with the pre-test recorded, the in-process study finds mixer - next
# +0.011 on the route's delayed accuracy (round 5); at round 4's CUPED s.d. (0.021) that needs ~57 per arm
LEARNERS = int(os.environ.get("LG_BENCH_AB_LEARNERS", "160"))
AA = 1000
BEFORE = {  # round 4 (outcomes_ab.json of 2026-12-02 15:46): 8 sessions over 14 days, CUPED on the pre-test
    "learners": 220, "plan": {"sessions": 8, "days": 14}, "sd_raw": 0.157, "sd_cuped": 0.021,
    "cuped": {"abs_lift": -0.0009, "ci_low": -0.0066, "ci_high": 0.0047, "p_value": 0.74}, "winner": "none",
}


def run(*, learners: int = LEARNERS, seed: int = 7, concurrency: int = 6) -> dict[str, Any]:
    started, before = time.perf_counter(), machine()
    settings = settings_for(ensure_neo4j(PORT, DATA_DIR, heap="2g", pagecache="512m"), timeout_s=120.0)
    result = asyncio.run(retention_experiment(settings, learners=learners, seed=seed, aa=AA,
                                              concurrency=concurrency))
    result |= {"wall_s": round(time.perf_counter() - started, 1), "machine": before, "load_after": load()}
    write_result("outcomes_ab", result)
    write_result("outcomes_power", power_summary(result))
    return {k: result[k] for k in ("learners", "winner", "winner_raw", "power", "aa", "aa_cuped", "wall_s")}


def power_summary(result: dict[str, Any]) -> dict[str, Any]:
    """What the A/B's `delayed_retention` needs to see the paired study's difference, before and now."""
    mixer = result["delayed_retention"]["mixer"]
    return {
        "metric": "delayed_retention",
        "paired_diff": PAIRED_DIFF,
        "test": "two-sided at 0.05, 80% power, two equal arms (normal approximation)",
        "before": BEFORE,
        "after": {
            "learners": result["learners"],
            "test_answers_per_learner": result["test_answers"],
            "exposed": {arm: row["exposed_users"] for arm, row in result["arms"].items()},
            **result["power"],
            "raw": {k: mixer[k] for k in ("abs_lift", "ci_low", "ci_high", "p_value")},
            "cuped": {k: mixer[f"cuped_{k}"] for k in ("abs_lift", "ci_low", "ci_high", "p_value",
                                                       "variance_reduction")},
            "winner": result["winner"], "winner_raw": result["winner_raw"],
        },
        "aa": {"raw": result["aa"], "cuped": result["aa_cuped"]},
        "wall_s": result["wall_s"], "machine": result["machine"], "load_after": result["load_after"],
    }


if __name__ == "__main__":
    run()
