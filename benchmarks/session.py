"""The learner app's step on the benchmark graph: 16 learners each answer, then ask what next.

A real learner app does not ask for recommendations of random students: each learner posts the
answer to the question they were shown (`POST /v1/attempts`) and then asks what next in the same
unit (`POST /v1/recommendations`), one step after another. Here 16 keep-alive connections are 16
distinct simulated students of the graph (drawn afresh each run), each with a unit of its own in
turn (section, chapter, subject); a step answers the first item of the learner's last
recommendation (right with its P(correct)) and asks again. After a warm-up, it reports steps/s,
p50 / p95 / p99 of each route, the CPU milliseconds per step of the API processes and of Neo4j,
the learner-state cache's kept / read counts (the workers' `lg_learner_states_total`) and the
client's own CPU share. Back to back by default (`session_x16`); with LG_BENCH_SESSION_PAUSE_MS,
each learner pauses 0 to twice that between steps, so two codes compared see the same offered load
and answers share commits by their arrivals, not by a convoy (`session_x16_paced`).

The client is a few lines of asyncio over raw HTTP/1.1 (wrk's Lua cannot time the two routes
apart, nor answer the question a recommendation named); it costs a fraction of a millisecond of
CPU a request. Writes `session_x16` into benchmarks/results/recommend.json, keeping its other
keys; `python -m benchmarks session` runs it alone.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import time
from typing import Any

from benchmarks import graph, wrk
from benchmarks.harness import (
    BENCH_KEY,
    api_server,
    latency_summary,
    load,
    machine,
    read_result,
    write_result,
)
from learner_graph.db import embedded

LEARNERS = 16
SECONDS = float(os.environ.get("LG_BENCH_SESSION_SECONDS", "30"))
WARMUP_SECONDS = 10
WORKERS = int(os.environ.get("LG_BENCH_WORKERS", "2"))
API_PORT = int(os.environ.get("LG_BENCH_API_PORT", "0")) or None
PAUSE_MS = float(os.environ.get("LG_BENCH_SESSION_PAUSE_MS", "0"))  # a learner's mean pause between steps
SCRAPES = 40  # new connections to /metrics: each lands on a worker at random, so all are seen


class Connection:
    """One keep-alive HTTP/1.1 connection: POST JSON, read the answer (Content-Length bodies)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, host)

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        data = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {BENCH_KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        self.writer.write(head.encode() + data)
        return await self._answer()

    async def get(self, path: str) -> tuple[int, bytes]:
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nConnection: close\r\n\r\n".encode())
        return await self._answer()

    async def _answer(self) -> tuple[int, bytes]:
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status = int(head.split(" ", 2)[1])
        length = int(re.search(r"(?im)^content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


class Learner:
    """One connection's learner: asks, answers the first item, asks again."""

    def __init__(self, user_id: str, unit: str, tag: str, rng: random.Random) -> None:
        self.user_id, self.unit, self.tag, self.rng = user_id, unit, tag, rng
        self.shown: dict[str, Any] | None = None  # the first item of the last recommendation
        self.answered = 0

    async def ask(self, conn: Connection) -> int:
        status, body = await conn.post(
            "/v1/recommendations",
            {"user_id": self.user_id, "units": [self.unit], "n": 10, "seed": self.rng.randrange(1 << 30)},
        )
        if status == 200:
            items = json.loads(body)["items"]
            self.shown = items[0] if items else None
        return status

    async def answer(self, conn: Connection) -> int:
        assert self.shown is not None
        self.answered += 1
        return (
            await conn.post(
                "/v1/attempts",
                {
                    "attempt_id": f"session-{self.tag}-{self.user_id}-{self.answered}",
                    "user_id": self.user_id,
                    "question_id": self.shown["question_id"],
                    "correct": self.rng.random() < float(self.shown["p_correct"]),
                    "time_spent_ms": self.rng.randint(5_000, 90_000),
                },
            )
        )[0]


async def drive(
    host: str, port: int, learners: list[Learner], seconds: float, pause_ms: float = 0.0
) -> dict[str, Any]:
    """Every learner steps (answer, then ask) for `seconds`, back to back or, with `pause_ms`,
    pausing 0 to twice that between steps (a learner reading the question); per-route latencies."""
    latencies: dict[str, list[float]] = {"attempt": [], "recommendation": []}
    failures = {"attempt": 0, "recommendation": 0}
    steps = 0

    async def one(learner: Learner) -> None:
        nonlocal steps
        conn = await Connection.open(host, port)
        try:
            if learner.shown is None:
                await learner.ask(conn)
            end = time.perf_counter() + seconds
            while time.perf_counter() < end and learner.shown is not None:
                for route, call in (("attempt", learner.answer), ("recommendation", learner.ask)):
                    started = time.perf_counter()
                    status = await call(conn)
                    latencies[route].append(time.perf_counter() - started)
                    failures[route] += status != 200
                steps += 1
                if pause_ms:
                    await asyncio.sleep(learner.rng.uniform(0, 2 * pause_ms) / 1000)
        finally:
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(one(learner) for learner in learners))
    wall = time.perf_counter() - started
    return {
        "steps": steps,
        "seconds": round(wall, 1),
        "steps_per_s": round(steps / wall, 1),
        **{route: latency_summary(latencies[route]) | {"non_200": failures[route]} for route in latencies},
    }


COUNTERS = {  # what /metrics line gives which figure
    'lg_learner_states_total{result="kept"}': "kept",
    'lg_learner_states_total{result="read"}': "read",
    "lg_attempt_commit_requests_sum": "attempt_requests",
    "lg_attempt_commit_requests_count": "attempt_commits",
    "lg_recommendation_record_batch_size_sum": "recommendations_recorded",
    "lg_recommendation_record_batch_size_count": "record_commits",
}


async def counters(host: str, port: int) -> dict[str, float]:
    """COUNTERS summed over the workers: each scrape is one worker's, so the distinct answers of
    SCRAPES scrapes over new connections are the workers' counters."""
    seen: set[tuple[tuple[str, float], ...]] = set()
    for _ in range(SCRAPES):
        conn = await Connection.open(host, port)
        try:
            _, body = await conn.get("/metrics")
        finally:
            conn.close()
        found = tuple(
            sorted(
                (COUNTERS[name], float(value))
                for name, value in (line.rsplit(" ", 1) for line in body.decode().splitlines() if " " in line)
                if name in COUNTERS
            )
        )
        seen.add(found)
    total: dict[str, float] = {}
    for found in seen:
        for figure, value in found:
            total[figure] = total.get(figure, 0.0) + value
    return total | {"workers_seen": len(seen)}


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 2) if whole else None


def learners_of(units: dict[str, str], students: int, tag: str) -> list[Learner]:
    rng = random.Random(tag)
    picked = rng.sample(range(students), LEARNERS)
    names = sorted(units)
    return [
        Learner(f"sim-7-{s:06d}", units[names[i % len(names)]], tag, random.Random(f"{tag}-{i}"))
        for i, s in enumerate(picked)
    ]


def run() -> dict[str, Any]:
    uri, built = graph.ensure()
    units: dict[str, str] = built["units"]
    tag = time.strftime("%Y%m%d%H%M%S")
    learners = learners_of(units, int(built["students"]), tag)
    neo4j_pid = embedded.Instance(port=graph.PORT, data_dir=graph.DATA_DIR.resolve()).pid()
    neo4j_pids = [neo4j_pid] if neo4j_pid else []
    api_pids: list[int] = []
    log = graph.WORK_DIR / "api-session.log"
    with api_server(uri, port=API_PORT, log=log, env={"LG_WORKERS": str(WORKERS)}, pids=api_pids) as base:
        host, port = base.removeprefix("http://").split(":")
        asyncio.run(drive(host, int(port), learners, WARMUP_SECONDS))
        reads_before = asyncio.run(counters(host, int(port)))
        api, neo4j, own = wrk.cpu_seconds(api_pids), wrk.cpu_seconds(neo4j_pids), time.process_time()
        load_before = load()
        figures = asyncio.run(drive(host, int(port), learners, SECONDS, PAUSE_MS))
        api, neo4j = wrk.cpu_seconds(api_pids) - api, wrk.cpu_seconds(neo4j_pids) - neo4j
        own = time.process_time() - own
        reads_after = asyncio.run(counters(host, int(port)))
    steps = figures["steps"] or 1
    reads = {k: reads_after.get(k, 0.0) - reads_before.get(k, 0.0) for k in COUNTERS.values()}
    asked = reads["kept"] + reads["read"]
    result = {
        "route": "POST /v1/attempts, then POST /v1/recommendations (same learner and unit)",
        "learners": LEARNERS,
        "pause_ms": PAUSE_MS,
        "workers": WORKERS,
        "load_generator": "asyncio raw HTTP/1.1 (benchmarks/session.py)",
        **figures,
        "api_cpu_ms_per_step": round(api * 1000 / steps, 2),
        "neo4j_cpu_ms_per_step": round(neo4j * 1000 / steps, 2),
        "client_cpu_share": round(own / (figures["seconds"] * (os.cpu_count() or 1)), 3),
        "state_cache": {
            "kept": int(reads["kept"]),
            "read": int(reads["read"]),
            "hit_rate": round(reads["kept"] / asked, 3) if asked else None,
            "workers_seen": [reads_before["workers_seen"], reads_after["workers_seen"]],
        },
        "attempt_requests_per_commit": _ratio(reads["attempt_requests"], reads["attempt_commits"]),
        "recommendations_per_record_commit": _ratio(
            reads["recommendations_recorded"], reads["record_commits"]
        ),
        "load_average": [load_before, load()],
        "machine": machine(),
    }
    attempt, recommendation = figures["attempt"], figures["recommendation"]
    print(
        f"learner steps, 16 learners: {result['steps_per_s']} steps/s; attempt p50 {attempt['p50_ms']}"
        f" / p99 {attempt['p99_ms']} ms, recommendation p50 {recommendation['p50_ms']} / "
        f"p99 {recommendation['p99_ms']} ms; API {result['api_cpu_ms_per_step']} + Neo4j "
        f"{result['neo4j_cpu_ms_per_step']} ms CPU a step; state cache {result['state_cache']}; "
        f"attempt requests a commit {result['attempt_requests_per_commit']}, recommendations a record commit "
        f"{result['recommendations_per_record_commit']}; "
        f"client {result['client_cpu_share']:.1%}; load {result['load_average']}"
    )
    key = "session_x16_paced" if PAUSE_MS else "session_x16"
    write_result("recommend", read_result("recommend") | {key: result})
    return result


if __name__ == "__main__":
    run()
