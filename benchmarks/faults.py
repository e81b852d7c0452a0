"""Faults under load: 16 learners post attempts and ask for recommendations while Neo4j is stopped and
restarted and Redis is killed and restarted. Nothing acknowledged may be lost or stored twice.

Runs alone (`python -m benchmarks faults`) on its own small Neo4j (LG_FAULTS_NEO4J_PORT, a fresh
`.lg/neo4j-faults`) and its own redis-server (LG_FAULTS_REDIS_PORT, else a free port), so killing
them disturbs nobody; the API is `learner-graph serve` in a subprocess, as in production
(LG_FAULTS_API_PORT, else a free port). Each client retries a failed attempt
with the same attempt_id until it is acknowledged (waiting at most 0.2 s, so recovery is seen
as soon as it happens). Writes `benchmarks/results/faults.json`.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from neo4j import GraphDatabase

from benchmarks.harness import (
    BENCH_KEY,
    api_server,
    free_port,
    fresh_neo4j,
    jvm_cpu,
    load,
    machine,
    write_result,
)
from learner_graph.config import PROJECT_ROOT
from learner_graph.db import embedded
from learner_graph.db.graph import apply_schema
from learner_graph.db.queries import Queries

PORT = int(os.environ.get("LG_FAULTS_NEO4J_PORT", "7691"))
REDIS_PORT = int(os.environ.get("LG_FAULTS_REDIS_PORT", "0"))  # 0: a free port
API_PORT = int(os.environ.get("LG_FAULTS_API_PORT", "0"))
DATA_DIR = PROJECT_ROOT / ".lg" / "neo4j-faults"
CLIENTS = 16
STEADY_S = 4.0  # load before, between and after the faults (once every client has been answered)
OUTAGE_S = 5.0  # Neo4j stopped this long (plus its shutdown and start-up)
REDIS_OUTAGE_S = 4.0
CONCEPTS, PER_CONCEPT = 6, 15
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
GIVE_UP_S = 60.0  # after the run, an attempt still refused this long is reported unacknowledged


@dataclass
class Call:
    kind: str  # attempt | recommendation
    phase: str
    sent: float
    latency_s: float
    status: int  # 0: no HTTP answer (connection error or client timeout)


@dataclass
class Run:
    phase: str = "steady"
    stop: bool = False
    stopped_at: float = 0.0
    started: float = 0.0
    calls: list[Call] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    marks: dict[str, float] = field(default_factory=dict)
    neo4j_pid: int | None = None
    cpu_marks: dict[str, float] = field(default_factory=dict)  # Neo4j's CPU seconds at each mark
    first_ok_cpu: dict[str, float] = field(default_factory=dict)  # ... at each kind's first 200 once back
    jit_marks: dict[str, float] = field(default_factory=dict)  # its JIT compiler threads' share, the same
    first_ok_jit: dict[str, float] = field(default_factory=dict)

    def neo4j_cpu(self) -> float:
        """Neo4j's CPU time so far (user + system, every thread: planning, JIT, GC), in seconds:
        far less sensitive to the machine's load than the wall clock."""
        if self.neo4j_pid is None:
            return float("nan")
        try:
            fields = Path(f"/proc/{self.neo4j_pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def neo4j_jit_cpu(self) -> float:
        """The CPU seconds of Neo4j's JIT compiler threads (C1, C2) so far."""
        return jvm_cpu(self.neo4j_pid)["jit_compiler"] if self.neo4j_pid is not None else float("nan")


def make_content(uri: str) -> None:
    """A small curriculum: a chain of concepts, their questions, one unit holding them all."""
    with GraphDatabase.driver(uri, auth=("neo4j", "learner-graph")) as driver:
        apply_schema(driver, Queries.load(PROJECT_ROOT / "cypher"), "neo4j")
        driver.execute_query(
            """
            CREATE (unit:Unit {id: 'faults', name: 'Faults', kind: 'subject'})
            WITH unit
            UNWIND range(0, $concepts - 1) AS i
            CREATE (c:Concept {id: 'fc' + i, name: 'Concept ' + i, subject: 'math'})
            WITH unit, c
            UNWIND range(1, $per) AS k
            CREATE (q:Question {id: c.id + '-q' + k, text: 'Question ' + k, difficulty_tag: 1 + k % 5})
            CREATE (q)-[:ASSESSES {weight: 1.0}]->(c)
            CREATE (unit)-[:CONTAINS]->(q)
            """,
            concepts=CONCEPTS,
            per=PER_CONCEPT,
        )
        driver.execute_query(
            """
            UNWIND range(1, $concepts - 1) AS i
            MATCH (c:Concept {id: 'fc' + i}), (p:Concept {id: 'fc' + (i - 1)})
            CREATE (c)-[:REQUIRES]->(p)
            MERGE (m:Meta {key: 'content'}) ON CREATE SET m.epoch = randomUUID(), m.version = 1
            """,
            concepts=CONCEPTS,
        )


async def client(number: int, http: httpx.AsyncClient, run: Run) -> None:
    """One learner: an attempt (retried with the same id until acknowledged), then a recommendation."""
    user = f"learner-{number}"
    sequence = 0
    while not run.stop:
        sequence += 1
        attempt = {
            "attempt_id": f"{user}-a{sequence}",
            "user_id": user,
            "question_id": f"fc{sequence % CONCEPTS}-q{1 + sequence % PER_CONCEPT}",
            "correct": sequence % 3 != 0,
            "time_spent_ms": 4000,
        }
        while True:  # an answer the learner gave is sent until it is stored (or the run gives up)
            if await _call(http, run, "attempt", "/v1/attempts", attempt) == 200:
                run.acknowledged.add(attempt["attempt_id"])
                break
            if run.stop and time.perf_counter() - run.stopped_at > GIVE_UP_S:
                return
            await asyncio.sleep(0.2)
        ask = {"user_id": user, "units": ["faults"], "n": 3}
        await _call(http, run, "recommendation", "/v1/recommendations", ask)


async def readiness(http: httpx.AsyncClient, run: Run) -> None:
    """A load balancer's probe: `/readyz` every 0.5 s (its statuses and latency by phase)."""
    while not run.stop:
        await _call(http, run, "readyz", "/readyz", None)
        await asyncio.sleep(0.5)


async def _call(http: httpx.AsyncClient, run: Run, kind: str, path: str, body: dict[str, Any] | None) -> int:
    sent = time.perf_counter()
    phase = run.phase
    try:
        answer = await http.get(path) if body is None else await http.post(path, json=body)
        status = answer.status_code
    except httpx.HTTPError:
        status = 0
    run.calls.append(Call(kind, phase, sent, time.perf_counter() - sent, status))
    if status == 200 and phase == "neo4j_back" and kind not in run.first_ok_cpu:
        run.first_ok_cpu[kind] = run.neo4j_cpu()
        run.first_ok_jit[kind] = run.neo4j_jit_cpu()
    return status


async def until(condition: Callable[[], bool], timeout_s: float = 120) -> None:
    """Wait for `condition` (checked every 0.1 s), at most `timeout_s`."""
    deadline = time.perf_counter() + timeout_s
    while not condition() and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)


