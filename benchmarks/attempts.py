"""Attempt ingestion: batches of 500 (direct and over HTTP), single attempts with 16 clients, ASSISTments.

Batches and single attempts go to the benchmark graph (new simulated users `bench-<run>-…` on its
questions, so every attempt is new and updates review states). Single attempts are sent by `wrk`
(16 connections, one thread each; a thread's requests are one learner's answers after another,
rotating over 50 learners of its own, so no learner ever has two answers in flight). The
ASSISTments 2009 import (`learner-graph import attempts FILE --prefix a09-`, 278,336 attempts)
runs in a fresh database of its own (LG_BENCH_ASSIST_PORT or ASSIST_NEO4J_PORT, default 7691;
`.lg/neo4j-bench-assist`, wiped first but for the server's class archive) and is timed end to
end. Retries are read from the API's `/metrics`.
Writes benchmarks/results/attempts.json; `python -m benchmarks attempts` runs it alone.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks import graph, wrk
from benchmarks.harness import (
    BENCH_KEY,
    api_server,
    ensure_neo4j,
    jvm_cpu,
    load,
    machine,
    settings_for,
    write_result,
)
from learner_graph.cli.learners import progress_file
from learner_graph.config import PROJECT_ROOT
from learner_graph.db import embedded
from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.memory import make_scheduler
from learner_graph.learners.models import AttemptIn
from learner_graph.runtime import Runtime
from seed.curriculum import build_benchmark_curriculum

BATCH = 500
N_BATCHES = int(os.environ.get("LG_BENCH_ATTEMPT_BATCHES", "10"))
SINGLE_CLIENTS = 16
SINGLE_SECONDS = float(os.environ.get("LG_BENCH_SINGLE_SECONDS", "30"))
LEARNERS_PER_CLIENT = 50
ASSIST_FILE = Path(os.environ.get("LG_BENCH_ASSIST_FILE", "/work/shared/data/assist2009/attempts.csv.gz"))
# docs/BENCHMARKS.md and the engineers' briefs name it ASSIST_NEO4J_PORT; both are read
ASSIST_PORT = int(os.environ.get("LG_BENCH_ASSIST_PORT") or os.environ.get("ASSIST_NEO4J_PORT", "7691"))
ASSIST_DIR = PROJECT_ROOT / ".lg" / "neo4j-bench-assist"
API_PORT = int(os.environ.get("LG_BENCH_API_PORT", "0")) or None  # the API's port (default: a free one)


class Attempts:
    """New attempts by new users on the benchmark questions, 10 per user, a minute apart.

    In a batch a user's 10 attempts are consecutive (an app syncing a session); with `spread`,
    consecutive attempts belong to different users, so concurrent single-attempt requests do not
    all queue on one user's write lock (a real student does not answer 16 questions at once).
    """

    def __init__(self, question_ids: list[str], tag: str, *, spread: int = 0) -> None:
        self.question_ids = question_ids
        self.tag = tag
        self.spread = spread
        self.rng = random.Random(tag)
        self.start = datetime.now(UTC) - timedelta(days=1)

    def one(self, i: int) -> dict[str, Any]:
        return {
            "attempt_id": f"bench-{self.tag}-{i}",
            "user_id": f"bench-{self.tag}-u{i % self.spread if self.spread else i // 10}",
            "question_id": self.rng.choice(self.question_ids),
            "correct": self.rng.random() < 0.6,
            "time_spent_ms": self.rng.randint(5_000, 90_000),
            "at": (self.start + timedelta(seconds=i)).isoformat(),
        }

    def batch(self, number: int) -> list[dict[str, Any]]:
        return [self.one(number * BATCH + k) for k in range(BATCH)]


async def direct_batches(uri: str, source: Attempts, neo4j_pids: list[int]) -> dict[str, Any]:
    """`record_attempts` in-process, one batch of 500 after another, with the CPU each side spent
    per attempt (on a shared machine the CPU figures hold where wall times do not)."""
    settings = settings_for(uri)
    scheduler = make_scheduler()
    seconds: list[float] = []
    python_cpu = neo4j_cpu = 0.0
    async with Runtime.open(settings) as runtime:
        db = runtime.graph
        for number in range(N_BATCHES):
            batch = [AttemptIn.model_validate(a) for a in source.batch(number)]
            started, cpu, neo4j = time.perf_counter(), time.process_time(), wrk.cpu_seconds(neo4j_pids)
            await record_attempts(db=db, attempts=batch, now=datetime.now(UTC), scheduler=scheduler)
            seconds.append(time.perf_counter() - started)
            python_cpu += time.process_time() - cpu
            neo4j_cpu += wrk.cpu_seconds(neo4j_pids) - neo4j
    attempts = BATCH * N_BATCHES
    return _batch_figures(seconds) | {
        "python_cpu_ms_per_attempt": round(python_cpu * 1000 / attempts, 3),
        "neo4j_cpu_ms_per_attempt": round(neo4j_cpu * 1000 / attempts, 3) if neo4j_pids else None,
    }


async def http_batches(base_url: str, source: Attempts, *, concurrency: int) -> dict[str, Any]:
    """POST /v1/attempts with 500 attempts a request, `concurrency` requests at a time."""
    headers = {"Authorization": f"Bearer {BENCH_KEY}"}
    seconds: list[float] = []
    numbers = iter(range(N_BATCHES))
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=120) as client:

        async def loop() -> None:
            for number in numbers:
                started = time.perf_counter()
                response = await client.post("/v1/attempts", json={"attempts": source.batch(number)})
                response.raise_for_status()
                seconds.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return _batch_figures(seconds) | {
        "concurrency": concurrency,
        "attempts_per_s": round(len(seconds) * BATCH / wall),
    }


def _batch_figures(seconds: list[float]) -> dict[str, Any]:
    ordered = sorted(seconds)
    return {
        "batches": len(seconds),
        "batch_size": BATCH,
        "median_batch_s": round(ordered[len(ordered) // 2], 3),
        "attempts_per_s": round(len(seconds) * BATCH / sum(seconds)),
        "load_average": load(),
    }


def import_assistments() -> dict[str, Any]:
    """`learner-graph import attempts` of the ASSISTments 2009 file into a fresh database, timed."""
    instance = embedded.Instance(port=ASSIST_PORT, data_dir=ASSIST_DIR.resolve())
    embedded.stop(instance)
    # A fresh database, but the server's class archive kept (as `harness.fresh_neo4j` keeps it): an
    # installed server maps the archive its launcher wrote at an earlier stop. It holds loaded
    # classes, not compiled code: the JIT still compiles the import's hot paths on the new JVM
    # (docs/BENCHMARKS.md, "#15 part A, round 10"). Without it every run's stop wrote ~125 MB anew.
    archive = {instance.class_archive, instance.class_archive_jar}
    # Its own archive if an earlier stop wrote one, else the one `make install` built (beside the jar).
    archive_used = (
        "its own" if embedded.written_with_this_jar(instance.class_archive)
        else "installed" if embedded.written_with_this_jar(embedded.INSTALLED_ARCHIVE)
        else "none (written at the stop)"
    )  # fmt: skip
    for path in ASSIST_DIR.iterdir() if ASSIST_DIR.is_dir() else ():
        if path.resolve() in archive:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    uri = ensure_neo4j(ASSIST_PORT, ASSIST_DIR, heap="2g", pagecache="512m")
    progress_file(ASSIST_FILE, "a09-").unlink(missing_ok=True)  # fresh: no batches to skip
    env = os.environ | {"LG_NEO4J_URI": uri, "LG_REDIS_URL": settings_for(uri).redis_url}
    # A deployed CLI starts from compiled bytecode; where the environment forbids writing it
    # (PYTHONDONTWRITEBYTECODE), every start compiled the CLI's imports from source (5.3-6.1 s of
    # CPU against 2.2-2.5 s, load 32). The untimed `schema apply` before the timed run caches it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cli = Path(sys.executable).parent / "learner-graph"
    subprocess.run([str(cli), "schema", "apply"], env=env, check=True, capture_output=True)
    pid = instance.pid()
    neo4j_before = jvm_cpu(pid)
    started = time.perf_counter()
    done = subprocess.run(
        [str(cli), "import", "attempts", str(ASSIST_FILE), "--prefix", "a09-"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    neo4j = {k: round(v - neo4j_before[k], 1) for k, v in jvm_cpu(pid).items()}
    embedded.stop(instance)
    return {
        "file": str(ASSIST_FILE),
        "seconds": round(seconds, 1),
        "report": done.stdout.strip().splitlines()[-1],
        "neo4j_cpu_s": neo4j,
        "class_archive": archive_used,
        "load_average": load(),
    }


def single_attempts_script(question_ids: list[str], tag: str) -> str:
    """wrk's Lua: each thread (one connection) is a run of learners answering one after another."""
    return f"""
local questions = {wrk.lua_list(question_ids)}
{wrk.post_preamble(1000)}function request()
  n = n + 1
  local learner = string.format("bench-{tag}-t%d-u%d", tid, n % {LEARNERS_PER_CLIENT})
  local body = string.format(
    '{{"attempt_id":"bench-{tag}-t%d-%d","user_id":"%s","question_id":"%s","correct":%s,"time_spent_ms":%d}}',
    tid, n, learner, questions[math.random(#questions)], math.random() < 0.6 and "true" or "false",
    math.random(5000, 90000))
  return wrk.format(nil, "/v1/attempts", nil, body)
end
"""


