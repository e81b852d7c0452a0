"""Group commit for served recommendations: concurrent requests share one write transaction.

Every request still waits until its own recommendation is committed (nothing is returned that
is not stored), but while commits are in flight the requests that arrive queue up and go
together in the next: under 32 concurrent clients a commit carries many recommendations instead
of one, and Neo4j does one log flush for all of them. Alone, a request commits at once.

Up to `in_flight` commits run at once (two by default): with one, a request that arrived just
after a commit started waited for that commit and then for its own, which made the paced tail.
A learner's rows are in one commit in flight at a time, in the order they came (the day's goal
a row stores must not be overtaken by an older one), and each batch locks its learners in one
order, so two commits do not deadlock on them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from neo4j.exceptions import ServiceUnavailable

from learner_graph.db.breaker import database_fault
from learner_graph.db.graph import Graph, Unlogged

MAX_BATCH = 128
IN_FLIGHT = 2  # commits at once
MAX_PENDING = 2048  # while Neo4j is slow or down, refuse new rows rather than queue without end
WAIT_S = 15.0  # a request waits this long for its commit, then is answered 503


class RecorderBusy(ServiceUnavailable):
    """The queue is full or the commit did not finish in time: answered 503, the client retries."""


class Recorder:
    """One per process (in the `Runtime`), used from its event loop only."""

    def __init__(
        self,
        *,
        max_batch: int = MAX_BATCH,
        max_pending: int = MAX_PENDING,
        wait_s: float = WAIT_S,
        in_flight: int = IN_FLIGHT,
        on_commit: Callable[[int], None] | None = None,
    ) -> None:
        self.max_batch = max_batch
        self.max_pending = max_pending
        self.wait_s = wait_s
        self.in_flight = in_flight
        self.on_commit = on_commit  # told each committed batch's size (the metrics histogram)
        self._pending: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._tasks: set[asyncio.Task[None]] = set()  # kept: a task nobody references may be collected
        self._busy: set[str] = set()  # learners with a row in a commit in flight
        self.commits = 0  # transactions committed (for the benchmark's batch-size figure)
        self.written = 0

    async def write(self, db: Graph, row: dict[str, Any]) -> None:
        """Store `row` (a `rec_record_batch` row); returns once it is committed, raises if it was not.

        Raises RecorderBusy when `max_pending` rows already wait or the commit takes over `wait_s`
        (the row may still be stored later: the write is idempotent by recommendation id)."""
        if len(self._pending) >= self.max_pending:
            raise RecorderBusy("too many recommendations waiting to be stored; retry shortly")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((row, done))
        if len(self._tasks) < self.in_flight:
            task = asyncio.create_task(self._flush(db))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        try:
            await asyncio.wait_for(asyncio.shield(done), timeout=self.wait_s)
        except TimeoutError as error:
            raise RecorderBusy("storing the recommendation took too long; retry shortly") from error

    async def close(self) -> None:
        """Wait for the rows already queued (at shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _flush(self, db: Graph) -> None:
        while batch := self._take(1 if db.recovering else self.max_batch):
            users = {row["user_id"] for row, _ in batch}
            self._busy |= users
            try:
                await self._commit(db, batch)
            finally:
                self._busy -= users

    def _take(self, limit: int) -> list[tuple[dict[str, Any], asyncio.Future[None]]]:
        """The next batch: the oldest rows, up to `limit`, of learners not in a commit in flight
        (a learner's rows stay in order: none goes before one of theirs left waiting). One row
        while Neo4j recovers (`Graph.recovering`: a bigger batch's shape may not be planned yet)."""
        batch: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        rest: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        held = set(self._busy)
        for item in self._pending:
            user = item[0]["user_id"]
            if len(batch) < limit and user not in held:
                batch.append(item)
            else:
                rest.append(item)
                held.add(user)
        self._pending = rest
        return batch

    async def _commit(self, db: Graph, batch: list[tuple[dict[str, Any], asyncio.Future[None]]]) -> None:
        """One transaction for the batch; when it fails, each row alone, so one bad row fails alone."""
        rows = sorted((row for row, _ in batch), key=lambda r: r["user_id"])  # one lock order
        try:
            await db.write_plain("rec_record_batch", rows=Unlogged(rows))
        except Exception as error:  # noqa: BLE001 - retried row by row, or handed to the request
            if len(batch) == 1 or database_fault(error):
                for _, done in batch:
                    _settle(done, error)
                return
            for item in batch:
                await self._commit(db, [item])
            return
        self.commits += 1
        self.written += len(batch)
        if self.on_commit is not None:
            self.on_commit(len(batch))
        for _, done in batch:
            _settle(done, None)


def _settle(done: asyncio.Future[None], error: Exception | None) -> None:
    if done.done():  # the request was cancelled (client gone): nothing to tell it
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
