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
# 220: what fits in ~35 min at load 20+; CUPED on the 60-learner trial run (8 items per concept) needed
# 281 per arm for the paired study's difference; 16 items halve the test's Bernoulli variance
LEARNERS = int(os.environ.get("LG_BENCH_AB_LEARNERS", "220"))
AA = 1000
BEFORE = {  # round 3 (outcomes_ab.json of 2026-12-02 11:52): one answer per concept, no pre-test, no CUPED
    "learners": 120, "sd_between_learners": 0.17, "p_value": 0.99, "winner": "none",
    "per_arm_for_paired_diff": 8514,  # stats.sample_size_per_arm(0.17, 0.0073)
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