def store_retries(base_url: str) -> dict[str, float]:
    """`lg_store_retries_total` by reason, from the API's /metrics."""
    found: dict[str, float] = {}
    for line in httpx.get(f"{base_url}/metrics", timeout=10).text.splitlines():
        if line.startswith("lg_store_retries_total{"):
            reason = line.split('reason="', 1)[1].split('"', 1)[0]
            found[reason] = float(line.split()[-1])
    return found


class Tail:
    """What may stall single attempts, counted over a run: Neo4j discarding stale plans (the next
    use replans: a cold `attempts_write` plan took seconds under load) and its stop-the-world
    pauses (`debug.log`), the API's Python GC pauses and the group commit's sizes (`/metrics`)."""

    METRICS = ("lg_gc_pause_seconds_sum", "lg_gc_pause_seconds_count", "lg_attempt_commit_requests_sum",
               "lg_attempt_commit_requests_count")  # fmt: skip

    def __init__(self, base_url: str, debug_log: Path) -> None:
        self.base_url, self.debug_log = base_url, debug_log
        self.offset = debug_log.stat().st_size if debug_log.exists() else 0
        self.metrics = self._metrics()

    def _metrics(self) -> dict[str, float]:
        found: dict[str, float] = {}
        for line in httpx.get(f"{self.base_url}/metrics", timeout=10).text.splitlines():
            name = line.split("{", 1)[0].split(" ", 1)[0]
            if name in self.METRICS:
                found[name] = found.get(name, 0.0) + float(line.split()[-1])
        return found

    def since(self) -> dict[str, Any]:
        lines: list[str] = []
        if self.debug_log.exists():
            with self.debug_log.open(errors="replace") as log:
                log.seek(self.offset)
                lines = log.read().splitlines()
        pauses = [int(line.split("pauseTime=")[1].split(",")[0]) for line in lines if "pauseTime=" in line]
        now = self._metrics()
        delta = {k: now.get(k, 0.0) - self.metrics.get(k, 0.0) for k in self.METRICS}
        commits, grouped = delta["lg_attempt_commit_requests_count"], delta["lg_attempt_commit_requests_sum"]
        return {
            "neo4j_stale_plans_discarded": sum("Discarded stale query" in line for line in lines),
            "neo4j_vm_pauses_ms": pauses,
            "api_gc_pause_s": round(delta["lg_gc_pause_seconds_sum"], 3),
            "api_gc_collections": int(delta["lg_gc_pause_seconds_count"]),
            "requests_per_commit": round(grouped / commits, 1) if commits else None,
        }


