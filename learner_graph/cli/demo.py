"""`learner-graph demo`: what `make run` does once Redis is up.

Starts the embedded Neo4j (`--neo4j-port`; `boot.demo_first` begins it before the CLI's imports)
and, while it starts, simulates the demo learners in memory and imports the training code; then
applies the schema, imports the demo curriculum, writes the learners' attempts through the batched
attempt path, and trains and activates a model while the console's demo data is added and the API's
statements are planned. That load runs in a forked child; this process imports the API meanwhile
and serves it once the load succeeded. Every step is skipped when its result is already there, so
a second `make run` starts in seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property, partial
from typing import Any, NoReturn

from pydantic import TypeAdapter

from learner_graph.cli import boot, ops
from learner_graph.cli.demo_console import seed_console
from learner_graph.config import Settings
from learner_graph.content.importer import import_content
from learner_graph.db import embedded
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
LOAD_TIMEOUT_S = 5.0  # the demo's load: Neo4j's connection timeout (LG_NEO4J_TIMEOUT_S if longer)


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

    _preparing: Future[list[AttemptIn] | None] | None = field(default=None, init=False, repr=False)

    def prepare_in_background(self, *, simulate: bool) -> None:
        """On a thread: simulate the learners (`simulate`: their database is new) and import torch
        for the training. The main thread meanwhile waits for Neo4j and imports the curriculum,
        mostly waiting on Bolt: this work left the critical path (done first, it held the demo's
        first statement 5-11 s after the JVM answered). `attempts` waits for it."""
        _ = self.document  # built once, here: the curriculum's import reads it on the main thread
        pool = ThreadPoolExecutor(1, thread_name_prefix="demo-prepare")
        self._preparing = pool.submit(self._prepare, simulate)
        pool.submit(_import_optimizers)  # after: `attempts` does not wait for it
        pool.shutdown(wait=False)

    def _prepare(self, simulate: bool) -> list[AttemptIn] | None:
        attempts = self._simulate() if simulate else None
        import learner_graph.model.fit  # noqa: F401 - torch, for the training

        return attempts

    @cached_property
    def attempts(self) -> list[AttemptIn]:
        """Each learner's attempts in time order, as `POST /v1/attempts` takes them."""
        prepared = self._preparing.result() if self._preparing is not None else None
        return prepared if prepared is not None else self._simulate()

    def _simulate(self) -> list[AttemptIn]:
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
    said = ", ".join(f"{count:,} {CONSOLE_ADDED[what]}" for what, count in added.items())
    clock.step(f"console demo: {said or 'there already'}", started)
    return added


CONSOLE_ADDED = {  # what `seed_console` added, as the console line says it
    "experiment_exposed": "learners in the finished experiment",
    "flag_reports": "flag reports",
    "audit": "audit entries",
}


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
    port = args.neo4j_port
    starting = boot.start_neo4j_detached(port) if port is not None else None  # begun by boot.demo_first
    if args.no_serve:
        return _load(args, clock, starting, starting.wait if starting else None)
    # The load runs in a forked child: it imports torch and trains (about 1.2 GB resident), then
    # exits. This process (the CLI's imports, about 150 MB, no torch) tells it when Neo4j answers,
    # imports the API meanwhile and serves from here once the load succeeded: the API's start
    # overlaps the load instead of following it (an exec into `learner-graph serve` cost 7-9 s
    # after the demo was ready), and never holds the training's memory. Ctrl-C reaches both (one
    # process group); the child dies with this process (PR_SET_PDEATHSIG), this one with make.
    ready_r, ready_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # pragma: no cover - the forked child; its exit status is the load's result
        os.close(ready_w)
        boot.die_with_parent()
        _exit_with(lambda: _load(args, clock, starting, partial(_neo4j_answered, ready_r)))
    os.close(ready_r)
    try:
        _tell_when_answered(starting, ready_w)
        import uvicorn  # noqa: F401 - the API's imports, while the child loads the demo

        import learner_graph.api.app  # noqa: F401

        code = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
    except KeyboardInterrupt:
        os.waitpid(child, 0)  # it was interrupted too: it says so and exits
        return 130
    if code != 0:
        return code
    if not os.environ.get("LG_API_KEYS"):
        os.environ["LG_API_KEYS"] = ops.ensure_demo_keys(ops.DEMO_KEYS_FILE)
    ops.print_keys(os.environ["LG_API_KEYS"], port=args.port)
    print(f"Console: http://localhost:{args.port}/console/ (sign in with one of the keys above)")
    print(f"Serving http://localhost:{args.port} (OpenAPI docs at /docs). Ctrl-C stops the API.", flush=True)
    return ops.serve(host=args.host, port=args.port, since=args.since)


