"""The HTTP layer's CPU per request: `learner-graph serve`'s uvicorn (one worker) driven by `wrk`.

Four request shapes, each after a short untimed warm-up, with the API's CPU per request from
/proc (and Neo4j's, for the real routes) and the load average beside each figure:

- `noop`: `GET /bench/noop`, a route with no dependency: uvicorn, httptools and the middleware.
- `learner`: `POST /bench/learner`, a single attempt's body and dependencies (key check, rate
  limit, graph and writer) and its tenant check, then a small JSON answer: no storage.
- `token`: the same with learner tokens (HS256 JWTs, one per learner) instead of the API key.
- `attempts`: the real `POST /v1/attempts`, single attempts from 16 connections.
- `recommend`: the real `POST /v1/recommendations`, 32 connections back to back.

The two `/bench/` routes exist only in this module's server, matched before the API's own routes
(so they pay no walk over them: the real routes' figures show what their place in the table costs).
`--code DIR` serves another checkout's code (e.g. a `git worktree` of main) from that directory:
copy this file into its `benchmarks/` first. `--repeat N` alternates nothing by itself: run it once
per checkout, one after the other, and compare at the same load.

    python -m benchmarks.http_layer [--code DIR] [--shapes noop,learner,attempts,recommend]
        [--seconds 15] [--profile DIR]  # --profile: py-spy (raw stacks) of the API under each shape
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import graph, wrk
from benchmarks.harness import API_KEYS, REDIS_URL, load, wait_ready
from learner_graph.db import embedded

PORT = int(os.environ.get("LG_BENCH_API_PORT", "0")) or 8040
SHAPES = ("noop", "learner", "token", "attempts", "recommend")
CONNECTIONS = {"noop": 32, "learner": 32, "token": 32, "attempts": 16, "recommend": 32}
APP_SECRET = "bench-app-secret-0123456789abcdef-0123456789"
TOKEN_LEARNERS = 2000  # a learner token's bucket is 10/s: spread over enough learners that none is refused
WARMUP_S = 4


def probe_app() -> Any:
    """The API as `learner-graph serve` builds it, with the two `/bench/` routes after its own."""
    from fastapi import APIRouter
    from pydantic import BaseModel

    from learner_graph.api.app import app_from_env
    from learner_graph.api.deps import AttemptWriterDep, GraphDep, LearnerAppOrToken
    from learner_graph.learners.models import AttemptIn
    from learner_graph.learners.tenancy import check_subject

    class Probed(BaseModel):
        user_id: str
        app: str
        key: str

    router = APIRouter()

    @router.get("/bench/noop")
    async def noop() -> dict[str, str]:
        return {"status": "ok"}

    @router.post("/bench/learner")
    async def learner(
        key: LearnerAppOrToken, db: GraphDep, writer: AttemptWriterDep, body: AttemptIn
    ) -> Probed:
        check_subject(key, body.user_id)
        return Probed(user_id=body.user_id, app=key.app, key=key.name)

    app = app_from_env()
    app.include_router(router)
    app.router.routes.insert(0, app.router.routes.pop())  # matched first: no walk over the API's routes
    return app


def serve(port: int) -> None:
    """uvicorn as `learner-graph serve` runs one worker (its loop and HTTP defaults: uvloop, httptools)."""
    import uvicorn

    uvicorn.run(probe_app(), host="127.0.0.1", port=port, log_config=None, access_log=False)


def learner_script() -> str:
    return f"""{wrk.post_preamble(3)}function request()
  n = n + 1
  local body = string.format(
    '{{"attempt_id":"probe-t%d-%d","user_id":"probe-u%d","question_id":"q-%d","correct":true,"time_spent_ms":%d}}',
    tid, n, n % 50, n % 500, math.random(5000, 90000))
  return wrk.format(nil, "/bench/learner", nil, body)
end
"""


def token_script() -> str:
    from datetime import UTC, datetime, timedelta

    from learner_graph import tokens

    now, ttl = datetime.now(UTC), timedelta(hours=2)
    secrets = {"default": APP_SECRET}
    minted = [
        tokens.mint(secrets=secrets, app="default", learner=f"probe-u{i}", now=now, ttl=ttl).token
        for i in range(TOKEN_LEARNERS)
    ]
    return f"""local tokens = {wrk.lua_list(minted)}
{wrk.post_preamble(5)}function request()
  n = n + 1
  local i = math.random(0, {TOKEN_LEARNERS - 1})
  local body = string.format(
    '{{"attempt_id":"probe-t%d-%d","user_id":"probe-u%d","question_id":"q-%d","correct":true,"time_spent_ms":%d}}',
    tid, n, i, n % 500, math.random(5000, 90000))
  local headers = {{["Authorization"] = "Bearer " .. tokens[i + 1], ["Content-Type"] = "application/json"}}
  return wrk.format(nil, "/bench/learner", headers, body)
end
"""


def noop_script() -> str:
    return """wrk.headers["Authorization"] = "Bearer x"
