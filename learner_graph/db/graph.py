"""Opening the Neo4j driver and applying the schema: shared by the API, CLI and workers."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Awaitable, Callable, Collection, Coroutine, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, LiteralString, TypeVar

from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    Driver,
    GraphDatabase,
    Query,
    RoutingControl,
    unit_of_work,
)
from neo4j._async_compat.network import _bolt_socket
from neo4j._async_compat.shims import wait_for as _DRIVER_WAIT_FOR  # the driver's own (never replaced)
from neo4j.exceptions import SessionExpired, TransientError

from learner_graph.config import Settings
from learner_graph.db import retries
from learner_graph.db.breaker import Breaker
from learner_graph.db.queries import Queries
from learner_graph.db.versions import CONTENT, Bumped, Versions, learner_key

SCHEMA_FILE = "schema.cypher"
CLI_RETRY_S = 30.0
T = TypeVar("T")
_OBJECT_NAME = re.compile(r"^CREATE\s+(?:\w+\s+)?(?:CONSTRAINT|INDEX)\s+(\w+)", re.IGNORECASE)


def _driver_options(settings: Settings, retry_s: float) -> dict[str, object]:
    return {
        "auth": (settings.neo4j_user, settings.neo4j_password),
        "connection_timeout": settings.neo4j_timeout_s,
        "max_transaction_retry_time": retry_s,
        "connection_acquisition_timeout": settings.neo4j_timeout_s * 2,
        "max_connection_pool_size": 64,
        # Schema-less hints ("label does not exist yet") are noise on a fresh database.
        "notifications_min_severity": "OFF",
    }


async def wait_inline(awaitable: Awaitable[T], timeout: float | None) -> T:
    """The driver's socket wait, bounded by `timeout` as before, in the task that waits.

    Every Bolt socket read and write of the async driver runs through its `wait_for`, bounded by
    the server's `connection.recv_timeout_seconds` hint (120 s) and `connection_write_timeout`
    (30 s). Before Python 3.12 the driver ships a copy of 3.10's `asyncio.wait_for`, which wraps
    each wait in a new task and a timer: 14 waits and 7 tasks a query, 22 event-loop turns instead
    of ~2, ~0.2 ms of the ~1.0 ms a bare read cost the client at load 8 (`benchmarks.recommend_driver`,
    docs/BENCHMARKS.md "#15 part B, round 9"). This is 3.12's `asyncio.wait_for` (what the driver
    uses from 3.12 on): `asyncio.timeout` around the wait, no task. A wait without a limit, or with
    one of 0 or less, keeps the driver's own path."""
    if timeout is None or timeout <= 0:
        return await _DRIVER_WAIT_FOR(awaitable, timeout)
    async with asyncio.timeout(timeout):
        return await awaitable


def _socket_waits_inline() -> None:
    if sys.version_info < (3, 12):
        _bolt_socket.wait_for = wait_inline


def open_async_driver(settings: Settings, *, retry_s: float | None = None) -> AsyncDriver:
    """The one async driver of a process. The API's fails fast when the database is down (requests
    answer 503 rather than wait); CLI commands pass `retry_s=CLI_RETRY_S` to ride out a restart.
    Its socket waits run in the waiting task (`wait_inline`)."""
    _socket_waits_inline()
    options = _driver_options(settings, retry_s=retry_s or settings.neo4j_timeout_s)
    return AsyncGraphDatabase.driver(settings.neo4j_uri, **options)  # type: ignore[arg-type]


def open_driver(settings: Settings) -> Driver:
    """The one sync driver of a CLI command or worker."""
    # A CLI command or worker rides out a short hiccup instead (a restart, a leader change).
    options = _driver_options(settings, retry_s=max(settings.neo4j_timeout_s, CLI_RETRY_S))
    return GraphDatabase.driver(settings.neo4j_uri, **options)  # type: ignore[arg-type]


def schema_object_names(queries: Queries) -> list[str]:
    """Names of the constraints and indexes `schema.cypher` creates."""
    names = []
    for query in queries.from_file(SCHEMA_FILE):
        match = _OBJECT_NAME.match(query.text)
        if match:
            names.append(match.group(1))
    return names


def apply_schema(driver: Driver, queries: Queries, database: str) -> list[str]:
    """Apply every statement of `schema.cypher` (all `IF NOT EXISTS`, so harmless twice)."""
    applied = []
    for query in queries.from_file(SCHEMA_FILE):
        driver.execute_query(query.text, database_=database)
        applied.append(query.name)
    driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    return applied


