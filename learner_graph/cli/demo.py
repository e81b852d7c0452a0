"""`learner-graph demo`: what `make run` does once Redis is up.

Starts the embedded Neo4j (`--neo4j-port`) and, while it starts, simulates the demo learners in
memory and imports the training code; then applies the schema, imports the demo curriculum, writes
the learners' attempts through the batched attempt path, and trains and activates a model while the
console's demo data is added and the API's statements are planned; then serves the API. Every step
is skipped when its result is already there, so a second `make run` starts in seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from learner_graph.cli import boot, ops
from learner_graph.cli.demo_console import seed_console
from learner_graph.config import Settings
from learner_graph.content.importer import import_content
from learner_graph.db.graph import Graph, apply_schema, open_driver
from learner_graph.db.queries import Queries
from learner_graph.db.warm import warm_at_start
from learner_graph.learners.history_import import write_attempts
from learner_graph.learners.migration import migrate_memory
from learner_graph.learners.models import AttemptIn
from learner_graph.model import registry
from learner_graph.model.service import train_version
from learner_graph.model.train import TrainConfig
from learner_graph.runtime import Runtime

DEMO_STUDENTS = 1000  # about 50k attempts: enough for the model, the console and the experiment demo
ATTEMPTS_PER_STUDENT = (20, 80)
HISTORY_DAYS = 60


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser("demo", help="apply the schema, load the demo data, serve the API")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--students", type=int, default=DEMO_STUDENTS)
    demo.add_argument("--no-serve", action="store_true", help="load the demo and exit")
    demo.add_argument(
        "--neo4j-port", type=int, help="start the embedded Neo4j on this port (data .lg/neo4j-PORT) meanwhile"
    )
    demo.add_argument(
        "--since", type=float, help="Unix time `make run` started: the figures printed count from it"
    )
    demo.set_defaults(run=_demo)


class Clock:
    """Prints each step's own seconds and, with `since`, the seconds since `make run` started."""

    def __init__(self, since: float | None) -> None:
        self.since = since
        self.started = time.time()

    def step(self, name: str, started: float) -> None:
        print(f"  {name} ({time.time() - started:.1f}s)", flush=True)

    def total(self, what: str) -> str:
        if self.since is None:
            return f"{what} in {time.time() - self.started:.1f}s"
        return f"{what} in {time.time() - self.since:.1f}s since make run"


@dataclass
class DemoData:
    """The demo curriculum and its simulated learners' attempts, built in memory on first use."""

    students: int
    start: datetime = field(
        default_factory=lambda: datetime.now(UTC).replace(microsecond=0) - timedelta(days=HISTORY_DAYS)
    )

    @cached_property
    def document(self) -> dict[str, Any]:
        from seed.curriculum import build_curriculum

        return build_curriculum()

    @cached_property
    def attempts(self) -> list[AttemptIn]:
        """Each learner's attempts in time order, as `POST /v1/attempts` takes them."""
        from seed.histories import simulate_histories

        rows = simulate_histories(
            self.document, n_students=self.students, attempts_per_student=ATTEMPTS_PER_STUDENT,
            start=self.start, days=HISTORY_DAYS,
        )  # fmt: skip
        return _ATTEMPTS.validate_python(list(rows))


_ATTEMPTS = TypeAdapter(list[AttemptIn])


async def load_demo(settings: Settings, *, data: DemoData, clock: Clock) -> dict[str, Any]:
    """Load the demo curriculum, learners and model into the graph of `settings` (idempotent)."""
    summary: dict[str, Any] = {}
    async with Runtime.open(settings) as runtime:
        graph = runtime.graph
        await migrate_memory(db=runtime.admin_graph)  # a demo graph of an older version
        started = time.time()
        document = data.document
        summary["content"] = (await import_content(db=graph, document=document, author="demo")).model_dump()
        concepts, questions = len(document["concepts"]), len(document["questions"])
        clock.step(f"demo curriculum: {concepts} concepts, {questions} questions", started)
        if (await graph.read("attempts_count"))[0]["attempts"] == 0:
            started = time.time()
            written = await write_attempts(db=graph, items=data.attempts)  # the import's lanes and batches
            summary["attempts"] = written.created
            retried = sum(written.retries.values())
            loaded = f"{data.students} students, {written.created:,} attempts, {retried} writes retried"
            clock.step(f"simulated learners: {loaded}", started)
        summary |= dict(zip(("model", "console", "plans"), await asyncio.gather(
            _train(graph, settings, clock), _console(graph, clock), _plan(runtime.admin_graph, clock)
        ), strict=True))  # fmt: skip
    return summary


