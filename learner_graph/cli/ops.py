"""Operator commands: the embedded Neo4j, the schema, demo keys and serving the API."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from learner_graph.api_keys import Role, generate_demo_keys
from learner_graph.cli.boot import neo4j_instance
from learner_graph.config import PROJECT_ROOT, Settings
from learner_graph.db import embedded
from learner_graph.db.graph import apply_schema, open_driver
from learner_graph.db.queries import Queries
from learner_graph.learners.migration import Moved, migrate_memory
from learner_graph.runtime import Runtime

DEMO_KEYS_FILE = PROJECT_ROOT / ".lg" / "demo-keys.env"
WORKER_HEALTHCHECK_S = 60


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    neo4j = commands.add_parser("neo4j", help="run Neo4j embedded (no Docker needed)")
    neo4j.add_argument(
        "action", choices=["start", "stop", "status", "archive"],
        help="archive: write the launcher's class archive for new data directories (make install)",
    )  # fmt: skip
    neo4j.add_argument("--port", type=int, default=7687)
    neo4j.add_argument("--data", type=Path, help="data directory (default .lg/neo4j-PORT)")
    neo4j.add_argument("--heap", default="2g", help="JVM heap, e.g. 2g")
    neo4j.add_argument("--pagecache", default="512m", help="Neo4j page cache, e.g. 1g")
    neo4j.set_defaults(run=_neo4j)

    schema = commands.add_parser(
        "schema", help="apply cypher/schema.cypher; `migrate` also moves data stored the old way"
    )
    schema.add_argument("action", choices=["apply", "migrate"])
    schema.set_defaults(run=_schema)

    keys = commands.add_parser("keys", help="demo API keys for development")
    keys.add_argument("action", choices=["demo"])
    keys.add_argument("--file", type=Path, default=DEMO_KEYS_FILE)
    keys.set_defaults(run=_keys)

    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="use demo keys when none are set")
    serve.add_argument("--since", type=float, help="Unix time `make run` started: print when the API answers")
    serve.set_defaults(run=_serve)


def _instance(args: argparse.Namespace) -> embedded.Instance:
    return neo4j_instance(args.port, args.data)


def _neo4j(args: argparse.Namespace) -> int:
    instance = _instance(args)
    if args.action == "start":
        was = instance.pid()
        started = time.monotonic()
        pid = embedded.start(instance, heap=args.heap, pagecache=args.pagecache)
        verb = "already running" if was == pid else f"started in {time.monotonic() - started:.1f}s"
        print(f"neo4j {verb}: bolt://127.0.0.1:{args.port} pid {pid} data {instance.data_dir}")
        return 0
    if args.action == "archive":
        started = time.monotonic()
        written = embedded.install_class_archive()
        took = f"written in {time.monotonic() - started:.1f}s" if written else "there already"
        print(f"neo4j class archive {took}: {embedded.INSTALLED_ARCHIVE}")
        return 0
    if args.action == "stop":
        stopped = embedded.stop(instance)
        print("neo4j stopped" if stopped else "neo4j was not running")
        return 0
    running = instance.pid()
    if running is not None and instance.bolt_answers():
        print(f"neo4j running: bolt://127.0.0.1:{args.port} pid {running}")
        return 0
    print(f"neo4j not running on port {args.port}")
    return 3


def _schema(args: argparse.Namespace) -> int:
    settings = Settings()
    queries = Queries.load(settings.cypher_dir)
    with open_driver(settings) as driver:
        applied = apply_schema(driver, queries, settings.neo4j_database)
    print(f"schema applied: {len(applied)} statements")
    if args.action == "migrate":
        moved = asyncio.run(_migrate(settings))
        print(f"review states: {moved.seen} old MEMORY relationships, {moved.moved} moved to Memory nodes")
    return 0


async def _migrate(settings: Settings) -> Moved:
    async with Runtime.open(settings) as runtime:
        return await migrate_memory(db=runtime.admin_graph)


def ensure_demo_keys(path: Path) -> str:
    """The demo key spec stored at `path`, generated on first use."""
    if path.exists():
        spec = path.read_text().strip().removeprefix("LG_API_KEYS=")
        if all(f":{role.value}:" in spec for role in Role):
            return spec  # else a role was added since the file was written: make a new set
    spec = generate_demo_keys()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"LG_API_KEYS={spec}\n")
    path.chmod(0o600)
    return spec


def print_keys(spec: str, *, port: int = 8000) -> None:
    print("\nDemo API keys (development only):")
    for entry in spec.split(","):
        name, role, secret = entry.split(":", 2)
        print(f"  {role:<15} {secret}")
    learner = next(e.split(":", 2)[2] for e in spec.split(",") if ":learner_app:" in e)
    print(
        "\nSet your own with LG_API_KEYS='name:role:secret,...' "
        "(a secret may be given as sha256:<hex>).\n"
        f"First call (what should demo-student practise next in fractions?):\n"
        f"  curl -s -X POST -H 'Authorization: Bearer {learner}' -H 'Content-Type: application/json' \\\n"
        f"    -d '{{\"user_id\": \"demo-student\", \"units\": [\"math.fractions\"], \"n\": 5}}' \\\n"
        f"    http://localhost:{port}/v1/recommendations\n"
    )


def _keys(args: argparse.Namespace) -> int:
    print_keys(ensure_demo_keys(args.file))
    return 0


def _serve(args: argparse.Namespace) -> int:
    if args.demo and os.environ.get("LG_ENV") == "production":
        # Demo keys are generated, stored in a file and printed: never in production.
        print("serve --demo is refused when LG_ENV=production: set LG_API_KEYS", file=sys.stderr)
        return 2
    if args.demo and not os.environ.get("LG_API_KEYS"):
        os.environ["LG_API_KEYS"] = ensure_demo_keys(DEMO_KEYS_FILE)
        print_keys(os.environ["LG_API_KEYS"], port=args.port)
    return serve(host=args.host, port=args.port, since=args.since)


def serve(*, host: str, port: int, since: float | None = None) -> int:
    """Serve the API for the settings in the environment until interrupted."""
    import uvicorn

    from learner_graph.api.app import create_app
    from learner_graph.logs import configure

    settings = Settings()
    if not settings.keys:
        print("no API keys configured: set LG_API_KEYS (or use --demo)", file=sys.stderr)
    configure(settings.log_level)
    if settings.workers > 1:  # processes share nothing but the socket: the API is stateless
        # A worker imports the whole CLI before it answers the supervisor's health check; on a busy
        # machine that took over uvicorn's 5 s default and workers were killed in a loop.
        uvicorn.run("learner_graph.api.app:app_from_env", factory=True, workers=settings.workers,
                    host=host, port=port, log_config=None, access_log=False,
                    timeout_worker_healthcheck=WORKER_HEALTHCHECK_S)
    else:
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host=host, port=port, log_config=None, access_log=False)
        )
        if since is not None:
            threading.Thread(target=_announce, args=(server, since), daemon=True).start()
        try:
            server.run()
        except KeyboardInterrupt:  # Ctrl-C after the shutdown it started: as `uvicorn.run`, no traceback
            pass
    return 0


def _announce(server: Any, since: float) -> None:
    """Print, once uvicorn has started (`server.started`: its lifespan done, the socket bound), how
    long after `since` that was: the figure a user of `make run` waits for."""
    while not server.started and not server.should_exit:
        time.sleep(0.05)
    if server.started:
        ready = time.time() - since
        print(f"API ready in {ready:.1f}s since make run: http://localhost:{server.config.port}", flush=True)