async def apply_schema_async(driver: AsyncDriver, queries: Queries, database: str) -> None:
    """`apply_schema` for the API's start-up."""
    for query in queries.from_file(SCHEMA_FILE):
        await driver.execute_query(query.text, database_=database)
    await driver.execute_query("CALL db.awaitIndexes(300)", database_=database)


async def missing_schema_objects(driver: AsyncDriver, queries: Queries, database: str) -> list[str]:
    """Schema objects named in `schema.cypher` that the database does not have."""
    records, _, _ = await driver.execute_query(
        queries["schema_constraint_names"], database_=database, routing_=RoutingControl.READ
    )
    present = set(records[0]["names"]) if records else set()
    return [name for name in schema_object_names(queries) if name not in present]


@dataclass(frozen=True)
class Timeouts:
    """Transaction timeouts in seconds by class of work (None: the server's own limit)."""

    read: float | None = None
    write: float | None = None


@dataclass
class Graph:
    """What service functions get to talk to Neo4j: the driver, the named queries, the database,
    the transaction timeouts of this class of work, and (in the API) the circuit breaker."""

    driver: AsyncDriver
    queries: Queries
    database: str
    timeouts: Timeouts = field(default_factory=Timeouts)
    breaker: Breaker | None = None
    on_retry: Callable[[str], None] | None = None  # told the reason of each transient failure retried
    versions: Versions | None = None  # version tokens other processes' caches check (None: no caches)

    @property
    def recovering(self) -> bool:
        """Neo4j is down, or back while the breaker's recovery step still plans the hot writes'
        bigger batch shapes: group commits then carry one request, the shape planned first
        (`warm.reconnect`), so no served request waits for a plan."""
        return self.breaker is not None and self.breaker.is_open

    def with_timeouts(self, timeouts: Timeouts) -> Graph:
        """The same graph for another class of work (e.g. a content import inside the API)."""
        return replace(self, timeouts=timeouts)

    async def changed(
        self, *, learners: Iterable[str] = (), content: bool = False
    ) -> dict[str, Bumped] | None:
        """After a commit, before answering: caches holding these learners' state (or the content)
        read before it must not serve it again, in any process (`db/versions.py`). Returns the
        tokens before and after, by key (None: no tokens)."""
        if self.versions is None:
            return None
        return await self.versions.bump([*map(learner_key, learners), *([CONTENT] if content else [])])

    def _query(self, name: str, routing: RoutingControl) -> Query:
        timeout = self.timeouts.read if routing == RoutingControl.READ else self.timeouts.write
        return Query(self.queries[name], timeout=timeout)

    async def _guarded(self, call: Coroutine[Any, Any, T], needs: Collection[str] = ()) -> T:
        """Run a database call through the breaker: refused at once while Neo4j is known down, or
        while it recovers until the statements the call `needs` are planned again."""
        if self.breaker is None:
            return await call
        try:
            self.breaker.before(needs)
        except BaseException:
            call.close()  # never awaited: closed, so no "never awaited" warning
            raise
        try:
            return await self.breaker.call(call)
        except BaseException as error:
            self.breaker.failed(error)
            raise

    async def read(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run the named read query (routed to readers) and return its records as dicts."""
        records, _, _ = await self._guarded(
            self.driver.execute_query(
                self._query(name, RoutingControl.READ),
                params,
                database_=self.database,
                routing_=RoutingControl.READ,
            ),
            needs=(name,),
        )
        return [record.data() for record in records]

    async def probe(self, name: str) -> None:
        """Run the named read once, in one auto-commit round trip, and never retry it (the breaker's
        recovery step tries again every 0.25 s itself). Through `read`, the driver's retries with
        backoff (1, 2, 4, 8 s) outlived the outage: a probe sent while Neo4j was starting answered
        16 s later, 6 s after Neo4j was back. Not guarded."""
        async with self.driver.session(database=self.database, default_access_mode="READ") as session:
            await (await session.run(self._query(name, RoutingControl.READ))).consume()

    async def read_plain(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """`read` for the hot path: one auto-commit round trip (a managed transaction adds a second
        for its commit), records not walked value by value (only plain values, lists and maps
        may be returned). A transient failure is retried once as a managed read."""
        return await self._auto_commit(name, params, RoutingControl.READ)

    async def write_plain(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """`write` for the hot path, as `read_plain`: one statement, committed when it completes
        (as durable as a managed transaction, one round trip fewer). Retried once if transient."""
        return await self._auto_commit(name, params, RoutingControl.WRITE)

    async def _auto_commit(
        self, name: str, params: dict[str, Any], routing: RoutingControl
    ) -> list[dict[str, Any]]:
        return await self._guarded(self._auto_commit_once(name, params, routing), needs=(name,))

    async def _auto_commit_once(
        self, name: str, params: dict[str, Any], routing: RoutingControl
    ) -> list[dict[str, Any]]:
        mode = "READ" if routing == RoutingControl.READ else "WRITE"
        query = self._query(name, routing)
        try:
            async with self.driver.session(database=self.database, default_access_mode=mode) as session:
                result = await session.run(query, params)
                return [dict(record) async for record in result]
        except (TransientError, SessionExpired) as error:
            if self.on_retry is not None:
                self.on_retry(retries.reason(error))
            records, _, _ = await self.driver.execute_query(
                query, params, database_=self.database, routing_=routing
            )
            return [dict(record) for record in records]

    async def write(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run the named write query in its own transaction and return its records as dicts."""
        records, _, _ = await self._guarded(
            self.driver.execute_query(
                self._query(name, RoutingControl.WRITE),
                params,
                database_=self.database,
                routing_=RoutingControl.WRITE,
            ),
            needs=(name,),
        )
        return [record.data() for record in records]

    async def rehearse(self, name: str, **params: Any) -> None:
        """Run the named write in a transaction that is rolled back: Neo4j plans it and caches the
        plan for these parameters' types (real-shaped rows, not empty lists: a plan is cached per
        parameter types), and nothing is stored. Not guarded: the breaker's recovery step uses it."""
        async with self.driver.session(database=self.database, default_access_mode="WRITE") as session:
            transaction = await session.begin_transaction(timeout=self.timeouts.write)
            try:
                await (await transaction.run(self.queries[name], params)).consume()
            finally:
                await transaction.close()  # never committed: rolled back

    async def in_write_transaction(
        self, work: Callable[[AsyncManagedTransaction], Awaitable[T]], *, uses: Collection[str] = ()
    ) -> T:
        """Run `work` in one managed write transaction (retried by the driver when transient).
        `uses`: the named statements `work` runs; while Neo4j recovers from an outage it is let
        through once they are planned again (without them, once every hot path is)."""
        return await self._guarded(self._in_transaction(work, "WRITE", self.timeouts.write), needs=uses)

    async def in_read_transaction(
        self, work: Callable[[AsyncManagedTransaction], Awaitable[T]], *, uses: Collection[str] = ()
    ) -> T:
        """Run `work` in one managed read transaction (`uses`: as for `in_write_transaction`)."""
        return await self._guarded(self._in_transaction(work, "READ", self.timeouts.read), needs=uses)

    async def _in_transaction(
        self, work: Callable[[AsyncManagedTransaction], Awaitable[T]], mode: str, timeout: float | None
    ) -> T:
        bounded = unit_of_work(timeout=timeout)(work)
        async with self.driver.session(database=self.database, default_access_mode=mode) as session:
            if mode == "READ":
                return await session.execute_read(bounded)
            return await session.execute_write(bounded)


async def fetch_all(tx: AsyncManagedTransaction, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
    """Run a query inside a transaction and return every record as a dict."""
    result = await tx.run(query, params)
    return [record.data() async for record in result]


class Unlogged(list[Any]):
    """A list parameter whose `repr` is only its length (the write paths' rows and states).

    The driver formats every RUN's parameters for its debug log line (`" ".join(map(repr, fields))`)
    before the logger decides whether debug is on: a group's rows and review states were repr'd on
    every commit, and a batch's thousands of rows as well. It packs as the list it is."""

    def __repr__(self) -> str:
        return f"<{len(self)} items>"


async def fetch_plain(
    tx: AsyncManagedTransaction, query: LiteralString, **params: Any
) -> list[dict[str, Any]]:
    """`fetch_all` for the write path's queries, which return only plain values, lists and maps:
    records are not walked value by value (`record.data()` was a sixth of a batch's Python time)."""
    result = await tx.run(query, params)
    return [dict(record) async for record in result]
