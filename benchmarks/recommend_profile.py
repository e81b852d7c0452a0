"""CPU per recommendation over HTTP, one worker, and optionally where it goes (py-spy).

    LG_BENCH_NEO4J_PORT=7733 LG_BENCH_REDIS_URL=redis://127.0.0.1:6331/9 \
      .venv/bin/python -m benchmarks.recommend_profile [--seconds 30] [--py-spy out.txt]
        [--workers 2 --paced 140 --timings steps.tsv]

The benchmark graph and `benchmarks.recommend`'s request mix (random students; section, chapter,
subject in turn), served by `learner-graph serve` with one worker and driven by `wrk` with 8
connections: far from saturating two cores, so the API's and Neo4j's CPU per request (from /proc)
move with the code more than with other jobs on the machine. With `--py-spy`, py-spy samples the
worker for the measured run and writes its flat profile (the worker's own functions, by share).

For the tail: `--paced RPS` drives the benchmark's 32 paced connections at about RPS instead, and
`--timings FILE` writes each answer's server step timings (`timing_ms`: fetch, predict, mix,
record, total) with wrk's thread and the second it arrived, to find which step makes the slow ones.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from benchmarks import graph, recommend, wrk
from benchmarks.harness import api_server
from learner_graph.db import embedded

CONNECTIONS = 8
WARMUP_SECONDS = 10


# Each answer's step timings, one line per answer: wrk thread, second, fetch, predict, mix, record, total.
TIMINGS = r"""
function response(status, headers, body)
  local t = body:match('"timing_ms":(%b{})')
  if t and timings then
    timings:write(string.format("%d\t%d\t%s\t%s\t%s\t%s\t%s\n", tid, os.time(),
      t:match('"fetch":([%d.]+)'), t:match('"predict":([%d.]+)'), t:match('"mix":([%d.]+)'),
      t:match('"record":([%d.]+)'), t:match('"total":([%d.]+)')))
  end
end
"""


def measure(
    seconds: float, py_spy: Path | None, *, workers: int = 1, paced: float = 0.0, timings: Path | None = None
) -> dict[str, Any]:
    uri, built = graph.ensure()
    units, students = built["units"], int(built["students"])
    neo4j_pid = embedded.Instance(port=graph.PORT, data_dir=graph.DATA_DIR.resolve()).pid()
    api_pids: list[int] = []
    env = {"LG_WORKERS": str(workers)}
    connections = recommend.CONNECTIONS if paced else CONNECTIONS
    delay_ms = connections * 1000 / paced if paced else 0.0
    log = graph.WORK_DIR / "api-profile.log"
    with api_server(uri, port=recommend.API_PORT, log=log, env=env, pids=api_pids) as base:
        url = f"{base}/v1/recommendations"
        cpu = {"api_pids": api_pids, "neo4j_pids": [neo4j_pid] if neo4j_pid else []}
        body = recommend.script(units, students, delay_ms=delay_ms)
        wrk.run(url, body, connections=connections, seconds=WARMUP_SECONDS, **cpu)
        if timings is not None:
            timings.unlink(missing_ok=True)
            opened = f"timings = io.open({str(timings.resolve())!r}, 'a'); timings:setvbuf('line')\n"
            body = body.replace("function init(args) ", "function init(args) " + opened) + TIMINGS
        spy = _start_py_spy(api_pids[0], seconds, py_spy) if py_spy else None
        figures = wrk.run(url, body, connections=connections, seconds=seconds, **cpu)
        if spy is not None:
            spy.wait(timeout=120)
    return figures


def _start_py_spy(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """py-spy on the worker (the serve process's child when it forks one) for `seconds`."""
    spy = shutil.which("py-spy") or str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "py-spy")
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    target = int(children[0]) if children else pid
    return subprocess.Popen(
        [spy, "record", "--pid", str(target), "--duration", str(int(seconds)), "--rate", "200",
         "--format", "raw", "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--py-spy", type=Path, default=None, help="write py-spy's collapsed stacks here")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--paced", type=float, default=0.0, help="32 paced connections offering this req/s")
    parser.add_argument("--timings", type=Path, default=None, help="write each answer's step timings here")
    args = parser.parse_args()
    figures = measure(args.seconds, args.py_spy, workers=args.workers, paced=args.paced, timings=args.timings)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