def _load(
    args: argparse.Namespace, clock: Clock, starting: boot.Starting | None, wait: Callable[[], None] | None
) -> int:
    """The demo's load: Neo4j's start awaited (`wait`), the schema, the curriculum, the learners,
    the model and the console's data; 130 if interrupted."""
    settings = Settings()
    # A bulk loader's patience: its first statements meet a JVM that answered a moment ago, and under
    # load the 0.5 s default timed the first connection out ("Failed to write data to connection ...
    # will be retried" in the console, 2 of 13 runs at load 6-8).
    settings = Settings(neo4j_timeout_s=max(settings.neo4j_timeout_s, LOAD_TIMEOUT_S))
    data = DemoData(students=args.students)
    try:
        if starting is not None and wait is not None:
            _while_neo4j_starts(args.neo4j_port, starting, wait, data, clock)
        with open_driver(settings) as driver:
            applied = apply_schema(driver, Queries.load(settings.cypher_dir), settings.neo4j_database)
        print(f"schema applied ({len(applied)} statements)")
        asyncio.run(load_demo(settings, data=data, clock=clock))
    except KeyboardInterrupt:
        print("\ninterrupted: the demo loads what is missing at the next `make run`", file=sys.stderr)
        return 130
    print(clock.total("demo ready"), flush=True)
    return 0


def _exit_with(load: Callable[[], int]) -> NoReturn:  # pragma: no cover - runs in the forked child
    """End the forked child with the load's status (1 and the traceback if it raised), its output
    flushed: `os._exit` skips the interpreter's clean-up, which the parent's copy will do."""
    code = 1
    try:
        code = load()
    except BaseException:  # noqa: BLE001 - reported, then the status says it
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _tell_when_answered(starting: boot.Starting | None, ready: int) -> None:
    """Wait for the Neo4j start (the forked starter is this process's child) and write its outcome
    to the load's pipe: b"1" once Bolt answers, b"0" if it failed."""
    answered = b"1"
    try:
        if starting is not None:
            starting.wait()
    except embedded.EmbeddedError as error:
        print(error, file=sys.stderr, flush=True)
        answered = b"0"
    finally:
        os.write(ready, answered)
        os.close(ready)


def _neo4j_answered(ready: int) -> None:
    """The load's side of `_tell_when_answered`."""
    answered = os.read(ready, 1)
    os.close(ready)
    if answered != b"1":
        raise embedded.EmbeddedError("neo4j did not start")


def _while_neo4j_starts(
    port: int, starting: boot.Starting, wait: Callable[[], None], data: DemoData, clock: Clock
) -> None:
    """Start the demo's Neo4j-free work on a thread (`DemoData.prepare_in_background`), then wait
    until Bolt answers."""
    data.prepare_in_background(simulate=starting.new_database)
    wait()
    since = starting.started  # before the CLI's imports
    clock.step(f"neo4j started on bolt://127.0.0.1:{port}", since)


def _import_optimizers() -> None:
    """torch.optim's first optimizer imports torch._dynamo (2-3 s of the training's critical path);
    imported here, on the preparing thread, while the learners load."""
    import torch._dynamo  # noqa: F401
