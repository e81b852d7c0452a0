"""What `make run` does before anything heavy is imported: the parent-death signal and the demo's
Neo4j start. This module imports the standard library and `db/embedded.py` only (~0.1 s), so the
JVM starts while the rest of the CLI (the driver, pandas, FastAPI, the command groups: ~5 s of CPU)
is imported beside it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from learner_graph.db import embedded

PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class Starting:
    """A start under way since `started` (Unix time): `wait()` returns once Bolt answers;
    `new_database`: there was none."""

    wait: Callable[[], None]
    new_database: bool
    started: float


_starting: dict[int, Starting] = {}


def neo4j_instance(port: int, data: Path | None = None) -> embedded.Instance:
    """The embedded Neo4j on `port`, its data in `data` (default .lg/neo4j-PORT)."""
    return embedded.Instance(port=port, data_dir=(data or embedded.STATE_DIR / f"neo4j-{port}").resolve())


def start_neo4j_detached(port: int) -> Starting | None:
    """Start the embedded Neo4j on `port` from a forked child and return the start under way
    (None if Bolt answers already). The child starts the JVM and exits once it is ready, so the
    JVM is no child of this process: the demo's process goes on to serve the API, which would keep
    a stopped JVM as a zombie that `neo4j stop` waits a minute for. Started once per process: a
    second call (the demo, after `main` started it first) returns the first call's start."""
    if port in _starting:
        return _starting[port]
    instance = neo4j_instance(port)
    if instance.pid() is not None and instance.bolt_answers():
        return None
    new_database = not instance.has_database
    started = time.time()
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # pragma: no cover - the forked child; its exit status is the result
        code = 0
        try:
            embedded.start(instance, short_run=True)  # the demo server: SHORT_RUN_JVM
        except BaseException as error:  # noqa: BLE001 - reported through the exit status
            print(f"neo4j did not start: {error}", file=sys.stderr, flush=True)
            code = 1
        os._exit(code)
    status: list[int] = []

    def wait() -> None:
        if not status:
            status.append(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))
        if status[0] != 0:
            raise embedded.EmbeddedError(f"neo4j did not start on port {port}; log: {instance.log_file}")

    _starting[port] = Starting(wait, new_database, started)
    return _starting[port]


def die_with_parent(sig: signal.Signals = signal.SIGTERM) -> None:
    """Have Linux send `sig` to this process when its parent exits, also after an exec. A `make run`
    stopped by a signal of its own (SIGTERM, SIGHUP: not the terminal's Ctrl-C, which reaches the
    whole group) ended without passing it on, and the API it ran was left serving. No-op elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() != parent:  # the parent was gone before the request was made
        os.kill(os.getpid(), sig)


def demo_first(argv: list[str]) -> None:
    """`learner-graph demo --neo4j-port N ...`: ask for the parent-death signal and start the JVM
    before the CLI's imports (the demo finds the start under way and waits for it)."""
    die_with_parent()
    port = neo4j_port(argv)
    if port is not None:
        start_neo4j_detached(port)


def neo4j_port(argv: list[str]) -> int | None:
    """`--neo4j-port N` (or `=N`) of the demo's arguments, read before its parser is imported;
    None if absent or not a number (the parser then reports it)."""
    for index, argument in enumerate(argv):
        value = None
        if argument == "--neo4j-port" and index + 1 < len(argv):
            value = argv[index + 1]
        elif argument.startswith("--neo4j-port="):
            value = argument.split("=", 1)[1]
        if value is not None:
            return int(value) if value.isdigit() else None
    return None
