"""`make run` as a user sees it: from typing it, on a fresh database, to the first recommendation.

    python -m benchmarks make_run      # writes benchmarks/results/make_run.json

Stops the demo's Neo4j and removes its data directory (`rm -rf .lg/neo4j-PORT`, as a first
`make run` finds it: no database, no class archive of its own; the launcher's installed archive,
which `make install` builds outside every data directory, is kept), then runs `make run` in a
process group of its own and stamps every line it prints. Once the demo keys are printed it posts
the README's first call (`POST /v1/recommendations` with the learner app's key) until one answers
200: that moment is the figure. Then it sends the
group SIGINT, as Ctrl-C in a terminal does, checks that nothing it started is left but the Neo4j and
Redis daemons, and stops the Neo4j. The venv and the console must be built already (their checks
are timed: that is what `make run` costs a user who has run `make install` before).

Ports: LG_BENCH_RUN_NEO4J_PORT (default 7687), LG_BENCH_RUN_API_PORT (8000), Redis the port of
LG_BENCH_REDIS_URL (its database 0, as `make run` uses). Step times are the gaps between the lines
the steps print (`steps`) and the times the demo itself prints (`demo_steps`); CPU seconds are the
processes' own (make and the demo and API it runs; the Neo4j JVM), comparable on a busy machine
where wall time is not. `probe_s`: a pure-Python loop of 20M additions, CPU seconds: the machine's
speed beside the figure.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from benchmarks.harness import REDIS_URL, jvm_cpu, load, machine, write_result
from learner_graph.config import PROJECT_ROOT
from learner_graph.db import embedded

NEO4J_PORT = int(os.environ.get("LG_BENCH_RUN_NEO4J_PORT", "7687"))
API_PORT = int(os.environ.get("LG_BENCH_RUN_API_PORT", "8000"))
REDIS_PORT = urlparse(REDIS_URL).port or 6379
# Another checkout's `make run` (an older commit, to compare), with this venv (a symlink to it).
DIRECTORY = Path(os.environ.get("LG_BENCH_RUN_DIR", str(PROJECT_ROOT))).resolve()
TIMEOUT_S = 300
FIRST_CALL = {"user_id": "demo-student", "units": ["math.fractions"], "n": 5}

# (step, texts of which one marks the line that ends it), in the order `make run` prints them; the
# older lines too (Neo4j started by its own make target, no "API ready" line: uvicorn's) so that
# an older checkout (LG_BENCH_RUN_DIR) is measured alike. The model and the console demo may run at
# once: together they end at "demo ready" (each one's own time is in `demo_steps`).
MARKS = [
    ("make_checks_and_redis", ("redis ready",)),
    ("neo4j", ("neo4j started", "neo4j already running")),
    ("schema", ("schema applied",)),
    ("curriculum", ("  demo curriculum",)),
    ("learners", ("  simulated learners",)),
    ("model_and_console_demo", ("demo ready",)),
    ("keys", ("Serving http",)),
    ("api_start", ("API ready in", "Application startup complete")),
]
SECRET = re.compile(r"lg_[A-Za-z0-9_-]{16,}")
DEMO_STEP = re.compile(r"^\s+(.+?) \(([\d.]+)s\)$")


def probe() -> float:
    """CPU seconds of 20M additions in a pure-Python loop: how fast this machine is right now."""
    started = time.process_time()
    total = 0
    for i in range(20_000_000):
        total += i
    return round(time.process_time() - started, 2)


def fresh(instance: embedded.Instance) -> None:
    embedded.stop(instance)
    shutil.rmtree(instance.data_dir, ignore_errors=True)


def first_recommendation(key: str, deadline: float) -> None:
    """Post the README's first call until it answers 200."""
    url = f"http://127.0.0.1:{API_PORT}/v1/recommendations"
    headers = {"Authorization": f"Bearer {key}"}
    while time.monotonic() < deadline:
        try:
            if httpx.post(url, json=FIRST_CALL, headers=headers, timeout=10).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"no recommendation from http://127.0.0.1:{API_PORT} within {TIMEOUT_S}s")


