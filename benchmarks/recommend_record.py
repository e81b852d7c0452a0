"""The recorder's CPU per recommendation recorded, in process, on the benchmark graph.

    LG_BENCH_NEO4J_PORT=7710 LG_BENCH_REDIS_URL=redis://127.0.0.1:6311/9 \
      .venv/bin/python -m benchmarks.recommend_record [--clients 32] [--rounds 40]

Real rows first: `pipeline.recommend` for `--clients` benchmark students (section, chapter and
subject in turn), kept instead of stored (the code's own `record_row`, so old and new code each
send what they send). Then `--rounds` rounds: every row again under a fresh id, all written at
once in groups of `--together` through one `Recorder` (requests that arrive together under
`wrk` share a commit), after 5 untimed. Reports this process's CPU per row recorded
(`time.process_time`: the commit's packing and the driver's work; waiting on Neo4j does not
count), Neo4j's per row (its JVM's /proc CPU) and the rows a commit carried. The rows are
stored (Recommendation nodes of benchmark students, as the recommendation benchmark stores them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from benchmarks import graph
from benchmarks.harness import settings_for
from benchmarks.recommend_answers import CALLER, Kept
from learner_graph.recommendations import pipeline
from learner_graph.recommendations.models import RecommendationRequest
from learner_graph.recommendations.recorder import Recorder
from learner_graph.runtime import Runtime

UNTIMED = 5



async def measure(clients: int, rounds: int, together: int) -> dict[str, Any]:
    uri, built = graph.ensure()
    units: dict[str, str] = built["units"]
    names = sorted(units)
    step = max(1, int(built["students"]) // clients)
    async with Runtime.open(settings_for(uri)) as runtime:
        kept = Kept()
        for i in range(clients):
            user = f"sim-7-{i * step:06d}"
            request = RecommendationRequest(user_id=user, units=[units[names[i % 3]]], n=10, seed=i)
            await pipeline.recommend(
                db=runtime.graph, catalogs=runtime.catalogs, models=runtime.models, pinned=runtime.pinned,
                experiments=None, request=request, recorder=kept, now=datetime.now(UTC), caller=CALLER,
                service={"review_retention": runtime.settings.review_retention},
            )  # fmt: skip
        recorder = Recorder()
        load = os.getloadavg()[0]
        cpu = jvm = 0.0
        for round_ in range(UNTIMED + rounds):
            rows = [{**row, "id": "rec_" + uuid.uuid4().hex} for row in kept.rows]
            if round_ == UNTIMED:
                commits, cpu, jvm = recorder.commits, time.process_time(), graph.neo4j_cpu()
            for start in range(0, len(rows), together):
                group = rows[start : start + together]
                await asyncio.gather(*(recorder.write(runtime.graph, row) for row in group))
        cpu, jvm = time.process_time() - cpu, graph.neo4j_cpu() - jvm
        written = rounds * len(kept.rows)
        return {
            "rows": written,
            "client_ms_a_row": round(cpu * 1000 / written, 3),
            "neo4j_ms_a_row": round(jvm * 1000 / written, 3),
            "rows_a_commit": round(written / (recorder.commits - commits), 2),
            "load": f"{load:.1f}-{os.getloadavg()[0]:.1f}",
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--together", type=int, default=4, help="rows written at once (a commit's share)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.clients, args.rounds, args.together))))


if __name__ == "__main__":
    main()
