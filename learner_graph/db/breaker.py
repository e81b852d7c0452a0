"""A circuit breaker in front of Neo4j: fail at once while it is down, find out fast when it is back.

Without it every request during an outage waited for the driver's connection timeout and retry
budget (3-8 s each, and /readyz 7-8 s). Once a call fails because the database is unreachable,
the breaker opens: calls fail immediately with `CircuitOpen` (a `ServiceUnavailable`, so the API
answers 503 + Retry-After), except one probe call every `probe_every_s`, which closes the breaker
when it succeeds. Under traffic the first success after Neo4j returns is at most one probe
interval (plus the probe itself) away.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from neo4j.exceptions import DatabaseUnavailable, ServiceUnavailable, SessionExpired

OUTAGE: tuple[type[Exception], ...] = (ServiceUnavailable, SessionExpired, DatabaseUnavailable, OSError)
"""Errors that mean the database cannot be reached or is going away (not a bad query)."""


class CircuitOpen(ServiceUnavailable):
    """Refused without trying: Neo4j was unreachable a moment ago."""


class Breaker:
    """Per process, used from one event loop (no locks needed)."""

    def __init__(self, *, probe_every_s: float = 0.25, clock: Callable[[], float] = time.monotonic) -> None:
        self.probe_every_s = probe_every_s
        self.clock = clock
        self.opened_at: float | None = None
        self._last_probe = 0.0

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def before(self) -> None:
        """Raise CircuitOpen unless closed or this call may be the probe."""
        if self.opened_at is None:
            return
        now = self.clock()
        if now - self._last_probe >= self.probe_every_s:
            self._last_probe = now  # this call is the probe; the others keep failing fast
            return
        raise CircuitOpen("neo4j is unavailable (failing fast until a probe succeeds)")

    def failed(self, error: BaseException) -> None:
        if isinstance(error, OUTAGE) and not isinstance(error, CircuitOpen) and self.opened_at is None:
            self.opened_at = self.clock()
            self._last_probe = self.opened_at

    def succeeded(self) -> None:
        self.opened_at = None
