"""The Python driver's CPU per Bolt round trip, by way of calling it, on the benchmark graph's server.

    LG_BENCH_NEO4J_PORT=7710 LG_BENCH_REDIS_URL=redis://127.0.0.1:6311/9 \
      .venv/bin/python -m benchmarks.recommend_driver [--queries 300] [--rounds 2]

Each way runs the same read `--queries` times one after another (after 30 untimed) and reports
this process's CPU a query (`time.process_time`: waiting on Neo4j does not count, the driver's own
work does) and Neo4j's (its JVM's /proc CPU), in turn, `--rounds` times, so neighbouring figures
share the machine's load. The reads: `rec_content_version` (a bare auto-commit read, one short
record) and `rec_student_state` (the recommendation's student read, one 50-attempt student each).

Ways (every one through one pooled connection, warm):
- `shipped`: `Graph.read_plain` as the API ran it (session, auto-commit RUN + PULL, the class's
  transaction timeout on the `Query`, the driver options of `db/graph.py`), with the driver's own
  socket waits (a task and a timer each);
- `graph`: the same with `db/graph.wait_inline` (what `open_async_driver` installs); the ways
  below run with it too;
- `execute_query`: the driver's managed call (BEGIN, RUN + PULL, COMMIT: three round trips);
- `read_tx`: a session with an explicit managed read transaction (`execute_read`);
- `no_socket_timeouts`: `graph`, with the socket's read and write timeouts cleared on the pooled
  connections (the driver wraps every socket wait in a task and a timer when either is set: the
  server's `connection.recv_timeout_seconds` hint and `connection_write_timeout`);
- `sync_thread`: the sync driver's `session.run` in a worker thread (`asyncio.to_thread`);
- `sync`: the sync driver, called directly (no event loop in the way).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from neo4j import AsyncDriver, Driver, Query, RoutingControl

from benchmarks import graph as bench_graph
from benchmarks.harness import settings_for
from learner_graph.db.graph import (
    _DRIVER_WAIT_FOR,
    Graph,
    _bolt_socket,
    open_async_driver,
    open_driver,
    wait_inline,
)
from learner_graph.db.queries import Queries
from learner_graph.recommendations.states import read_student
from learner_graph.recommendations.student import MAX_ATTEMPTS

WARM_UP = 30



def _clear_socket_timeouts(driver: AsyncDriver) -> int:
    cleared = 0
    for connections in driver._pool.connections.values():  # noqa: SLF001 - a study of the driver's internals
        for connection in connections:
            connection.socket.set_read_timeout(None)
            connection.socket.set_write_timeout(None)
            cleared += 1
    return cleared


async def _timed(call: Callable[[int], Awaitable[Any]], queries: int) -> tuple[float, float]:
    for i in range(WARM_UP):
        await call(i)
    jvm, cpu = bench_graph.neo4j_cpu(), time.process_time()
    for i in range(queries):
        await call(WARM_UP + i)
    return (time.process_time() - cpu) * 1000 / queries, (bench_graph.neo4j_cpu() - jvm) * 1000 / queries


def _ways(db: Graph, sync: Driver, name: str, users: list[str]) -> dict[str, Callable[[int], Awaitable[Any]]]:
    text = db.queries[name]
    database = db.database

    def params(i: int) -> dict[str, Any]:
        if name != "rec_student_state":
            return {}
        return {"user_id": users[i % len(users)], "max_attempts": MAX_ATTEMPTS}

    async def graph(i: int) -> Any:
        return await db.read_plain(name, **params(i))

    async def execute_query(i: int) -> Any:
        return await db.driver.execute_query(
            Query(text, timeout=db.timeouts.read), params(i), database_=database, routing_=RoutingControl.READ
        )

    async def read_tx(i: int) -> Any:
        async def work(tx: Any) -> Any:
            return [dict(r) async for r in await tx.run(text, params(i))]

        async with db.driver.session(database=database, default_access_mode="READ") as session:
            return await session.execute_read(work)

    def sync_once(i: int) -> Any:
        with sync.session(database=database, default_access_mode="READ") as session:
            return [dict(r) for r in session.run(Query(text, timeout=db.timeouts.read), params(i))]

    async def sync_thread(i: int) -> Any:
        return await asyncio.to_thread(sync_once, i)

    async def sync_direct(i: int) -> Any:
        return sync_once(i)

    return {"shipped": graph, "graph": graph, "execute_query": execute_query, "read_tx": read_tx,
            "no_socket_timeouts": graph, "sync_thread": sync_thread, "sync": sync_direct}


async def measure(queries: int, rounds: int, only: list[str] | None) -> list[dict[str, Any]]:
    uri, built = bench_graph.ensure()
    settings = settings_for(uri)
    driver = open_async_driver(settings)
    sync = open_driver(settings)
    db = Graph(driver, Queries.load(settings.cypher_dir), settings.neo4j_database)
    users = [f"sim-7-{i * 19 % 20_000:06d}" for i in range(queries + WARM_UP)]
    figures: list[dict[str, Any]] = []
    try:
        await read_student(db, users[0])  # a pooled connection exists
        for round_ in range(rounds):
            for name in ("rec_content_version", "rec_student_state"):
                for way, call in _ways(db, sync, name, users).items():
                    if only and way not in only:
                        continue
                    # `shipped`: the driver's own socket waits (a task and a timer each); the others
                    # run with `wait_inline`, as `open_async_driver` installs it.
                    _bolt_socket.wait_for = _DRIVER_WAIT_FOR if way == "shipped" else wait_inline
                    if way == "no_socket_timeouts":
                        _clear_socket_timeouts(driver)
                    load = os.getloadavg()[0]
                    api, jvm = await _timed(call, queries)
                    if way == "no_socket_timeouts":  # a fresh driver for the next ways: timeouts as shipped
                        await driver.close()
                        driver = db.driver = open_async_driver(settings)
                    figures.append({"round": round_, "query": name, "way": way, "client_ms": round(api, 3),
                                    "neo4j_ms": round(jvm, 3),
                                    "load": f"{load:.1f}-{os.getloadavg()[0]:.1f}"})
                    print(json.dumps(figures[-1]), flush=True)
    finally:
        await driver.close()
        sync.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=None, help="ways to run (default: all)")
    args = parser.parse_args()
    asyncio.run(measure(args.queries, args.rounds, args.only))


if __name__ == "__main__":
    main()