async def warm(http: httpx.AsyncClient) -> None:
    """One recommendation answered before the clock starts (the catalog and caches loaded)."""
    for _ in range(60):
        ask = {"user_id": "warm-up", "units": ["faults"], "n": 3}
        if (await http.post("/v1/recommendations", json=ask)).status_code == 200:
            return
        await asyncio.sleep(1)
    raise RuntimeError("the API never answered a recommendation")


class PrivateRedis:
    """The benchmark's own redis-server, which it kills with SIGKILL and starts again."""

    def __init__(self) -> None:
        self.port = REDIS_PORT or free_port()
        self.dir = PROJECT_ROOT / ".lg" / "redis-faults"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (make redis installs it)"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.3)

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None


async def scenario(base_url: str, instance: embedded.Instance, redis: PrivateRedis) -> Run:
    run = Run()
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    headers = {"Authorization": f"Bearer {BENCH_KEY}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=30) as http:
        await warm(http)
        clients = [asyncio.create_task(client(k, http, run)) for k in range(CLIENTS)]
        clients.append(asyncio.create_task(readiness(http, run)))
        run.started = time.perf_counter()

        def mark(name: str) -> None:
            run.marks[name] = time.perf_counter() - run.started
            run.cpu_marks[name] = run.neo4j_cpu()
            run.jit_marks[name] = run.neo4j_jit_cpu()

        await until(lambda: len(run.acknowledged) >= 2 * CLIENTS)  # every path warm, on a slow machine too
        await asyncio.sleep(STEADY_S)
        run.phase = "neo4j_stopping"
        mark("neo4j_stop")
        await asyncio.to_thread(embedded.stop, instance)
        run.phase = "neo4j_down"
        mark("neo4j_stopped")
        await asyncio.sleep(OUTAGE_S)
        run.phase = "neo4j_starting"
        mark("neo4j_start")
        run.neo4j_pid = await asyncio.to_thread(embedded.start, instance, heap="1g", pagecache="256m")
        run.phase = "neo4j_back"
        mark("neo4j_ready")
        recovered = len(run.acknowledged)
        await until(lambda: len(run.acknowledged) >= recovered + CLIENTS)
        await asyncio.sleep(STEADY_S)
        run.phase = "redis_down"
        mark("redis_kill")
        redis.kill()
        await asyncio.sleep(REDIS_OUTAGE_S)
        redis.start()
        run.phase = "redis_back"
        mark("redis_back")
        await asyncio.sleep(STEADY_S)
        run.stop, run.stopped_at = True, time.perf_counter()
        await asyncio.gather(*clients)
        mark("end")
    return run


def stored(uri: str) -> dict[str, int]:
    """What Neo4j holds: attempts, attempts linked twice, recommendations linked twice."""
    with GraphDatabase.driver(uri, auth=("neo4j", "learner-graph")) as driver:
        records, _, _ = driver.execute_query(
            """
            MATCH (a:Attempt) WITH collect(a.id) AS ids
            CALL () { MATCH (:User)-[r:ATTEMPTED]->(a:Attempt) WITH a, count(r) AS n WHERE n > 1
                      RETURN count(a) AS twice }
            CALL () { MATCH (:User)-[r:RECEIVED]->(x:Recommendation) WITH x, count(r) AS n WHERE n > 1
                      RETURN count(x) AS recs_twice }
            CALL () { MATCH (r:Recommendation) RETURN count(r) AS recommendations }
            RETURN ids, twice, recs_twice, recommendations
            """
        )
    row = records[0]
    return {"ids": row["ids"], "twice": row["twice"], "recs_twice": row["recs_twice"],
            "recommendations": row["recommendations"]}  # fmt: skip


def first_success(run: Run, after_s: float, kind: str) -> float:
    """Seconds from `after_s` (since the run began) to the first 200 of a call sent after it."""
    origin = run.started
    answered = [c.sent + c.latency_s - origin for c in run.calls
                if c.kind == kind and c.status == 200 and c.sent - origin >= after_s]  # fmt: skip
    return round(min(answered) - after_s, 2) if answered else float("nan")


def recovery(run: Run, after_s: float, seconds: int = 10) -> list[dict[str, int]]:
    """The statuses of the calls sent in each second after `after_s` (since the run began)."""
    origin = run.started
    buckets: list[dict[str, int]] = [{} for _ in range(seconds)]
    for c in run.calls:
        second = int(c.sent - origin - after_s)
        if 0 <= second < seconds and c.kind != "readyz":
            buckets[second][str(c.status)] = buckets[second].get(str(c.status), 0) + 1
    return buckets


def recovery_log() -> list[str]:
    """The API's own account of the recovery (warm.py's "neo4j back: ..." line: when Neo4j first
    answered, when each path's statements were planned again)."""
    try:
        lines = (DATA_DIR / "api.log").read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line)["message"] for line in lines if "neo4j back:" in line]


