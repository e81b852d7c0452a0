"""What every benchmark shares: machine facts, percentiles, a Neo4j of its own, an API in a subprocess."""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from learner_graph.config import PROJECT_ROOT, Settings
from learner_graph.db import embedded

RESULTS = Path(__file__).parent / "results"
REDIS_URL = os.environ.get("LG_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
BENCH_KEY = "bench-learner-app-key-0123456789"
BENCH_ADMIN_KEY = "bench-admin-key-0123456789abcdef"
API_KEYS = f"bench:learner_app:{BENCH_KEY},benchadmin:admin:{BENCH_ADMIN_KEY}"


def load() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` prints them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(neo4j_agent: str | None = None) -> dict[str, Any]:
    """Cores, memory, load and versions: the facts a figure means nothing without."""
    import neo4j

    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "load_average": load(),
        "python": platform.python_version(),
        "neo4j_server": neo4j_agent,
        "neo4j_driver": neo4j.__version__,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of already sorted values, nearest rank."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def latency_summary(latencies_s: list[float]) -> dict[str, float]:
    ordered = sorted(x * 1000 for x in latencies_s)
    return {f"p{q}_ms": round(percentile(ordered, q), 2) for q in (50, 95, 99)} | {
        "max_ms": round(ordered[-1], 2) if ordered else float("nan")
    }


def read_result(name: str) -> dict[str, Any]:
    """What benchmarks/results/NAME.json holds now ({} before its first run)."""
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"wrote {path.relative_to(PROJECT_ROOT)}", file=sys.stderr)
    return path


def ensure_neo4j(port: int, data_dir: Path, *, heap: str = "3g", pagecache: str = "1g") -> str:
    """Start (or reuse) the embedded Neo4j on `port` with its own data directory; its Bolt URI."""
    instance = embedded.Instance(port=port, data_dir=data_dir.resolve())
    embedded.start(instance, heap=heap, pagecache=pagecache)
    return f"bolt://127.0.0.1:{port}"


def fresh_neo4j(port: int, data_dir: Path) -> tuple[embedded.Instance, str]:
    """A small embedded Neo4j on `port` started on an empty data directory; (instance, Bolt URI).
    The JVM's class archive is kept (a server's own, from its earlier runs, with the note of its
    launcher jar): without it, the first stop of every run wrote a new one (~125 MB) while the run
    measured that stop."""
    instance = embedded.Instance(port=port, data_dir=data_dir.resolve())
    embedded.stop(instance)
    archive = (instance.class_archive, instance.class_archive_jar)
    kept = {path: path.read_bytes() for path in archive if path.exists()}
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    for path, content in kept.items():
        path.write_bytes(content)
    embedded.start(instance, heap="1g", pagecache="256m")
    return instance, f"bolt://127.0.0.1:{port}"


def settings_for(uri: str, *, timeout_s: float = 30.0) -> Settings:
    """Settings for a benchmark process: its Neo4j, Redis database 9, patient retries for bulk work."""
    return Settings(neo4j_uri=uri, redis_url=REDIS_URL, api_keys=API_KEYS, neo4j_timeout_s=timeout_s)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def api_server(
    uri: str,
    *,
    port: int | None = None,
    log: Path | None = None,
    env: dict[str, str] | None = None,
    pids: list[int] | None = None,
) -> Iterator[str]:
    """`learner-graph serve` on a free localhost port in a subprocess; yields its base URL.

    Its pid is appended to `pids` (the benchmarks read its CPU time, workers included)."""
    port = port or free_port()
    env = os.environ | {
        "LG_NEO4J_URI": uri,
        "LG_REDIS_URL": REDIS_URL,
        "LG_API_KEYS": API_KEYS,
        "LG_LOG_LEVEL": "WARNING",
    } | (env or {})
    cli = Path(sys.executable).parent / "learner-graph"
    out = open(log or os.devnull, "w")  # noqa: SIM115 - closed below, after the process
    process = subprocess.Popen(
        [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=out, stderr=out
    )
    if pids is not None:
        pids.append(process.pid)
    try:
        wait_ready(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        out.close()


READY_S = float(os.environ.get("LG_BENCH_READY_S", "180"))  # warm-up on a busy machine may need more


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout_s: float = READY_S) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the API exited with {process.returncode} before it was ready")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the API on port {port} was not ready within {timeout_s:.0f}s")


def jvm_cpu(pid: int | None) -> dict[str, float]:
    """CPU seconds of a JVM: all of it, and its JIT compiler threads' share. A Neo4j started just
    before the import compiles its hot code while importing: its C1/C2 threads took 73 of 162 s of
    Neo4j's CPU in one ASSISTments import (load 10-13), and about half of it over the first 100k
    attempts of a restarted server, against ~0.02 ms an attempt once warm."""
    total = jit = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir() if pid else ():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue
        seconds = sum(int(x) for x in stat.rsplit(")", 1)[1].split()[11:13]) / os.sysconf("SC_CLK_TCK")
        total += seconds
        jit += seconds if "CompilerThre" in stat[stat.index("(") : stat.rindex(")")] else 0.0
    return {"total": total, "jit_compiler": jit}
