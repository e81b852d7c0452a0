"""`learner-graph demo`: what `make run` does once the servers are up."""

from __future__ import annotations

import argparse
import os
import time

from learner_graph.cli import ops
from learner_graph.config import Settings
from learner_graph.db.graph import apply_schema, open_driver
from learner_graph.db.queries import Queries


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser("demo", help="apply the schema, load the demo data, serve the API")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(run=_demo)


def _demo(args: argparse.Namespace) -> int:
    settings = Settings()
    queries = Queries.load(settings.cypher_dir)
    started = time.monotonic()
    with open_driver(settings) as driver:
        applied = apply_schema(driver, queries, settings.neo4j_database)
        print(f"schema applied ({len(applied)} statements)")
    print(f"demo ready in {time.monotonic() - started:.1f}s")
    if not os.environ.get("LG_API_KEYS"):
        os.environ["LG_API_KEYS"] = ops.ensure_demo_keys(ops.DEMO_KEYS_FILE)
    ops.print_keys(os.environ["LG_API_KEYS"], port=args.port)
    print(f"Serving http://localhost:{args.port} (OpenAPI docs at /docs). Ctrl-C stops the API.")
    return ops.serve(host=args.host, port=args.port)
