"""Process-wide stalls under 16 clients: the same load with and without `LG_GC_FREEZE`.

16 connections of `wrk` ask for recommendations back to back (a random one of 200 learners each
time) while a 17th client probes `/healthz` every 50 ms: a stall of the whole process shows in
the probe's tail, not only the recommendations'.
The API's own `lg_gc_pause_seconds` histogram says how long its collections stopped it.
Runs alone: `python -m benchmarks stall` (its own small Neo4j, like the fault benchmark).
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from typing import Any

import httpx

from benchmarks import wrk
from benchmarks.faults import PORT, make_content
from benchmarks.harness import api_server, fresh_neo4j, latency_summary, machine, write_result
from learner_graph.config import PROJECT_ROOT
from learner_graph.db import embedded

DATA_DIR = PROJECT_ROOT / ".lg" / "neo4j-stall"
CLIENTS = 16
SECONDS = 30.0
FIGURES = ("requests", "rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "non_2xx")
LEARNERS = 200
WARMUP_S = 5  # the first requests load the catalog and the model and plan the queries
NEO4J_WARMUP_S = 20  # once, before both runs: the "before" run used to meet a cold Neo4j alone

# wrk's Lua: each request a random one of LEARNERS learners asking for 5 questions of the unit.
SCRIPT = f"""
{wrk.post_preamble(7)}function request()
  local learner = math.random(0, {LEARNERS - 1})
  local body = string.format('{{"user_id":"learner-%d","units":["faults"],"n":5}}', learner)
  return wrk.format(nil, "/v1/recommendations", nil, body)
end
"""


async def probe(base_url: str, seconds: float) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            await http.get("/healthz")
            latencies.append(time.perf_counter() - sent)
            await asyncio.sleep(0.05)
    return latencies


async def measure(base_url: str, api_pid: int) -> dict[str, Any]:
    await asyncio.to_thread(wrk.run, base_url, SCRIPT, connections=CLIENTS, seconds=WARMUP_S)
    summary, healthz = await asyncio.gather(
        asyncio.to_thread(
            wrk.run, base_url, SCRIPT, connections=CLIENTS, seconds=SECONDS, api_pids=[api_pid]
        ),
        probe(base_url, SECONDS),
    )
    metrics = httpx.get(f"{base_url}/metrics").text
    pauses = {f"gen{g}": {"count": int(float(c)), "seconds": round(float(s), 3)} for g, c, s in _gc(metrics)}
    return {
        "recommendations": {k: summary[k] for k in FIGURES}
        | {"api_cpu_ms": summary["api_cpu_ms_per_request"]},
        "healthz_probe": latency_summary(healthz),
        "gc_pauses": pauses,
        "load_average": summary["load_average"],
    }


def _gc(metrics: str) -> list[tuple[str, str, str]]:
    counts = dict(re.findall(r'lg_gc_pause_seconds_count\{generation="(\d)"\} (\S+)', metrics))
    sums = dict(re.findall(r'lg_gc_pause_seconds_sum\{generation="(\d)"\} (\S+)', metrics))
    return [(g, counts[g], sums.get(g, "0")) for g in sorted(counts)]


def run() -> dict[str, Any]:
    instance, uri = fresh_neo4j(PORT, DATA_DIR)
    results: dict[str, Any] = {"clients": CLIENTS, "seconds": SECONDS}
    try:
        make_content(uri)
        with api_server(uri, log=DATA_DIR / "api-warm-up.log", env={"LG_RATE_LIMIT_PER_S": "0"}) as base:
            wrk.run(base, SCRIPT, connections=CLIENTS, seconds=NEO4J_WARMUP_S)  # Neo4j warm for both runs
        for name, freeze in (("before_gc_freeze", "false"), ("after_gc_freeze", "true")):
            env = {"LG_GC_FREEZE": freeze, "LG_RATE_LIMIT_PER_S": "0"}
            pids: list[int] = []
            with api_server(uri, log=DATA_DIR / f"api-{name}.log", env=env, pids=pids) as base:
                results[name] = asyncio.run(measure(base, pids[0]))
            print(f"{name}: {results[name]}", file=sys.stderr)
    finally:
        embedded.stop(instance)
    results["machine"] = machine()
    write_result("stall", results)
    return results


if __name__ == "__main__":
    run()
