"""Attempt ingestion: batches of 500 (direct and over HTTP), single attempts with 16 clients, ASSISTments.

Batches and single attempts go to the benchmark graph (new simulated users `bench-<run>-…` on its
questions, so every attempt is new and updates review states). The ASSISTments 2009 import
(`learner-graph import attempts FILE --prefix a09-`, 278,336 attempts) runs in a fresh database
of its own (port 7691, `.lg/neo4j-bench-assist`, wiped first) and is timed end to end.
Writes benchmarks/results/attempts.json.
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

from benchmarks import graph
from benchmarks.harness import BENCH_KEY, api_server, ensure_neo4j, load, machine, settings_for, write_result
from benchmarks.loadgen import run_load
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
SINGLE_REQUESTS = int(os.environ.get("LG_BENCH_SINGLE_REQUESTS", "2000"))
ASSIST_FILE = Path(os.environ.get("LG_BENCH_ASSIST_FILE", "/work/shared/data/assist2009/attempts.csv.gz"))
ASSIST_PORT = int(os.environ.get("LG_BENCH_ASSIST_PORT", "7691"))
ASSIST_DIR = PROJECT_ROOT / ".lg" / "neo4j-bench-assist"


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


async def direct_batches(uri: str, source: Attempts) -> dict[str, Any]:
    """`record_attempts` in-process, one batch of 500 after another."""
    settings = settings_for(uri)
    scheduler = make_scheduler()
    seconds: list[float] = []
    async with Runtime.open(settings) as runtime:
        db = runtime.graph
        for number in range(N_BATCHES):
            batch = [AttemptIn.model_validate(a) for a in source.batch(number)]
            started = time.perf_counter()
            await record_attempts(db=db, attempts=batch, now=datetime.now(UTC), scheduler=scheduler)
            seconds.append(time.perf_counter() - started)
    return _batch_figures(seconds)


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
    shutil.rmtree(ASSIST_DIR, ignore_errors=True)
    uri = ensure_neo4j(ASSIST_PORT, ASSIST_DIR, heap="2g", pagecache="512m")
    progress_file(ASSIST_FILE, "a09-").unlink(missing_ok=True)  # fresh: no batches to skip
    env = os.environ | {"LG_NEO4J_URI": uri, "LG_REDIS_URL": settings_for(uri).redis_url}
    cli = Path(sys.executable).parent / "learner-graph"
    subprocess.run([str(cli), "schema", "apply"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run(
        [str(cli), "import", "attempts", str(ASSIST_FILE), "--prefix", "a09-"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    embedded.stop(instance)
    return {
        "file": str(ASSIST_FILE),
        "seconds": round(seconds, 1),
        "report": done.stdout.strip().splitlines()[-1],
        "load_average": load(),
    }


def run() -> dict[str, Any]:
    uri, _ = graph.ensure()
    questions = [q["id"] for q in build_benchmark_curriculum()["questions"]]
    tag = time.strftime("%Y%m%d%H%M%S")
    results: dict[str, Any] = {"direct_500": asyncio.run(direct_batches(uri, Attempts(questions, f"{tag}d")))}
    print(f"record_attempts, batches of 500: {results['direct_500']}", file=sys.stderr)
    with api_server(uri, log=graph.WORK_DIR / "api-attempts.log") as base:
        for concurrency in (1, 4):
            source = Attempts(questions, f"{tag}h{concurrency}")
            name = f"http_500_x{concurrency}"
            results[name] = asyncio.run(http_batches(base, source, concurrency=concurrency))
            print(f"POST /v1/attempts x{concurrency}: {results[name]}", file=sys.stderr)
        single = Attempts(questions, f"{tag}s", spread=SINGLE_REQUESTS // 10)
        result = asyncio.run(
            run_load(base, "/v1/attempts", single.one, key=BENCH_KEY, concurrency=SINGLE_CLIENTS,
                     requests=SINGLE_REQUESTS, max_seconds=120, warmup=50)
        )  # fmt: skip
        results["single_x16"] = result.summary()
        print(f"single attempts x16: {results['single_x16']}", file=sys.stderr)
    if os.environ.get("LG_BENCH_SKIP_ASSIST") != "1":
        results["assist2009_import"] = import_assistments()
        print(f"ASSISTments import: {results['assist2009_import']}", file=sys.stderr)
    results["targets"] = {"attempts_per_s": 2000, "single_p99_ms": 50}
    results["machine"] = machine()
    write_result("attempts", results)
    return results


if __name__ == "__main__":
    run()
