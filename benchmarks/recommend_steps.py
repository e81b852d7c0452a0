"""Where one recommendation's CPU goes, step by step, on the benchmark graph, in process.

    LG_BENCH_NEO4J_PORT=7730 LG_BENCH_REDIS_URL=redis://127.0.0.1:6331/9 \
      .venv/bin/python -m benchmarks.recommend_steps [--students 300]

`benchmarks.recommend_cpu --bench-graph`'s requests (the benchmark's mix, each a different
student, the route's caller), run through `pipeline.recommend`'s own steps in its order, each
timed with `time.process_time` (this process's CPU: waiting on Neo4j does not count), with the
sizes each step worked on (attempts read, review states, candidates, in-scope history, the
shortlist). Per unit size: the median of each step and of each size. The figures of two graphs
(or two commits) side by side say which step grew, and whether with what it was given.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from benchmarks.recommend_cpu import WARM_UP
from learner_graph.api_keys import ApiKey, Role
from learner_graph.recommendations.models import RecommendationRequest

CALLER = ApiKey(name="bench", role=Role.LEARNER_APP, sha256="")


class Collections:
    """Time the garbage collector spends (every generation), from `gc.callbacks`."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.process_time()
            return
        self.seconds += time.process_time() - self._started
        self.full += info["generation"] == 2


async def measure(students: int, n: int, *, freeze: bool = False) -> dict[str, Any]:
    from benchmarks import graph
    from benchmarks.harness import settings_for
    from learner_graph.learners.tenancy import admit
    from learner_graph.mixer.mix import mix as mix_picks
    from learner_graph.recommendations import pipeline as p
    from learner_graph.recommendations.scoring import mix_input, score
    from learner_graph.recommendations.served import record_row, response
    from learner_graph.runtime import Runtime

    uri, built = graph.ensure()
    units: dict[str, str] = built["units"]
    names = sorted(units)
    step = max(1, int(built["students"]) // (students + WARM_UP))
    figures: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in names}
    load = os.getloadavg()[0]
    async with Runtime.open(settings_for(uri)) as runtime:
        service = {"review_retention": runtime.settings.review_retention}
        collections = Collections()
        gc.callbacks.append(collections)
        for i in range(students + WARM_UP):
            if i == WARM_UP:
                if freeze:
                    gc.freeze()  # what start-up and the warm-up made: out of every later pass
                collections.seconds, collections.full = 0.0, 0
            name = names[i % len(names)]
            request = RecommendationRequest(user_id=f"sim-7-{i * step:06d}", units=[units[name]], n=n, seed=i)
            now = datetime.now(UTC)
            marks = [time.process_time()]
            learner, catalog = await p.student(
                db=runtime.graph, catalogs=runtime.catalogs, user_id=request.user_id, knows=request.units,
                states=runtime.states, caller=CALLER,
            )
            app = admit(CALLER, request.user_id, learner.app)
            marks.append(time.process_time())
            rows = await p.candidates(db=runtime.graph, catalogs=runtime.catalogs, catalog=catalog,
                                      units=request.units, concepts=[])
            scope_rows = await p.scope(db=runtime.graph, catalogs=runtime.catalogs, catalog=catalog,
                                       request=request, candidate_rows=rows)
            assignments = await p.assign(db=runtime.graph, experiments=runtime.experiments, request=request,
                                         now=now, app=app)
            chosen = p.settings(request=request, service=service, assignments=assignments, learner=learner)
            side = await p.model(db=runtime.graph, models=runtime.models, pinned=runtime.pinned,
                                 version=chosen.model_version)
            marks.append(time.process_time())
            scored = score(side=side, learner=learner, scope_rows=scope_rows, rows=rows, catalog=catalog)
            marks.append(time.process_time())
            data = mix_input(scored=scored, learner=learner, catalog=catalog, request=request, now=now,
                             settings=chosen)
            marks.append(time.process_time())
            picks = mix_picks(data, chosen, request.n)
            marks.append(time.process_time())
            out = response(request=request, assignments=assignments, scored=scored, picks=picks, now=now)
            record_row(request=request, out=out, goal=learner.goal_to_store, app=app)
            marks.append(time.process_time())
            await p.record(db=runtime.graph, request=request, out=out, recorder=runtime.recorder,
                           goal=learner.goal_to_store, app=app)
            marks.append(time.process_time())
            if i < WARM_UP:
                continue
            kept = figures[name]
            steps = ("student", "resolve", "score", "mix_input", "mix", "response", "record")
            for label, a, b in zip(steps, marks, marks[1:], strict=False):
                kept[f"{label}_ms"].append((b - a) * 1000)
            kept["total_ms"].append((marks[-1] - marks[0]) * 1000)
            kept["attempts"].append(len(learner.attempts))
            kept["memory"].append(len(learner.memory))
            kept["candidates"].append(len(rows))
            kept["in_scope"].append(scored.attempts_in_scope)
            kept["shortlist"].append(len(data.candidates))
            kept["known"].append(int(scored.known.sum()))
    return {
        "requests": students,
        "load": f"{load:.1f}-{os.getloadavg()[0]:.1f}",
        "learner_cache": {"hits": runtime.states.hits, "misses": runtime.states.misses},
        "gc_ms_per_request": round(collections.seconds * 1000 / students, 3),
        "gc_full_passes": collections.full,
        "frozen": freeze,
        **{name: {k: round(statistics.median(v), 3) for k, v in kept.items()}
           for name, kept in figures.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() after the warm-up")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.students, args.n, freeze=args.gc_freeze)), indent=1))


if __name__ == "__main__":
    main()
