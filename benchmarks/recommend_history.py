"""A recommendation's pure steps by the length of the learner's history, in process.

    LG_BENCH_NEO4J_PORT=7740 LG_BENCH_REDIS_URL=redis://127.0.0.1:6341/9 \
      .venv/bin/python -m benchmarks.recommend_history [--lengths 0 50 200 1000] [--reps 40]

The benchmark graph's students all have 50 attempts, so its requests cannot show what a longer
history costs. Here one simulated student's attempts are replaced by L synthetic ones inside the
unit asked about (random questions of it, right 60% of the time, three hours apart, newest first
as `rec_student_state` reads them), and `score` (the live fit and P(correct) of every candidate),
`mix_input` and the mixer run on them, for the section and the subject. The figures are this
process's CPU (`time.process_time`) per request, the scoring apart, after `gc.freeze()`.
Nothing is read from Neo4j inside the timed loop and nothing is written.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

from benchmarks.recommend_answers import NOW
from learner_graph.recommendations.models import RecommendationRequest

STUDENT = "sim-7-000100"


async def measure(lengths: list[int], reps: int) -> dict[str, Any]:
    from benchmarks import graph
    from benchmarks.harness import settings_for
    from learner_graph.mixer.mix import mix as mix_picks
    from learner_graph.recommendations import pipeline as p
    from learner_graph.recommendations.scoring import mix_input, score
    from learner_graph.runtime import Runtime

    uri, built = graph.ensure()
    units: dict[str, str] = built["units"]
    rng = random.Random(1)
    figures: dict[str, Any] = {"load": f"{os.getloadavg()[0]:.1f}"}
    async with Runtime.open(settings_for(uri)) as runtime:
        service = {"review_retention": runtime.settings.review_retention}
        side = await p.model(db=runtime.graph, models=runtime.models, pinned=runtime.pinned, version=None)
        gc.freeze()
        for name in ("section", "subject"):
            request = RecommendationRequest(user_id=STUDENT, units=[units[name]], n=10, seed=1)
            learner, catalog = await p.student(db=runtime.graph, catalogs=runtime.catalogs, user_id=STUDENT,
                                               knows=request.units)
            rows = await p.candidates(db=runtime.graph, catalogs=runtime.catalogs, catalog=catalog,
                                      units=request.units, concepts=[])
            scope_rows = await p.scope(db=runtime.graph, catalogs=runtime.catalogs, catalog=catalog,
                                       request=request, candidate_rows=rows)
            chosen = p.settings(request=request, service=service, assignments=[], learner=learner)
            ids = [catalog.table.ids[r] for r in rows.tolist()]
            for length in lengths:
                attempts = [
                    {"question_id": rng.choice(ids), "correct": rng.random() < 0.6,
                     "at": NOW - timedelta(hours=3 * i + 1), "time_ms": 20_000}
                    for i in range(length)
                ]
                student = replace(learner, attempts=attempts)
                scoring = 0.0
                started = time.process_time()
                for _ in range(reps):
                    copy = replace(student)  # `streak` sets the day's goal on the student it is given
                    mark = time.process_time()
                    scored = score(side=side, learner=copy, scope_rows=scope_rows, rows=rows, catalog=catalog,
                                   now=NOW)
                    scoring += time.process_time() - mark
                    data = mix_input(scored=scored, learner=copy, catalog=catalog, request=request, now=NOW,
                                     settings=chosen)
                    mix_picks(data, chosen, request.n)
                figures[f"{name}_{length}"] = {
                    "score_ms": round(scoring * 1000 / reps, 3),
                    "pure_steps_ms": round((time.process_time() - started) * 1000 / reps, 3),
                }
    figures["load"] += f"-{os.getloadavg()[0]:.1f}"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[0, 50, 200, 1000])
    parser.add_argument("--reps", type=int, default=40)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.lengths, args.reps)), indent=1))


if __name__ == "__main__":
    main()
