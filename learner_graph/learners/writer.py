"""Group commit for attempts: concurrent POSTs share one write transaction.

A learner app posts one answer at a time, so under 16 learners the API receives many tiny writes
at once; each used to be its own transaction with its own log flush and lock round. Here, while
one transaction is in flight, the requests that arrive queue up and go together in the next
(as `recommendations/recorder.py` does for served recommendations). Every request still waits
until its own attempts are committed, and keeps its all-or-nothing meaning: when a shared
transaction fails (an unknown question in one request, say), each request is retried alone, so
one bad request fails alone and with its own item indices.
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
from learner_graph.learners.attempts import check_times, rows_of, statuses, store
from learner_graph.learners.models import AttemptIn, AttemptsRecorded

MAX_ATTEMPTS = 1000  # per shared transaction; a bigger request goes alone


@dataclass
class _Request:
    attempts: list[AttemptIn]
    rows: list[dict[str, Any]]
    tenant: tuple[str, bool]  # (app, any_app): only requests of one tenant share a transaction
    done: asyncio.Future[AttemptsRecorded] = field(repr=False)


class AttemptWriter:
    """One per API process (in `app.state`), used from its event loop only."""

    def __init__(
        self,
        scheduler: Scheduler,
        *,
        max_attempts: int = MAX_ATTEMPTS,
        on_commit: Callable[[int], None] | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.max_attempts = max_attempts
        self.on_commit = on_commit  # told how many requests each committed transaction carried
        self._pending: list[_Request] = []
        self._flushing = False

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
        request = _Request(attempts, rows_of(attempts, now), (app, any_app), loop.create_future())
        self._pending.append(request)
        if not self._flushing:
            self._flushing = True
            asyncio.create_task(self._flush(db))
        return await request.done

    async def _flush(self, db: Graph) -> None:
        try:
            while self._pending:
                await self._commit(db, self._take())
        finally:
            self._flushing = False

    def _take(self) -> list[_Request]:
        """The oldest waiting request and those of its tenant after it, in order, up to `max_attempts`
        attempts (a request that does not fit closes the group, so one learner's requests keep order)."""
        tenant = self._pending[0].tenant
        group: list[_Request] = []
        rest: list[_Request] = []
        size, closed = 0, False
        for request in self._pending:
            if closed or request.tenant != tenant:
                rest.append(request)
            elif group and size + len(request.attempts) > self.max_attempts:
                closed = True
                rest.append(request)
            else:
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
                app=app, any_app=any_app,
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
