"""Group commit for attempts: concurrent POSTs share one write transaction.

A learner app posts one answer at a time, so under 16 learners the API receives many tiny writes
at once; each used to be its own transaction with its own log flush and lock round. Here the
requests that arrive while transactions are in flight queue up and go together in the next
(as `recommendations/recorder.py` does for served recommendations). Up to `in_flight`
transactions run at once (`LG_ATTEMPT_TRANSACTIONS`), so with two a request that arrives just
after one started need not wait for it to end. A learner is in one transaction at a time: a
request whose learners are being written waits for that transaction, and so does every later
request of theirs, so each learner's attempts are applied in the order they came. One is the
default: on two busy cores a second transaction halved the groups (8 requests a commit to 4.6)
and cost more CPU per request than the waiting it saved (docs/BENCHMARKS.md, "Attempt ingestion").

Every request still waits until its own attempts are committed, and keeps its all-or-nothing
meaning: when a shared transaction fails (an unknown question in one request, say), each request
is retried alone, so one bad request fails alone and with its own item indices.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fsrs import Scheduler

from learner_graph.api_keys import DEFAULT_APP
from learner_graph.db.breaker import database_fault
from learner_graph.db.graph import Graph
from learner_graph.learners.attempts import StateKeeper, check_times, rows_of, statuses, store
from learner_graph.learners.models import AttemptIn, AttemptsRecorded

MAX_ATTEMPTS = 1000  # per shared transaction; a bigger request goes alone
IN_FLIGHT = 1  # transactions at once: a second cost more CPU per request (smaller groups) on two cores


@dataclass
class _Request:
    attempts: list[AttemptIn]
    rows: list[dict[str, Any]]
    tenant: tuple[str, bool]  # (app, any_app): only requests of one tenant share a transaction
    done: asyncio.Future[AttemptsRecorded] = field(repr=False)
    users: frozenset[str] = frozenset()


class AttemptWriter:
    """One per API process (in `app.state`), used from its event loop only."""

    def __init__(
        self,
        scheduler: Scheduler,
        *,
        max_attempts: int = MAX_ATTEMPTS,
        in_flight: int = IN_FLIGHT,
        on_commit: Callable[[int], None] | None = None,
        states: StateKeeper | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.states = states  # the process's learner-state cache, told what each commit stored
        self.max_attempts = max_attempts
        self.on_commit = on_commit  # told how many requests each committed transaction carried
        self.in_flight = in_flight
        self._pending: list[_Request] = []
        self._writing: set[str] = set()  # the users of the transactions in flight
        self._running = 0
        self._tasks: set[asyncio.Task[None]] = set()  # referenced until done (the loop keeps weak ones)

    async def record(
        self,
        db: Graph,
        attempts: list[AttemptIn],
        now: datetime,
        *,
        app: str = DEFAULT_APP,
        any_app: bool = False,
    ) -> AttemptsRecorded:
        """`record_attempts`, sharing a transaction with whatever else of the same app is waiting."""
        check_times(attempts, now)
        loop = asyncio.get_running_loop()
        users = frozenset(a.user_id for a in attempts)
        request = _Request(attempts, rows_of(attempts, now), (app, any_app), loop.create_future(), users)
        self._pending.append(request)
        self._start(db)
        return await request.done

    def _start(self, db: Graph) -> None:
        """Start transactions for what is waiting, while fewer than `in_flight` run."""
        while self._running < self.in_flight:
            group = self._take(alone=db.recovering)
            if not group:
                return
            self._running += 1
            users = frozenset().union(*(request.users for request in group))
            self._writing |= users
            task = asyncio.create_task(self._run(db, group, users))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, db: Graph, group: list[_Request], users: frozenset[str]) -> None:
        try:
            await self._commit(db, group)
        finally:
            self._writing -= users
            self._running -= 1
            self._start(db)

    def _take(self, *, alone: bool = False) -> list[_Request]:
        """The oldest request that may go now and those of its tenant after it, in order, up to
        `max_attempts` attempts. A request whose learners are being written waits, and holds back
        every later request sharing a learner with it (each learner's requests keep their order);
        a request that does not fit closes the group. `alone`: that request only (while Neo4j
        recovers, a bigger group's statement shape may not be planned yet)."""
        group: list[_Request] = []
        rest: list[_Request] = []
        held = set(self._writing)
        tenant: tuple[str, bool] | None = None
        size, closed = 0, False
        for request in self._pending:
            if closed or not held.isdisjoint(request.users) or tenant not in (None, request.tenant):
                held |= request.users
                rest.append(request)
            elif group and (alone or size + len(request.attempts) > self.max_attempts):
                closed = True
                held |= request.users
                rest.append(request)
            else:
                tenant = request.tenant
                group.append(request)
                size += len(request.attempts)
        self._pending = rest
        return group

    async def _commit(self, db: Graph, group: list[_Request]) -> None:
        attempts = [a for request in group for a in request.attempts]
        rows = _renumbered([request.rows for request in group])
        try:
            app, any_app = group[0].tenant
            merged = await store(
                db=db, attempts=attempts, rows=rows, now=datetime.now(UTC), scheduler=self.scheduler,
                app=app, any_app=any_app, states=self.states,
            )
        except Exception as error:  # noqa: BLE001 - retried request by request, or handed back
            if len(group) == 1 or database_fault(error):
                for request in group:
                    _settle(request.done, error=error)
                return
            for request in group:
                await self._commit(db, [request])
            return
        if self.on_commit is not None:
            self.on_commit(len(group))
        # The first request of an attempt id created it; a later one in the group is a replay.
        seen: set[str] = set()
        for request in group:
            _settle(request.done, result=statuses(request.attempts, _as_seen(merged, request, seen)))


def _renumbered(parts: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The requests' rows as one list: an attempt id once, `index` its position in that list."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for part in parts:
        for row in part:
            if row["attempt_id"] not in seen:
                seen.add(row["attempt_id"])
                rows.append(row | {"index": len(rows)})
    return rows


def _as_seen(
    merged: dict[str, dict[str, Any]], request: _Request, seen: set[str]
) -> dict[str, dict[str, Any]]:
    """What `request` should be told: an id an earlier request of the group created is a duplicate."""
    view = {}
    for a in request.attempts:
        if a.attempt_id in view:
            continue
        stored = merged[a.attempt_id]
        view[a.attempt_id] = stored | {"created": False} if a.attempt_id in seen else stored
    seen.update(view)
    return view


def _settle(
    done: asyncio.Future[AttemptsRecorded],
    *,
    result: AttemptsRecorded | None = None,
    error: Exception | None = None,
) -> None:
    if done.done():  # the request was cancelled (client gone): nothing to tell it
        return
    if error is not None:
        done.set_exception(error)
    else:
        assert result is not None
        done.set_result(result)
