"""`POST /v1/recommendations` on the benchmark graph, driven by `wrk`: capacity and paced latency.

Random simulated students ask for a section, a chapter or the whole subject (units of very
different sizes) in turn. The API runs as `learner-graph serve` (LG_BENCH_WORKERS processes,
default 2: one per core) in a subprocess on a free localhost port; `wrk` (C, Lua-built bodies)
costs the two cores far less than a Python client, and its CPU share is reported.

Two runs after a warm-up: *capacity* (32 connections back to back: requests/s), then *paced*
(the same 32 connections, each waiting between requests like a learner app between questions,
offering 80% of the capacity: the latency a request sees when the service is not saturated).
Each run reports the CPU milliseconds per request of the API processes and of Neo4j.
Writes benchmarks/results/recommend.json; `python -m benchmarks recommend` runs it alone.
"""

from __future__ import annotations

import os
from typing import Any

from benchmarks import graph, wrk
from benchmarks.harness import api_server, machine, read_result, settings_for, write_result
from learner_graph.db import embedded
from learner_graph.db.graph import open_driver

CONNECTIONS = 32
SECONDS = float(os.environ.get("LG_BENCH_SECONDS", "30"))
WARMUP_SECONDS = 10  # the first requests load the catalog, the model and resolve the units
WORKERS = int(os.environ.get("LG_BENCH_WORKERS", "2"))
PACED_SHARE = 0.8
API_PORT = int(os.environ.get("LG_BENCH_API_PORT", "0")) or None  # the API's port (default: a free one)


def script(units: dict[str, str], n_students: int, *, delay_ms: float = 0.0) -> str:
    """wrk's Lua: a random student per request, the next of section, chapter and subject each time;
    with `delay_ms`, each connection waits about that long (uniform, 0 to twice it) between requests."""
    pause = f"function delay() return math.random(0, {2 * delay_ms:.0f}) end" if delay_ms > 0 else ""
    return f"""
local units = {wrk.lua_list(units[k] for k in sorted(units))}
{wrk.post_preamble(11)}function request()
  n = n + 1
  local body = string.format('{{"user_id":"sim-7-%06d","units":["%s"],"n":10,"seed":%d}}',
    math.random(0, {n_students - 1}), units[(n % #units) + 1], n)
  return wrk.format(nil, "/v1/recommendations", nil, body)
end
{pause}
"""


def neo4j_agent(uri: str) -> str:
    with open_driver(settings_for(uri)) as driver:
        return str(driver.get_server_info().agent)


def run() -> dict[str, Any]:
    uri, built = graph.ensure()
    units: dict[str, str] = built["units"]
    students = int(built["students"])
    neo4j_pid = embedded.Instance(port=graph.PORT, data_dir=graph.DATA_DIR.resolve()).pid()
    api_pids: list[int] = []
    log = graph.WORK_DIR / "api-recommend.log"
    with api_server(uri, port=API_PORT, log=log, env={"LG_WORKERS": str(WORKERS)}, pids=api_pids) as base:
        url = f"{base}/v1/recommendations"
        cpu = {"api_pids": api_pids, "neo4j_pids": [neo4j_pid] if neo4j_pid else []}
        wrk.run(url, script(units, students), connections=CONNECTIONS, seconds=WARMUP_SECONDS, **cpu)
        capacity = wrk.run(url, script(units, students), connections=CONNECTIONS, seconds=SECONDS, **cpu)
        offered = max(1.0, capacity["rps"] * PACED_SHARE)
        # each connection's cycle is its request plus its pause: 32 / offered seconds
        pause_ms = max(0.0, CONNECTIONS * 1000 / offered - capacity["api_cpu_ms_per_request"])
        paced = wrk.run(
            url, script(units, students, delay_ms=pause_ms), connections=CONNECTIONS, seconds=SECONDS, **cpu
        )
    figures = {
        "route": "POST /v1/recommendations",
        "load_generator": "wrk",
        "connections": CONNECTIONS,
        "workers": WORKERS,
        "units": units,
        "capacity_rps": capacity["rps"],
        "capacity": capacity,
        "paced": {"offered_rps": round(offered, 1), **paced},
        "targets": {"capacity_rps": 400, "paced_p99_ms": 50},
        "graph": {k: built.get(k) for k in ("students", "content", "attempts", "train")},
        "machine": machine(neo4j_agent(uri)),
    }
    print(
        f"recommendations: capacity {capacity['rps']} req/s (p50 {capacity['p50_ms']} ms, p99 "
        f"{capacity['p99_ms']} ms; API {capacity['api_cpu_ms_per_request']} ms CPU a request, Neo4j "
        f"{capacity['neo4j_cpu_ms_per_request']} ms; wrk {capacity['wrk_cpu_share']:.0%} of the machine; "
        f"load {capacity['load_average']}); paced at {paced['rps']} req/s: p50 {paced['p50_ms']} ms, "
        f"p99 {paced['p99_ms']} ms"
    )
    # The learner's step (`benchmarks/session.py`) writes its figures into the same file: keep them.
    sessions = {k: v for k, v in read_result("recommend").items() if k.startswith("session_x16")}
    write_result("recommend", figures | sessions)
    return figures


if __name__ == "__main__":
    run()
