"""The learner's step in process: CPU of an answer and of the recommendation after it, and Neo4j's.

    LG_BENCH_NEO4J_PORT=7760 LG_BENCH_REDIS_URL=redis://127.0.0.1:6361/9 \
      .venv/bin/python benchmarks/recommend_step.py [--steps 5] [--learners 30]

Learners are simulated students of the benchmark graph (drawn afresh each run), each with a unit
in turn (section, chapter, subject). Each first asks once (their state is then kept), then, step
after step, answers the first item of their last recommendation (`AttemptWriter.record`, as the
route calls it: alone, so a commit of one) and asks again (`pipeline.recommend` as the route
calls it: the learner-state cache, the recorder, the learner app's key). Prints the process's CPU
per answer and per recommendation (`time.process_time`), Neo4j's CPU per step (/proc) and the
load average. It imports only what main's code has as well, so the same file measures another
commit: run it with `PYTHONPATH` on that commit's worktree, from that worktree (the old code
reads the graph through its own `.lg`; a symlink to this one does).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from learner_graph.api_keys import ApiKey, Role
from learner_graph.config import Settings
from learner_graph.db import embedded
from learner_graph.learners.models import AttemptIn
from learner_graph.recommendations import pipeline
from learner_graph.recommendations.models import RecommendationOut, RecommendationRequest
from learner_graph.runtime import Runtime

PORT = int(os.environ.get("LG_BENCH_NEO4J_PORT", "7690"))
REDIS_URL = os.environ.get("LG_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / ".lg" / os.environ.get("LG_BENCH_NEO4J_DIR", "neo4j-bench")
UNITS = ("math.linear-equations.one-step", "math.linear-equations", "math")  # section, chapter, subject
STUDENTS = 20_000
CALLER = ApiKey(name="bench", role=Role.LEARNER_APP, sha256="")


def cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def ask(runtime: Runtime, user_id: str, unit: str, seed: int) -> RecommendationOut:
    request = RecommendationRequest(user_id=user_id, units=[unit], n=10, seed=seed)
    return await pipeline.recommend(
        db=runtime.graph, catalogs=runtime.catalogs, models=runtime.models, pinned=runtime.pinned,
        experiments=runtime.experiments, request=request,
        service={"review_retention": runtime.settings.review_retention}, recorder=runtime.recorder,
        states=runtime.states, caller=CALLER,
    )  # fmt: skip


async def main(steps: int, learners: int) -> None:
    settings = Settings(neo4j_uri=f"bolt://127.0.0.1:{PORT}", redis_url=REDIS_URL, neo4j_timeout_s=30.0)
    neo4j_pid = embedded.Instance(port=PORT, data_dir=DATA_DIR).pid()
    tag = time.strftime("%H%M%S")
    rng = random.Random(tag)
    users = [f"sim-7-{s:06d}" for s in rng.sample(range(STUDENTS), learners)]
    async with Runtime.open(settings) as runtime:
        shown = {u: await ask(runtime, u, UNITS[i % 3], i) for i, u in enumerate(users)}
        answer_cpu = ask_cpu = 0.0
        neo4j = cpu_seconds(neo4j_pid)
        load_before = os.getloadavg()[0]
        for k in range(steps):
            for i, u in enumerate(users):
                item = shown[u].items[0]
                attempt = AttemptIn(
                    attempt_id=f"step-{tag}-{u}-{k}", user_id=u, question_id=item.question_id,
                    correct=rng.random() < item.p_correct, time_spent_ms=rng.randint(5_000, 90_000),
                )  # fmt: skip
                mark = time.process_time()
                await runtime.attempts.record(runtime.graph, [attempt], datetime.now(UTC))
                answer_cpu += time.process_time() - mark
                mark = time.process_time()
                shown[u] = await ask(runtime, u, UNITS[i % 3], k * learners + i)
                ask_cpu += time.process_time() - mark
        neo4j = cpu_seconds(neo4j_pid) - neo4j
        n = steps * learners
        states = runtime.states
        print(
            f"{n} steps: answer {answer_cpu * 1000 / n:.2f} ms + recommendation {ask_cpu * 1000 / n:.2f} ms"
            f" = API {(answer_cpu + ask_cpu) * 1000 / n:.2f} ms CPU a step; Neo4j {neo4j * 1000 / n:.2f} ms;"
            f" states kept {states.hits} / read {states.misses};"
            f" load {load_before:.1f}-{os.getloadavg()[0]:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--learners", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(main(args.steps, args.learners))
