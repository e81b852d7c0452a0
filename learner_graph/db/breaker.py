"""A circuit breaker in front of Neo4j: fail at once while it is down, come back warm when it returns.

Without it every request during an outage waited for the driver's connection timeout and retry
budget (3-8 s each, and /readyz 7-8 s). Once a call fails because the database is unreachable,
the breaker opens: every call fails immediately with `CircuitOpen` (a `ServiceUnavailable`, so
the API answers 503 + Retry-After) until the breaker's own recovery step succeeds, tried every
`probe_every_s` in the background: a cheap query, then the hot queries' plans warmed again.

A Neo4j that is stopping answers nothing for seconds before it refuses anything (its database
waits out a checkpoint while Bolt still takes statements): requests in flight waited up to 3 s
for the first error that opened the breaker. So calls in flight are released with `CircuitOpen` the
moment it opens, and a stall check opens it when a call has waited `stall_s` with no other call
finishing and a cheap probe is refused (an outage error). A probe that only gets no answer within
`probe_timeout_s` does not open it: on a machine at load 15 that opened it falsely, every few seconds.

Recovery is not left to a client request, because a restarted Neo4j has forgotten every query
plan and runs its first statements on a cold JVM: when the first requests after an outage were
the probes, each planned its four statements at once with all the others and they ran past their
5/10 s budgets together (504s, 47 s to the first success at load 15). One warm-up of each hot
statement while clients get quick 503s is cheaper for Neo4j, and the requests after it run on
cached plans. While it plans, a call is let through as soon as the statements it needs are
planned (`before(needs)`): a path whose statements are planned serves while the others' are not
yet (a call that names none waits for all of them).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Coroutine
from typing import Any, TypeVar

from neo4j.exceptions import ClientError, DatabaseUnavailable, ServiceUnavailable, SessionExpired

log = logging.getLogger(__name__)
T = TypeVar("T")
OUTAGE: tuple[type[Exception], ...] = (ServiceUnavailable, SessionExpired, DatabaseUnavailable, OSError)
"""Errors that mean the database cannot be reached or is going away (not a bad query)."""


def database_fault(error: BaseException) -> bool:
    """Whether `error` is the database's (down, going away, or out of time), not one statement's.

    A group commit that fails so would fail alike for each of its requests: retrying them one by
    one (as for a bad request in the group) only multiplies the wait, e.g. 16 × a 10 s timeout."""
    timed_out = isinstance(error, ClientError) and "TransactionTimedOut" in (error.code or "")
    return isinstance(error, OUTAGE) or timed_out


class CircuitOpen(ServiceUnavailable):
    """Refused without trying: Neo4j was unreachable a moment ago."""


class Breaker:
    """Per process, used from one event loop (no locks needed).

    `recover` is the recovery step: it raises while Neo4j is not back, and returns once it is
    ready to serve (warm.py: a probe query, then the hot paths' plans); it is given a callback to
    call with each statement's name as that statement becomes ready (planned again), whose calls
    may then pass. `probe` (optional) is the stall check's cheap statement, on the requests' own
    driver."""

    def __init__(
        self,
        recover: Callable[[Callable[[str], None]], Awaitable[object]],
        *,
        probe: Callable[[], Awaitable[object]] | None = None,
        probe_every_s: float = 0.25,
        stall_s: float = 0.35,
        probe_timeout_s: float = 0.6,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.recover = recover
        self.probe = probe
        self.probe_every_s = probe_every_s
        self.stall_s = stall_s
        self.probe_timeout_s = probe_timeout_s
        self.clock = clock
        self.opened_at: float | None = None
        self.ready: set[str] = set()  # while open: statements planned again since Neo4j answered
        self._task: asyncio.Task[None] | None = None  # kept: a task nobody holds may be collected
        self._opening: asyncio.Future[None] | None = None  # done when it opens: releases calls in flight
        self._in_flight = 0
        self._progress = clock()  # the last time a call finished (or one started with none in flight)
        self._watch: asyncio.Task[None] | None = None

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def before(self, needs: Collection[str] = ()) -> None:
        """Raise CircuitOpen while open, unless the statements a call `needs` (named) are ready
        again: the recovery step has reached Neo4j and planned each of them."""
        if self.opened_at is not None and not (needs and self.ready.issuperset(needs)):
            raise CircuitOpen("neo4j is unavailable (failing fast until it answers again)")

    async def call(self, call: Coroutine[Any, Any, T]) -> T:
        """Await `call`, unless the breaker opens first: then CircuitOpen at once, and `call` is
        cancelled in the background (a driver may take seconds to give a connection up)."""
        if self._opening is None:
            self._opening = asyncio.get_running_loop().create_future()
        opening = self._opening
        task = asyncio.ensure_future(call)
        if self._in_flight == 0:
            self._progress = self.clock()
        self._in_flight += 1
        self._watch_stalls()
        try:
            await asyncio.wait((task, opening), return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            self._in_flight -= 1
        if not task.done():
            task.cancel()
            task.add_done_callback(forget)
            raise CircuitOpen("neo4j became unavailable while this call waited")
        self._progress = self.clock()
        return task.result()

    def failed(self, error: BaseException) -> None:
        """A call failed: open on an outage (or, while recovering, refuse every call again), and
        start recovering in the background."""
        if not isinstance(error, OUTAGE) or isinstance(error, CircuitOpen):
            return
        self.ready.clear()
        if self._opening is not None and not self._opening.done():
            self._opening.set_result(None)
        self._opening = None
        if self.opened_at is None:
            self.opened_at = self.clock()
            log.warning("neo4j unreachable (%s): failing fast until it answers", type(error).__name__)
            self._task = asyncio.get_running_loop().create_task(self._recover())

    def _watch_stalls(self) -> None:
        if self.probe is not None and (self._watch is None or self._watch.done()):
            self._watch = asyncio.get_running_loop().create_task(self._stalls())

    async def _stalls(self) -> None:
        """While calls are in flight: when none has finished for `stall_s`, probe; open the breaker
        if the probe is refused (Neo4j stopping while the calls in flight wait)."""
        assert self.probe is not None
        while self._in_flight and self.opened_at is None:
            await asyncio.sleep(self.stall_s / 4)
            if not self._in_flight or self.clock() - self._progress < self.stall_s:
                continue
            probe = asyncio.ensure_future(self.probe())
            done, _ = await asyncio.wait((probe,), timeout=self.probe_timeout_s)
            self._progress = self.clock()  # the next probe after another `stall_s`
            if probe not in done:  # slow, not refused: a loaded Neo4j (at load 15 this opened it falsely)
                probe.cancel()
                probe.add_done_callback(forget)
            elif isinstance(probe.exception(), OUTAGE):
                self.failed(ServiceUnavailable(f"neo4j refuses new work: {probe.exception()}"))

    async def _recover(self) -> None:
        while True:
            await asyncio.sleep(self.probe_every_s)
            try:
                await self.recover(self.ready.add)
            except Exception as error:  # noqa: BLE001 - still down: try again at the next interval
                log.debug("neo4j still unavailable: %s", error)
                self.ready.clear()
                continue
            assert self.opened_at is not None
            log.warning("neo4j answers again: serving after %.1f s", self.clock() - self.opened_at)
            self.opened_at = None
            self.ready.clear()
            return

    async def close(self) -> None:
        """Stop recovering (the process is shutting down)."""
        for task in (self._task, self._watch):
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)


def forget(task: asyncio.Future[Any]) -> None:
    """A call given up on ends in the background: its outcome is nobody's (and no warning)."""
    if not task.cancelled():
        task.exception()
