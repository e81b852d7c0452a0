"""`POST /v1/recommendations` on the benchmark graph: 32 concurrent clients, p50/p95/p99 and requests/s.

Random simulated students ask for a section, a chapter or the whole subject (units of very
different sizes) in turn. The API runs as `learner-graph serve` (LG_BENCH_WORKERS processes,
default 2: one per core) in a subprocess on a free localhost port; the route's own `timing_ms`
(fetch, predict, mix, record) is summarised next to the client-side latencies, so a missed
target says where the time went.

Two runs: *closed loop* (each client sends its next request as soon as the last is answered:
the server's capacity, and the headline figures), then *paced* (the same 32 clients, each
waiting between requests like a learner app between questions, offering half the measured
capacity: the latency a request sees when the service is not saturated).
Writes benchmarks/results/recommend.json.
"""

from __future__ import annotations

import asyncio
import os
import random
from typing import Any

from benchmarks import graph
from benchmarks.harness import BENCH_KEY, api_server, machine, settings_for, write_result
from benchmarks.loadgen import Body, run_load
from learner_graph.db.graph import open_driver

CONCURRENCY = 32
REQUESTS = int(os.environ.get("LG_BENCH_REQUESTS", "3000"))
MAX_SECONDS = float(os.environ.get("LG_BENCH_SECONDS", "120"))
WARMUP = 200  # first requests load the catalog, the model and resolve the units
WORKERS = int(os.environ.get("LG_BENCH_WORKERS", "2"))
PACED_SHARE = 0.5  # the paced run offers this share of the closed loop's requests/s
PACED_SECONDS = float(os.environ.get("LG_BENCH_PACED_SECONDS", "40"))


def bodies(units: dict[str, str], n_students: int, seed: int = 11) -> Body:
    """Random students, each request for the next of section, chapter and subject."""
    rng = random.Random(seed)
    kinds = sorted(units)

    def body(i: int) -> dict[str, Any]:
        return {
            "user_id": f"sim-7-{rng.randrange(n_students):06d}",
            "units": [units[kinds[i % len(kinds)]]],
            "n": 10,
            "seed": i,
        }

    return body



def neo4j_agent(uri: str) -> str:
    with open_driver(settings_for(uri)) as driver:
        return str(driver.get_server_info().agent)


def run() -> dict[str, Any]:
    uri, built = graph.ensure()
    units: dict[str, str] = built["units"]
    body = bodies(units, int(built["students"]))
    with api_server(uri, log=graph.WORK_DIR / "api-recommend.log", env={"LG_WORKERS": str(WORKERS)}) as base:
        def measure(**options: Any) -> dict[str, Any]:
            load = run_load(
                base, "/v1/recommendations", body, key=BENCH_KEY, concurrency=CONCURRENCY, requests=REQUESTS,
                **options,
            )
            return asyncio.run(load).summary()

        closed = measure(max_seconds=MAX_SECONDS, warmup=WARMUP)
        rate = max(1.0, float(closed["rps"] or 0) * PACED_SHARE)
        paced = measure(max_seconds=PACED_SECONDS, interval_s=CONCURRENCY / rate)
    figures = {
        "route": "POST /v1/recommendations",
        "concurrency": CONCURRENCY,
        "workers": WORKERS,
        "units": units,
        "p50_ms": closed["p50_ms"],
        "p95_ms": closed["p95_ms"],
        "p99_ms": closed["p99_ms"],
        "rps": closed["rps"],
        **{k: v for k, v in closed.items() if k not in ("p50_ms", "p95_ms", "p99_ms", "rps")},
        "paced": {"offered_rps": round(rate, 1), **paced},
        "targets": {"p99_ms": 100, "p50_ms": 20},
        "graph": {k: built.get(k) for k in ("students", "content", "attempts", "train")},
        "machine": machine(neo4j_agent(uri)),
    }
    print(
        f"recommendations, closed loop: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
        f"p99 {figures['p99_ms']} ms, {figures['rps']} req/s (load {closed['load_average']}); "
        f"paced at {rate:.0f} req/s: p50 {paced['p50_ms']} ms, p99 {paced['p99_ms']} ms"
    )
    write_result("recommend", figures)
    return figures


if __name__ == "__main__":
    run()