async def _train(graph: Graph, settings: Settings, clock: Clock) -> str | None:
    """Train and activate a model unless one is active (the training path of `learner-graph train`)."""
    if await registry.active_id(db=graph) is not None:
        return None
    started = time.time()
    config = TrainConfig(progress=sys.stderr.isatty())  # no progress bar's frames in a log
    trained = await train_version(db=graph, model_dir=settings.model_dir, force=True, config=config)
    clock.step(f"model {trained['model_id']} trained, AUC {trained['metrics']['auc']:.3f}", started)
    return str(trained["model_id"])


async def _console(graph: Graph, clock: Clock) -> dict[str, Any]:
    """The console's demo data: runs while the model trains (it reads no model)."""
    started = time.time()
    added = await seed_console(db=graph, now=datetime.now(UTC))
    clock.step(f"console demo (experiment, flags, audit trail): {added or 'there'}", started)
    return added


async def _plan(graph: Graph, clock: Clock) -> int:
    """Have Neo4j plan the API's hot statements (its start-up warm-up) while the model trains on the
    other core: the API's own warm-up then finds them in Neo4j's plan cache."""
    started = time.time()
    planned = await warm_at_start(graph)
    clock.step(f"the API's {planned} hot statements planned", started)
    return planned


def _demo(args: argparse.Namespace) -> int:
    boot.die_with_parent()  # `make run` stopped by a signal of its own must not leave the API behind
    clock = Clock(args.since)
    settings = Settings()
    data = DemoData(students=args.students)
    try:
        if args.neo4j_port is not None:
            _start_neo4j(args.neo4j_port, data, clock)
        with open_driver(settings) as driver:
            applied = apply_schema(driver, Queries.load(settings.cypher_dir), settings.neo4j_database)
        print(f"schema applied ({len(applied)} statements)")
        asyncio.run(load_demo(settings, data=data, clock=clock))
    except KeyboardInterrupt:
        print("\ninterrupted: the demo loads what is missing at the next `make run`", file=sys.stderr)
        return 130
    print(clock.total("demo ready"), flush=True)
    if args.no_serve:
        return 0
    if not os.environ.get("LG_API_KEYS"):
        os.environ["LG_API_KEYS"] = ops.ensure_demo_keys(ops.DEMO_KEYS_FILE)
    ops.print_keys(os.environ["LG_API_KEYS"], port=args.port)
    print(f"Console: http://localhost:{args.port}/console/ (sign in with one of the keys above)")
    print(f"Serving http://localhost:{args.port} (OpenAPI docs at /docs). Ctrl-C stops the API.", flush=True)
    # Serve from a fresh process, as production does: loading the demo imported torch and trained
    # (about 1.2 GB resident); `learner-graph serve` alone holds about 240 MB. The exec keeps the
    # pid, so Ctrl-C and the parent-death signal reach the API as they reached the demo.
    cli = str(Path(sys.executable).parent / "learner-graph")
    since = ["--since", str(args.since)] if args.since is not None else []
    os.execv(cli, [cli, "serve", "--host", args.host, "--port", str(args.port), *since])


def _start_neo4j(port: int, data: DemoData, clock: Clock) -> None:
    """Start Neo4j (`learner-graph demo` started it before its imports: `boot.demo_first`) and,
    while the JVM starts, do the demo's Neo4j-free work: simulate the learners (when its database
    is new) and import torch for the training."""
    starting = boot.start_neo4j_detached(port)
    if starting is None:
        return  # running already
    if starting.new_database:
        _ = data.attempts
    import learner_graph.model.fit  # noqa: F401 - torch, imported while Neo4j starts

    starting.wait()
    since = starting.started  # before the CLI's imports
    clock.step(f"neo4j started on bolt://127.0.0.1:{port}, demo learners simulated meanwhile", since)
