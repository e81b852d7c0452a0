"""`wrk` (Debian's) as the load generator: C, an event loop per thread, requests built in Lua.

Costs the server far less CPU than a Python client on the same two cores. Each run reports the
latency percentiles wrk measured, requests/s, non-2xx answers, the CPU seconds wrk itself used
(its share of the machine) and the CPU the API processes and Neo4j used per request.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks.harness import BENCH_KEY, load

# Summary printed by wrk's `done` callback as one JSON line (latencies in microseconds).
DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nWRK_JSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def lua_list(values: Iterable[str]) -> str:
    return "{" + ",".join(json.dumps(v) for v in values) + "}"


def post_preamble(seed: int) -> str:
    """The head of a wrk Lua script POSTing JSON with the benchmark key: each thread (one
    connection) gets an id `tid`, a random seed of its own and a request counter `n`."""
    return f"""local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function init(args) math.randomseed({seed} + tid); n = 0 end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {BENCH_KEY}"
"""


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU of these processes and all their descendants, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in _with_descendants(pids):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _with_descendants(pids: Iterable[int]) -> list[int]:
    found: list[int] = []
    queue = list(pids)
    while queue:
        pid = queue.pop()
        found.append(pid)
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                queue += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def run(
    url: str,
    script: str,
    *,
    connections: int,
    seconds: float,
    threads: int = 2,
    api_pids: Iterable[int] = (),
    neo4j_pids: Iterable[int] = (),
) -> dict[str, Any]:
    """Run wrk with `script` (Lua, without `done`) against `url`; its figures and the CPU used."""
    api_pids, neo4j_pids = list(api_pids), list(neo4j_pids)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script + DONE)
    try:
        api_before, neo4j_before = cpu_seconds(api_pids), cpu_seconds(neo4j_pids)
        own_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:.0f}s", "--timeout", "10s",
             "-s", handle.name, url],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        own_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        api_cpu, neo4j_cpu = cpu_seconds(api_pids) - api_before, cpu_seconds(neo4j_pids) - neo4j_before
    finally:
        os.unlink(handle.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    requests = raw["requests"] or 1
    wrk_cpu = (own_after.ru_utime - own_before.ru_utime) + (own_after.ru_stime - own_before.ru_stime)
    cores = os.cpu_count() or 1
    return {
        "connections": connections,
        "requests": raw["requests"],
        "seconds": round(raw["duration_us"] / 1e6, 1),
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "non_2xx": raw["non_2xx"],
        "socket_errors": raw["socket_errors"],
        "api_cpu_ms_per_request": round(api_cpu * 1000 / requests, 2),
        "neo4j_cpu_ms_per_request": round(neo4j_cpu * 1000 / requests, 2),
        "wrk_cpu_share": round(wrk_cpu / (wall * cores), 3),  # of the whole machine
        "load_average": load(),
    }