def environment() -> dict[str, str]:
    """make's environment: the demo's own keys; another checkout (`LG_BENCH_RUN_DIR`) is run with
    this venv, its code first on the path (its `make install` too: its own class archive)."""
    env = {k: v for k, v in os.environ.items() if k != "LG_API_KEYS"}
    if DIRECTORY != PROJECT_ROOT:
        env["PYTHONPATH"] = str(DIRECTORY)
    return env


def run_make(instance: embedded.Instance) -> dict[str, Any]:
    """`make run` from its start to the first recommendation, then Ctrl-C; every line stamped."""
    lines: list[tuple[float, str]] = []
    command = ["make", "--no-print-directory", "run", f"NEO4J_PORT={NEO4J_PORT}",
               f"REDIS_PORT={REDIS_PORT}", f"PORT={API_PORT}"]  # fmt: skip
    env = environment()
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=DIRECTORY, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    keys: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append((time.monotonic() - started, line.rstrip("\n")))
            if not keys and line.strip().startswith("learner_app "):
                keys.append(line.split()[-1])
                found.set()
        found.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        found.wait(TIMEOUT_S)
        if not keys:
            raise RuntimeError("make run printed no learner_app key")
        first_recommendation(keys[0], started + TIMEOUT_S)
    except BaseException:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(30)
        print("\n".join(f"{t:7.2f} {text}" for t, text in lines[-40:]), file=sys.stderr)
        raise
    total = time.monotonic() - started
    neo4j_cpu = jvm_cpu(instance.pid())["total"]
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the foreground group
    stopped = time.monotonic()
    try:
        code = process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        code = process.wait()
    reader.join(5)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "total_s": round(total, 1),
        "lines": lines,
        "stop_s": round(time.monotonic() - stopped, 2),
        "exit_code": code,
        "left_running": _left_running(process.pid),
        "cpu_s": {"make_demo_api": round(children.ru_utime + children.ru_stime, 1),
                  "neo4j": round(neo4j_cpu, 1)},  # fmt: skip
    }


def _left_running(group: int) -> list[str]:
    """Processes of `make run`'s group still alive after Ctrl-C (Neo4j and Redis have their own)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append((stat.parent / "cmdline").read_text().replace("\0", " ").strip())
    return alive


def steps(lines: list[tuple[float, str]], total: float) -> dict[str, float]:
    """Each step's seconds: from the line ending the step before to the line ending it."""
    out: dict[str, float] = {}
    previous = 0.0
    for name, marks in MARKS:
        at = next((t for t, text in lines if any(mark in text for mark in marks)), None)
        if at is not None:
            out[name] = round(at - previous, 2)
            previous = at
    out["first_recommendation"] = round(total - previous, 2)
    return out


def run() -> dict[str, Any]:
    instance = embedded.Instance(port=NEO4J_PORT, data_dir=DIRECTORY / ".lg" / f"neo4j-{NEO4J_PORT}")
    fresh(instance)
    # Built before the clock starts (a first build is minutes of npm and pip); their checks are timed.
    subprocess.run(["make", "-s", "install", "console"], cwd=DIRECTORY, env=environment(), check=True,
                   capture_output=True)  # fmt: skip
    load_before = load()
    speed = probe()
    try:
        measured = run_make(instance)
    finally:
        embedded.stop(instance)
    lines = measured.pop("lines")
    demo_steps = {m.group(1): float(m.group(2)) for _, text in lines if (m := DEMO_STEP.match(text))}
    printed = [text for _, text in lines if "since make run" in text]
    result = {
        "machine": machine(),
        "load_before": load_before,
        "load_after": load(),
        "probe_s": speed,
        "directory": str(DIRECTORY),
        **measured,
        "steps": steps(lines, measured["total_s"]),
        "demo_steps": demo_steps,
        "printed": printed,
        "output": [f"{t:7.2f} {SECRET.sub('lg_…', text)}" for t, text in lines],  # keys: not kept
    }
    write_result("make_run", result)
    return {k: v for k, v in result.items() if k != "output"}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
