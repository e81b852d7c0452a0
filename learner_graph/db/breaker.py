"""A circuit breaker in front of Neo4j: fail at once while it is down, come back warm when it returns.

Without it every request during an outage waited for the driver's connection timeout and retry
budget (3-8 s each, and /readyz 7-8 s). Once a call fails because the database is unreachable,
the breaker opens: every call fails immediately with `CircuitOpen` (a `ServiceUnavailable`, so
the API answers 503 + Retry-After) until the breaker's own recovery step succeeds, tried every
`probe_every_s` in the background: a cheap query, then the hot queries' plans warmed again.

Recovery is not left to a client request, because a restarted Neo4j has forgotten every query
plan and runs its first statements on a cold JVM: when the first requests after an outage were
the probes, each planned its four statements at once with all the others and they ran past their
5/10 s budgets together (504s, 47 s to the first success at load 15). One warm-up of each hot
statement while clients get quick 503s is cheaper for Neo4j, and the requests after it run on
cached plans.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from neo4j.exceptions import ClientError, DatabaseUnavailable, ServiceUnavailable, SessionExpired

log = logging.getLogger(__name__)
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
    ready to serve (warm.py: a probe query, then the hot paths' plans)."""

    def __init__(
        self,
        recover: Callable[[], Awaitable[object]],
        *,
        probe_every_s: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.recover = recover
        self.probe_every_s = probe_every_s
        self.clock = clock
        self.opened_at: float | None = None
        self._task: asyncio.Task[None] | None = None  # kept: a task nobody holds may be collected

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def before(self) -> None:
        """Raise CircuitOpen while open."""
        if self.opened_at is not None:
            raise CircuitOpen("neo4j is unavailable (failing fast until it answers again)")

    def failed(self, error: BaseException) -> None:
        """A call failed: open on an outage, and start recovering in the background."""
        if isinstance(error, OUTAGE) and not isinstance(error, CircuitOpen) and self.opened_at is None:
            self.opened_at = self.clock()
            log.warning("neo4j unreachable (%s): failing fast until it answers", type(error).__name__)
            self._task = asyncio.get_running_loop().create_task(self._recover())

    async def _recover(self) -> None:
        while True:
            await asyncio.sleep(self.probe_every_s)
            try:
                await self.recover()
            except Exception as error:  # noqa: BLE001 - still down: try again at the next interval
                log.debug("neo4j still unavailable: %s", error)
                continue
            assert self.opened_at is not None
            log.warning("neo4j answers again: serving after %.1f s", self.clock() - self.opened_at)
            self.opened_at = None
            return

    async def close(self) -> None:
        """Stop recovering (the process is shutting down)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
