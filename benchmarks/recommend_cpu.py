"""In-process CPU of one recommendation, on a generated world already loaded in Neo4j.

    LG_NEO4J_URI=bolt://127.0.0.1:7701 LG_REDIS_URL=redis://127.0.0.1:6379/3 \
      .venv/bin/python -m benchmarks.recommend_cpu [--students 300] [--unit ID]

Load the world first (`learner-graph demo --no-serve`: the demo curriculum, 2,000 simulated
learners, a trained model). Distinct learners ask one after another (the shape real users send);
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
    args = parser.parse_args()
    figures = asyncio.run(measure(Settings(), students=args.students, unit=args.unit, n=args.n))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
