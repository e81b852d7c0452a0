"""Full `pipeline.recommend` answers and the rows they would store, on the benchmark graph, as JSON lines.

    LG_BENCH_NEO4J_PORT=7720 LG_BENCH_REDIS_URL=redis://127.0.0.1:6321/9 \
      .venv/bin/python -m benchmarks.recommend_answers out.jsonl [--students 60]

For a speed change that must keep every answer: run it on two commits (the other one with
`PYTHONPATH` on its worktree) and compare the files byte for byte. Students every
`20000 / students`-th simulated one; each asks for the section, the chapter and the subject, n 10
and 3, with fixed seeds and a fixed clock, through the route's own call (`caller` the benchmark's
learner-app key). Nothing is written: the rows go to a recorder that keeps them, so a second run
sees the same graph. Recommendation ids are random per answer: each line has its id replaced by
its index.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import graph
from benchmarks.harness import settings_for
from learner_graph.api_keys import ApiKey, Role
from learner_graph.recommendations import pipeline
from learner_graph.recommendations.models import RecommendationRequest
from learner_graph.recommendations.recorder import Recorder
from learner_graph.runtime import Runtime

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)  # after the benchmark graph's simulated attempts
CALLER = ApiKey(name="bench", role=Role.LEARNER_APP, sha256="")


class Kept(Recorder):
    """A recorder that keeps the rows instead of storing them."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []

    async def write(self, db: Any, row: dict[str, Any]) -> None:
        self.rows.append(row)


async def answers(students: int) -> list[str]:
    uri, built = graph.ensure()
    units: dict[str, str] = built["units"]
    step = max(1, int(built["students"]) // students)
    lines: list[str] = []
    async with Runtime.open(settings_for(uri)) as runtime:
        kept = Kept()
        for s in range(students):
            user = f"sim-7-{s * step:06d}"
            for name in sorted(units):
                for n in (10, 3):
                    index = len(lines)
                    request = RecommendationRequest(user_id=user, units=[units[name]], n=n, seed=index)
                    out = await pipeline.recommend(
                        db=runtime.graph, catalogs=runtime.catalogs, models=runtime.models,
                        pinned=runtime.pinned, experiments=runtime.experiments, request=request,
                        service={"review_retention": runtime.settings.review_retention}, recorder=kept,
                        now=NOW, caller=CALLER,
                    )  # fmt: skip
                    answer = out.model_dump(mode="json", exclude={"timing_ms"})
                    row = {k: _plain(v) for k, v in kept.rows[-1].items()}
                    for item in (answer, row):
                        item["id"] = index
                    lines.append(json.dumps({"answer": answer, "row": row}, sort_keys=True))
    return lines


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--students", type=int, default=60)
    args = parser.parse_args()
    args.out.write_text("\n".join(asyncio.run(answers(args.students))) + "\n")


if __name__ == "__main__":
    main()