def summarise(run: Run, store: dict[str, Any]) -> dict[str, Any]:
    ids = store["ids"]
    by_phase: dict[str, dict[str, Any]] = {}
    for phase in dict.fromkeys(c.phase for c in run.calls):
        calls = [c for c in run.calls if c.phase == phase and c.kind != "readyz"]
        statuses: dict[str, Any] = {}
        for status in sorted({c.status for c in calls}):
            ms = sorted(c.latency_s * 1000 for c in calls if c.status == status)
            statuses[str(status)] = {"count": len(ms), "p50_ms": round(statistics.median(ms), 1),
                                     "max_ms": round(ms[-1], 1)}  # fmt: skip
        by_phase[phase] = statuses
    readyz = {}
    for phase in dict.fromkeys(c.phase for c in run.calls):
        ms = sorted(c.latency_s * 1000 for c in run.calls if c.phase == phase and c.kind == "readyz")
        codes = sorted({c.status for c in run.calls if c.phase == phase and c.kind == "readyz"})
        if ms:
            readyz[phase] = {"statuses": codes, "count": len(ms), "max_ms": round(ms[-1], 1)}
    ready = run.marks["neo4j_ready"]
    first_ok = {kind: first_success(run, ready, kind) for kind in ("attempt", "recommendation")}
    since_start = ready - run.marks["neo4j_start"]
    restart = {kind: round(seconds + since_start, 2) for kind, seconds in first_ok.items()}
    cpu = {kind: round(run.first_ok_cpu.get(kind, float("nan")) - run.cpu_marks["neo4j_ready"], 2)
           for kind in first_ok}  # fmt: skip
    jit = {kind: round(run.first_ok_jit.get(kind, float("nan")) - run.jit_marks["neo4j_ready"], 2)
           for kind in first_ok}  # fmt: skip
    return {
        "clients": CLIENTS,
        "acknowledged": len(run.acknowledged),
        "stored": len(ids),
        "lost": len(run.acknowledged - set(ids)),
        "duplicated": len(ids) - len(set(ids)) + store["twice"],
        "recommendations_stored": store["recommendations"],
        "recommendations_duplicated": store["recs_twice"],
        "statuses_by_phase": by_phase,
        "readyz_by_phase": readyz,
        "seconds_to_first_success_after_neo4j_ready": min(first_ok.values()),
        "first_success_by_kind_s": first_ok,
        "seconds_to_first_success_after_neo4j_start": min(restart.values()),
        "first_success_after_neo4j_start_by_kind_s": restart,
        "neo4j_cpu_s_from_ready_to_first_success_by_kind": cpu,
        "neo4j_jit_cpu_s_from_ready_to_first_success_by_kind": jit,
        "neo4j_cpu_s_start_to_ready": round(run.cpu_marks["neo4j_ready"], 2),
        "statuses_by_second_after_neo4j_ready": recovery(run, ready),
        "timeline_s": {k: round(v, 2) for k, v in run.marks.items()},
        "api_recovery_log": recovery_log(),
    }


def run() -> dict[str, Any]:
    instance, uri = fresh_neo4j(PORT, DATA_DIR)
    redis = PrivateRedis()
    redis.start()
    before = load()
    try:
        make_content(uri)
        env = {"LG_REDIS_URL": redis.url}
        with api_server(uri, port=API_PORT or None, log=DATA_DIR / "api.log", env=env) as base:
            outcome = asyncio.run(scenario(base, instance, redis))
        result = summarise(outcome, stored(uri))
        result |= {"load_average_before": before, "load_average_after": load(), "machine": machine()}
    finally:
        redis.kill()
        embedded.stop(instance)
    write_result("faults", result)
    print(f"faults: {result}", file=sys.stderr)
    return result


if __name__ == "__main__":
    run()