def _retried(before: dict[str, float], after: dict[str, float]) -> dict[str, int]:
    return {k: int(v - before.get(k, 0)) for k, v in after.items() if v > before.get(k, 0)}


def run() -> dict[str, Any]:
    uri, built = graph.ensure()
    questions = [q["id"] for q in build_benchmark_curriculum()["questions"]]
    tag = time.strftime("%Y%m%d%H%M%S")
    neo4j_pid = embedded.Instance(port=graph.PORT, data_dir=graph.DATA_DIR.resolve()).pid()
    direct = direct_batches(uri, Attempts(questions, f"{tag}d"), [neo4j_pid] if neo4j_pid else [])
    results: dict[str, Any] = {"direct_500": asyncio.run(direct)}
    print(f"record_attempts, batches of 500: {results['direct_500']}", file=sys.stderr)
    api_pids: list[int] = []
    with api_server(uri, port=API_PORT, log=graph.WORK_DIR / "api-attempts.log", pids=api_pids) as base:
        before = store_retries(base)
        source = Attempts(questions, f"{tag}h4")
        results["batched_http"] = asyncio.run(http_batches(base, source, concurrency=4))
        after = store_retries(base)
        results["batched_http"]["retries"] = _retried(before, after)
        print(f"POST /v1/attempts, 500 a request, 4 clients: {results['batched_http']}", file=sys.stderr)
        if wrk.available():
            sample = random.Random(7).sample(questions, min(2000, len(questions)))
            traced = Tail(base, graph.DATA_DIR / "logs" / "debug.log")
            jit_before = jvm_cpu(neo4j_pid)["jit_compiler"]
            single = wrk.run(
                f"{base}/v1/attempts", single_attempts_script(sample, f"{tag}s"), connections=SINGLE_CLIENTS,
                threads=SINGLE_CLIENTS, seconds=SINGLE_SECONDS, api_pids=api_pids,
                neo4j_pids=[neo4j_pid] if neo4j_pid else [],
            )  # fmt: skip
            retried = _retried(after, store_retries(base))
            tail = traced.since()
            jit = jvm_cpu(neo4j_pid)["jit_compiler"] - jit_before  # inside neo4j_cpu_ms_per_request
            tail["neo4j_jit_cpu_ms_per_request"] = round(jit * 1000 / max(1, single["requests"]), 3)
            results["single_x16"] = single | {"retries": retried, "load_generator": "wrk", "tail": tail}
            print(f"single attempts, 16 learners at once: {results['single_x16']}", file=sys.stderr)
    results["graph_build_s"] = (built.get("attempts") or {}).get("s")
    if os.environ.get("LG_BENCH_SKIP_ASSIST") != "1":
        results["assist2009_import"] = import_assistments()
        results["assist2009_import_s"] = results["assist2009_import"]["seconds"]
        print(f"ASSISTments import: {results['assist2009_import']}", file=sys.stderr)
    results["targets"] = {
        "batched_http_attempts_per_s": 5000, "single_p50_ms": 15, "single_p99_ms": 50, "deadlocks": 0,
        "graph_build_s": 300, "assist2009_import_s": 60,
    }  # fmt: skip
    results["machine"] = machine()
    write_result("attempts", results)
    return results


if __name__ == "__main__":
    run()
