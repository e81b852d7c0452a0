"""`learner-graph demo`: what `make run` does once the servers are up.

Applies the schema, imports the demo curriculum, loads a thousand simulated learners through
the attempts import, trains and activates a model, then serves the API. Every step is skipped
when its result is already there, so a second `make run` starts in seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from learner_graph.cli import ops
from learner_graph.cli.demo_console import seed_console
from learner_graph.cli.learners import progress_file
from learner_graph.config import PROJECT_ROOT, Settings
from learner_graph.content.importer import import_content
from learner_graph.db.graph import apply_schema, open_driver
from learner_graph.db.queries import Queries
from learner_graph.learners.history_import import import_history
from learner_graph.learners.migration import migrate_memory
from learner_graph.model import registry
from learner_graph.model.service import train_version
from learner_graph.runtime import Runtime

DEMO_STUDENTS = 1000  # about 50k attempts: enough for the model, the console and the experiment demo
DEMO_CSV = PROJECT_ROOT / ".lg" / "demo" / "attempts.csv.gz"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser("demo", help="apply the schema, load the demo data, serve the API")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--students", type=int, default=DEMO_STUDENTS)
    demo.add_argument("--no-serve", action="store_true", help="load the demo and exit")
    demo.set_defaults(run=_demo)


def _step(name: str, started: float) -> None:
    print(f"  {name} ({time.monotonic() - started:.1f}s)", flush=True)


async def load_demo(settings: Settings, *, students: int) -> dict[str, Any]:
    """Load the demo curriculum, learners and model into the graph of `settings` (idempotent)."""
    from seed.curriculum import build_curriculum
    from seed.histories import simulate_histories, write_attempts_csv

    summary: dict[str, Any] = {}
    async with Runtime.open(settings) as runtime:
        graph = runtime.graph
        await migrate_memory(db=runtime.admin_graph)  # a demo graph of an older version
        started = time.monotonic()
        document = build_curriculum()
        result = await import_content(db=graph, document=document, author="demo")
        summary["content"] = result.model_dump()
        _step(
            f"demo curriculum: {len(document['concepts'])} concepts, {len(document['questions'])} questions",
            started,
        )
        count = (await graph.read("attempts_count"))[0]["attempts"]
        if count == 0:
            started = time.monotonic()
            DEMO_CSV.parent.mkdir(parents=True, exist_ok=True)
            start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=60)
            rows = simulate_histories(
                document, n_students=students, attempts_per_student=(20, 80), start=start
            )
            write_attempts_csv(rows, DEMO_CSV, document=document)
            # A graph without attempts: an earlier run's import progress was another database's (its
            # batches marked done, this graph got 0 attempts and `make run` failed to train).
            progress = progress_file(DEMO_CSV, "")
            progress.unlink(missing_ok=True)
            report = await import_history(
                db=graph, path=DEMO_CSV, prefix="", name="demo", progress_file=progress
            )
            summary["attempts"] = report.created
            retried = sum(report.retries.values())
            loaded = f"{students} students, {report.created:,} attempts, {retried} writes retried"
            _step(f"simulated learners: {loaded}", started)
        if await registry.active_id(db=graph) is None:
            started = time.monotonic()
            trained = await train_version(db=graph, model_dir=settings.model_dir, force=True)
            summary["model"] = trained["model_id"]
            _step(f"model {trained['model_id']} trained, AUC {trained['metrics']['auc']:.3f}", started)
        started = time.monotonic()
        summary["console"] = await seed_console(db=graph, now=datetime.now(UTC))
        _step(f"console demo (experiment, flags, audit trail): {summary['console'] or 'there'}", started)
    return summary


def _demo(args: argparse.Namespace) -> int:
    settings = Settings()
    started = time.monotonic()
    with open_driver(settings) as driver:
        applied = apply_schema(driver, Queries.load(settings.cypher_dir), settings.neo4j_database)
    print(f"schema applied ({len(applied)} statements)")
    asyncio.run(load_demo(settings, students=args.students))
    print(f"demo ready in {time.monotonic() - started:.1f}s")
    if args.no_serve:
        return 0
    if not os.environ.get("LG_API_KEYS"):
        os.environ["LG_API_KEYS"] = ops.ensure_demo_keys(ops.DEMO_KEYS_FILE)
    ops.print_keys(os.environ["LG_API_KEYS"], port=args.port)
    print(f"Console: http://localhost:{args.port}/console/ (sign in with one of the keys above)")
    print(f"Serving http://localhost:{args.port} (OpenAPI docs at /docs). Ctrl-C stops the API.", flush=True)
    # Serve from a fresh process, as production does: loading the demo imported torch and trained
    # (about 1.2 GB resident); `learner-graph serve` alone holds about 240 MB.
    cli = str(Path(sys.executable).parent / "learner-graph")
    os.execv(cli, [cli, "serve", "--host", args.host, "--port", str(args.port)])
