"""`learner-graph demo`: the learners it simulates, and what it leaves behind when `make run` stops."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from learner_graph.cli import boot, demo
from learner_graph.cli.demo import DemoData
from learner_graph.db import embedded

# A parent that starts a child and waits; the child asks to die with its parent, then execs
# `sleep` (the request must outlive an exec: `make run` once exec'd its API; a forked child, as the
# demo's load now is, asks anew: Linux clears the request at a fork).
PARENT = """
import subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]])
print(child.pid, flush=True)
child.wait()
"""
CHILD = """
import os, shutil
from learner_graph.cli.boot import die_with_parent
die_with_parent()
os.execv(shutil.which("sleep"), ["sleep", "60"])
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_exec_d_process_ends_when_its_parent_is_terminated() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        deadline = time.monotonic() + 30
        while not _exec_d(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _exec_d(child), "the child never got to its exec"
        parent.send_signal(signal.SIGTERM)  # as `kill <make's pid>`: not passed on to the child
        parent.wait(10)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child)
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)


def _exec_d(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().startswith(b"sleep\0")
    except FileNotFoundError:
        return False


def test_demo_learners_are_attempts_in_time_order_with_unique_ids() -> None:
    data = DemoData(students=4, start=datetime(2026, 1, 1, tzinfo=UTC))
    attempts = data.attempts
    users = {a.user_id for a in attempts}
    assert len(users) == 4
    assert len({a.attempt_id for a in attempts}) == len(attempts)
    questions = {q["id"] for q in data.document["questions"]}
    assert {a.question_id for a in attempts} <= questions
    for user in users:
        own = [a for a in attempts if a.user_id == user]
        assert 20 <= len(own) <= 80
        assert all(a.at is not None and b.at is not None and a.at < b.at for a, b in itertools.pairwise(own))
    again = DemoData(students=4, start=datetime(2026, 1, 1, tzinfo=UTC)).attempts
    assert again == attempts  # the same learners every run: a replayed load only finds duplicates


def test_the_light_entry_imports_neither_the_driver_nor_pandas() -> None:
    """`make run` starts its JVM from `cli.boot` before the CLI's ~5 s of imports: that path stays light."""
    check = (
        "import sys, learner_graph.cli, learner_graph.cli.boot;"
        "print(sorted({'neo4j', 'pandas', 'fastapi', 'pydantic'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_demo_port_is_read_before_the_parser_runs() -> None:
    assert boot.neo4j_port(["--port", "8000", "--neo4j-port", "7715", "--since", "1.5"]) == 7715
    assert boot.neo4j_port(["--neo4j-port=7716"]) == 7716
    assert boot.neo4j_port(["--port", "8000"]) is None
    assert boot.neo4j_port(["--neo4j-port", "x"]) is None  # argparse reports it, later
    assert boot.neo4j_port(["--neo4j-port"]) is None


def test_the_load_learns_whether_neo4j_started_through_its_pipe() -> None:
    def failed() -> None:
        raise embedded.EmbeddedError("the JVM exited")

    for wait, answered in ((lambda: None, True), (failed, False)):
        read, write = os.pipe()
        starting = boot.Starting(wait=wait, new_database=True, started=time.time())
        demo._tell_when_answered(starting, write)
        if answered:
            demo._neo4j_answered(read)
        else:
            with pytest.raises(embedded.EmbeddedError):
                demo._neo4j_answered(read)


def test_learners_simulated_on_a_thread_are_the_ones_simulated_in_line() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    background = DemoData(students=3, start=start)
    background.prepare_in_background(simulate=True)  # as while Neo4j starts
    assert background.attempts == DemoData(students=3, start=start).attempts
