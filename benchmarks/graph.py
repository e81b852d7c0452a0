"""The benchmark graph, built once in its own Neo4j (port 7690, `.lg/neo4j-bench`) and reused.

≥20k questions in subject > chapter > section units (`build_benchmark_curriculum`), 20k simulated
students × 50 attempts = 1M attempts, and a trained, active model. The attempts go through the
simulator, the ASSISTments-format CSV (`write_attempts_csv`, kept in `.lg/bench/`) and the real
write path (`record_attempts`, the Cypher of `POST /v1/attempts`), in bigger batches than the API
takes and several at once. Each batch holds whole students, so no student's review states are
updated by two concurrent transactions or out of time order. A progress file makes the build
resumable; a marker file in the data directory makes `make bench` skip it once it is complete.

`python -m benchmarks.graph` builds (or reports) the graph.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.harness import ensure_neo4j, load, settings_for
from benchmarks.wrk import cpu_seconds
from learner_graph.config import PROJECT_ROOT, Settings
from learner_graph.content.importer import import_content
from learner_graph.db import embedded
from learner_graph.db.graph import Graph, apply_schema_async
from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.history_import import attempts as attempts_of
from learner_graph.learners.history_import import read_csv
from learner_graph.learners.memory import make_scheduler
from learner_graph.learners.models import AttemptIn
from learner_graph.model import registry
from learner_graph.model.service import train_version
from learner_graph.runtime import Runtime
from seed.curriculum import build_benchmark_curriculum
from seed.histories import simulate_histories, write_attempts_csv

PORT = int(os.environ.get("LG_BENCH_NEO4J_PORT", "7690"))
DATA_DIR = PROJECT_ROOT / ".lg" / os.environ.get("LG_BENCH_NEO4J_DIR", "neo4j-bench")
WORK_DIR = PROJECT_ROOT / ".lg" / "bench"
N_STUDENTS = int(os.environ.get("LG_BENCH_STUDENTS", "20000"))
ATTEMPTS_PER_STUDENT = 50
BATCH = int(os.environ.get("LG_BENCH_BATCH", "2000"))
WORKERS = int(os.environ.get("LG_BENCH_WORKERS", "3"))
START = datetime(2025, 1, 6, tzinfo=UTC)


def neo4j_cpu() -> float:
    """The benchmark Neo4j's CPU seconds (its JVM's /proc); 0 when it is not running."""
    pid = embedded.Instance(port=PORT, data_dir=DATA_DIR.resolve()).pid()
    return 0.0 if pid is None else cpu_seconds([pid])


def marker_file() -> Path:
    return DATA_DIR / "benchmark-graph.json"


def built() -> dict[str, Any] | None:
    """The build report if the benchmark graph is complete, else None."""
    try:
        report: dict[str, Any] = json.loads(marker_file().read_text())
    except (FileNotFoundError, ValueError):
        return None
    return report if report.get("complete") else None


def ensure() -> tuple[str, dict[str, Any]]:
    """Start the benchmark Neo4j and build the graph unless it is already there; (uri, report)."""
    uri = ensure_neo4j(PORT, DATA_DIR)
    report = built()
    if report is None:
        report = asyncio.run(build(settings_for(uri, timeout_s=60)))
    return uri, report


async def build(settings: Settings) -> dict[str, Any]:
    report: dict[str, Any] = {"students": N_STUDENTS, "batch": BATCH, "workers": WORKERS}
    async with Runtime.open(settings) as runtime:
        db = runtime.graph
        await apply_schema_async(runtime.driver, db.queries, settings.neo4j_database)
        mark = _stage("content")
        document = build_benchmark_curriculum()
        result = await import_content(db=db, document=document, author="benchmark")
        report["content"] = {"s": _since(mark), "load": load(), **result.created.model_dump()}
        report["units"] = sample_units(document)
        csv_path = WORK_DIR / f"attempts-{N_STUDENTS}x{ATTEMPTS_PER_STUDENT}.csv.gz"
        if not csv_path.exists():
            mark = _stage("simulate + write CSV")
            rows = simulate_histories(
                document,
                n_students=N_STUDENTS,
                attempts_per_student=(ATTEMPTS_PER_STUDENT, ATTEMPTS_PER_STUDENT),
                start=START,
            )
            WORK_DIR.mkdir(parents=True, exist_ok=True)
            partial = csv_path.with_suffix(".partial.gz")
            n_rows = write_attempts_csv(rows, partial, document=document)
            partial.rename(csv_path)
            report["simulate"] = {"rows": n_rows, "s": _since(mark), "load": load()}
        report["attempts"] = await import_attempts(db, csv_path)
        mark = _stage("train")
        if await registry.active_id(db=db) is None:
            trained = await train_version(db=db, model_dir=WORK_DIR / "models", force=True)
            report["train"] = {"s": _since(mark), "load": load(), "model_id": trained["model_id"],
                               "auc": trained["metrics"].get("auc")}
        report["complete"] = True
        marker_file().write_text(json.dumps(report, indent=2, default=str) + "\n")
        return report


def sample_units(document: dict[str, Any]) -> dict[str, Any]:
    """A section, a chapter and a subject of the benchmark curriculum (the load test asks for them)."""
    by_id = {u["id"]: u for u in document["units"]}
    subject = next(u for u in document["units"] if u.get("kind") == "subject")
    chapter = by_id[subject["units"][len(subject["units"]) // 2]]
    section = by_id[chapter["units"][0]]
    return {"section": section["id"], "chapter": chapter["id"], "subject": subject["id"]}


async def import_attempts(db: Graph, csv_path: Path) -> dict[str, Any]:
    """The CSV through `record_attempts` in whole-student batches, WORKERS at a time, resumably."""
    mark = _stage(f"import attempts ({BATCH}/batch, {WORKERS} concurrent)")
    items = attempts_of(read_csv(csv_path), prefix="")
    batches = list(whole_student_batches(items, BATCH))
    progress = DATA_DIR / f"{csv_path.name}.progress"  # beside the database it describes, not the CSV
    done = set(json.loads(progress.read_text())) if progress.exists() else set()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(len(batches)):
        if number not in done:
            queue.put_nowait(number)
    scheduler = make_scheduler()
    created = 0
    started = time.perf_counter()

    async def worker() -> None:
        nonlocal created
        while not queue.empty():
            number = queue.get_nowait()
            result = await record_attempts(
                db=db, attempts=batches[number], now=datetime.now(UTC), scheduler=scheduler
            )
            created += result.created
            done.add(number)
            progress.write_text(json.dumps(sorted(done)))
            rate = created / (time.perf_counter() - started)
            line = f"\r  batches {len(done)}/{len(batches)}, {created:,} new, {rate:,.0f}/s"
            print(line, end="", file=sys.stderr)

    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    seconds = time.perf_counter() - started
    print(file=sys.stderr)
    return {"rows": len(items), "created": created, "s": round(seconds, 1), "total_s": _since(mark),
            "attempts_per_s": round(created / seconds) if seconds else None, "load": load()}


def whole_student_batches(items: list[AttemptIn], size: int) -> Iterator[list[AttemptIn]]:
    """Consecutive rows (sorted by student) cut only between students, about `size` rows each."""
    batch: list[AttemptIn] = []
    for item in items:
        if len(batch) >= size and item.user_id != batch[-1].user_id:
            yield batch
            batch = []
        batch.append(item)
    if batch:
        yield batch


def _stage(name: str) -> float:
    print(f"benchmark graph: {name} (load {load()})", file=sys.stderr)
    return time.perf_counter()


def _since(mark: float) -> float:
    return round(time.perf_counter() - mark, 1)


def run() -> dict[str, Any]:
    uri, report = ensure()
    return {"uri": uri, **report}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, default=str))