function request() return wrk.format("GET", "/bench/noop") end
"""


def start(code: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "PYTHONPATH": str(code),
        "LG_NEO4J_URI": f"bolt://127.0.0.1:{graph.PORT}",
        "LG_REDIS_URL": REDIS_URL,
        "LG_API_KEYS": API_KEYS,
        "LG_APP_SECRETS": f"default:{APP_SECRET}",
        # Every request is counted, none refused: a 429 costs less than the request it stands for.
        "LG_RATE_LIMIT_PER_S": "100000",
        "LG_RATE_LIMIT_BURST": "200000",
        "LG_LOG_LEVEL": "WARNING",
    }
    out = open(log, "w")  # noqa: SIM115 - the process keeps it
    cmd = [sys.executable, "-m", "benchmarks.http_layer", "serve", "--port", str(port)]
    return subprocess.Popen(cmd, cwd=code, env=env, stdout=out, stderr=out)



def scripts(shapes: list[str]) -> dict[str, tuple[str, str]]:
    """Each shape's path and Lua script."""
    from benchmarks import attempts, recommend

    found: dict[str, tuple[str, str]] = {"noop": ("/bench/noop", noop_script())}
    found["learner"] = ("/bench/learner", learner_script())
    if "token" in shapes:
        found["token"] = ("/bench/learner", token_script())
    if "attempts" in shapes:
        from benchmarks.graph import build_benchmark_curriculum

        questions = [q["id"] for q in build_benchmark_curriculum()["questions"]]
        sample = random.Random(7).sample(questions, min(2000, len(questions)))
        tag = "h9" + time.strftime("%H%M%S")
        found["attempts"] = ("/v1/attempts", attempts.single_attempts_script(sample, tag))
    if "recommend" in shapes:
        built = graph.built() or {}
        found["recommend"] = ("/v1/recommendations", recommend.script(built["units"], int(built["students"])))
    return found


def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    shapes = args.shapes.split(",")
    code = Path(args.code).resolve()
    neo4j_pid = embedded.Instance(port=graph.PORT, data_dir=graph.DATA_DIR.resolve()).pid()
    found = scripts(shapes)
    log = Path(f"/tmp/http-layer-{args.port}-{code.name}-{time.strftime('%H%M%S')}.log")
    process = start(code, args.port, log)
    figures = []
    try:
        wait_ready(args.port, process, timeout_s=300)
        for shape in shapes:
            path, script = found[shape]
            url = f"http://127.0.0.1:{args.port}{path}"
            cpu = {"api_pids": [process.pid], "neo4j_pids": [neo4j_pid] if neo4j_pid else []}
            conns = CONNECTIONS[shape]
            threads = 16 if shape == "attempts" else 2
            wrk.run(url, script, connections=conns, threads=threads, seconds=WARMUP_S, **cpu)
            spy = _profile(args, process.pid, shape)
            figure = wrk.run(url, script, connections=conns, threads=threads, seconds=args.seconds, **cpu)
            if spy is not None:
                spy.wait()
            figure = {"shape": shape, "code": str(code), "at": time.strftime("%H:%M:%S")} | figure
            figure["statuses"] = statuses(args.port, path)
            figures.append(figure)
            print(json.dumps(figure), flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return figures


def statuses(port: int, path: str) -> dict[str, int]:
    """Requests served on `path` so far by status, from the API's /metrics (warm-up included)."""
    import httpx

    found: dict[str, int] = {}
    for line in httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text.splitlines():
        if line.startswith("lg_http_requests_total{") and f'route="{path}"' in line:
            status = line.split('status="', 1)[1].split('"', 1)[0]
            found[status] = found.get(status, 0) + int(float(line.rsplit(" ", 1)[1]))
    return found


def _profile(args: argparse.Namespace, pid: int, shape: str) -> subprocess.Popen[bytes] | None:
    if not args.profile:
        return None
    out = Path(args.profile) / f"{shape}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).parent / "py-spy"
    cmd = [str(spy), "record", "-p", str(pid), "-r", "200", "-d", str(int(args.seconds) - 1), "-f", "raw",
           "-o", str(out), "--nonblocking"]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run() -> dict[str, Any]:
    """`python -m benchmarks http_layer`: every shape on this checkout's code."""
    args = parser().parse_args(["measure"])
    return {"figures": measure(args), "load_average": load()}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.http_layer")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, default=PORT)
    m = sub.add_parser("measure")
    m.add_argument("--code", default=str(Path(__file__).resolve().parent.parent))
    m.add_argument("--shapes", default=",".join(SHAPES))
    m.add_argument("--seconds", type=float, default=15)
    m.add_argument("--port", type=int, default=PORT)
    m.add_argument("--profile", default="")
    return p


if __name__ == "__main__":
    parsed = parser().parse_args()
    if parsed.command == "serve":
        serve(parsed.port)
    else:
        measure(parsed)
