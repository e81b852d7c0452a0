"""In-process CPU of one recommendation, on a generated world already loaded in Neo4j.

    LG_NEO4J_URI=bolt://127.0.0.1:7701 LG_REDIS_URL=redis://127.0.0.1:6379/3 \
      .venv/bin/python -m benchmarks.recommend_cpu [--students 300] [--unit ID]
    LG_BENCH_NEO4J_PORT=7720 LG_BENCH_REDIS_URL=redis://127.0.0.1:6321/9 \
      .venv/bin/python -m benchmarks.recommend_cpu --bench-graph [--students 300]

Load the world first (`learner-graph demo --no-serve`: the demo curriculum, 2,000 simulated
learners, a trained model), or with `--bench-graph` use the benchmark graph and its request mix
(section, chapter and subject in turn, each request a different simulated student, the route's
call with its caller checked). Distinct learners ask one after another (the shape real users send);
the figure is this process's CPU time per request (`time.process_time`, so waiting on Neo4j does
not count), median and p90, after 30 warm-up requests. Comparable across commits on one machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from learner_graph.config import Settings
from learner_graph.recommendations.models import RecommendationRequest

WARM_UP = 30


async def measure(settings: Settings, *, students: int, unit: str | None, n: int) -> dict[str, Any]:
    from learner_graph.recommendations import pipeline
    from learner_graph.runtime import Runtime

    async with Runtime.open(settings) as runtime:
        db = runtime.graph
        users = await _user_ids(runtime, students + WARM_UP)
        unit = unit or await _top_unit(runtime)
        cpu: list[float] = []
        for i, user in enumerate(users):
            started = time.process_time()
            await pipeline.recommend(
                db=db, catalogs=runtime.catalogs, models=runtime.models, pinned=runtime.pinned,
                experiments=runtime.experiments, recorder=runtime.recorder,
                request=RecommendationRequest(user_id=user, units=[unit], n=n, seed=i),
                service={"review_retention": settings.review_retention}, now=datetime.now(UTC),
            )
            if i >= WARM_UP:
                cpu.append((time.process_time() - started) * 1000)
    cpu.sort()
    return {
        "unit": unit,
        "requests": len(cpu),
        "cpu_ms_median": round(statistics.median(cpu), 2),
        "cpu_ms_p90": round(cpu[int(0.9 * (len(cpu) - 1))], 2),
        "load": os.getloadavg()[0],
    }


async def measure_bench(students: int, n: int) -> dict[str, Any]:
    """The benchmark graph's mix: per unit size, median and p90 CPU ms; the mean over all requests."""
    from benchmarks import graph
    from benchmarks.harness import settings_for
    from learner_graph.api_keys import ApiKey, Role
    from learner_graph.recommendations import pipeline
    from learner_graph.runtime import Runtime

    uri, built = graph.ensure()
    units: dict[str, str] = built["units"]
    names = sorted(units)
    caller = ApiKey(name="bench", role=Role.LEARNER_APP, sha256="")
    step = max(1, int(built["students"]) // (students + WARM_UP))
    cpu: dict[str, list[float]] = {name: [] for name in names}
    load = os.getloadavg()[0]
    async with Runtime.open(settings_for(uri)) as runtime:
        for i in range(students + WARM_UP):
            name = names[i % len(names)]
            request = RecommendationRequest(user_id=f"sim-7-{i * step:06d}", units=[units[name]], n=n, seed=i)
            started = time.process_time()
            await pipeline.recommend(
                db=runtime.graph, catalogs=runtime.catalogs, models=runtime.models, pinned=runtime.pinned,
                experiments=runtime.experiments, recorder=runtime.recorder, request=request,
                service={"review_retention": runtime.settings.review_retention}, now=datetime.now(UTC),
                states=runtime.states, caller=caller,
            )
            if i >= WARM_UP:
                cpu[name].append((time.process_time() - started) * 1000)
    every = [c for values in cpu.values() for c in values]
    return {
        "requests": len(every),
        "cpu_ms_mean": round(statistics.fmean(every), 2),
        **{f"{name}_ms_median": round(statistics.median(v), 2) for name, v in cpu.items()},
        **{f"{name}_ms_p90": round(sorted(v)[int(0.9 * (len(v) - 1))], 2) for name, v in cpu.items()},
        "load": f"{load:.1f}-{os.getloadavg()[0]:.1f}",
    }


async def _user_ids(runtime: Any, limit: int) -> list[str]:
    driver = runtime.driver
    records, _, _ = await driver.execute_query(
        "MATCH (u:User) RETURN u.id AS id ORDER BY id LIMIT $limit", limit=limit,
        database_=runtime.settings.neo4j_database,
    )
    return [r["id"] for r in records]


async def _top_unit(runtime: Any) -> str:
    records, _, _ = await runtime.driver.execute_query(
        "MATCH (u:Unit) WHERE NOT ()-[:CONTAINS]->(u) RETURN u.id AS id ORDER BY id LIMIT 1",
        database_=runtime.settings.neo4j_database,
    )
    return str(records[0]["id"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--unit", default=None, help="the unit asked about (default: the first root unit)")
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--bench-graph", action="store_true", help="the benchmark graph and its request mix")
    args = parser.parse_args()
    if args.bench_graph:
        print(json.dumps(asyncio.run(measure_bench(args.students, args.n))))
        return
    figures = asyncio.run(measure(Settings(), students=args.students, unit=args.unit, n=args.n))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
