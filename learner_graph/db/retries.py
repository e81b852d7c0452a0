"""The driver's transaction retries, counted instead of printed.

The Neo4j driver retries a managed transaction that failed with a transient error (a deadlock,
a lock timeout, an outdated routing table) and logs a multi-line warning with the server's lock
wait list each time. These are expected under concurrent writes: what an operator needs is how
often they happen, by reason (`lg_store_retries_total{reason}`), not the text in the console.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

DRIVER_LOGGER = "neo4j.session"  # where the async and sync sessions log their retries
_RETRY_MESSAGES = ("Transaction failed and will be retried", "Auto-commit transaction failed")


def reason(error: object) -> str:
    """A short label for a retried error: the last part of its Neo4j code, else its class name.

    `Neo.TransientError.Transaction.DeadlockDetected` -> `DeadlockDetected`.
    """
    code = getattr(error, "code", None)
    if isinstance(code, str) and code:
        return code.rsplit(".", 1)[-1]
    return type(error).__name__


class RetryFilter(logging.Filter):
    """Drops the driver's retry warnings and tells every listener the reason of each.

    One filter on the driver's logger serves every listener of the process (the API's metrics,
    a CLI command's tally, a test's): logging stops at the first filter that drops a record, so
    one filter per listener would let only the first one count.
    """

    def __init__(self) -> None:
        super().__init__()
        self.listeners: list[Callable[[str], None]] = []

    def filter(self, record: logging.LogRecord) -> bool:
        is_retry = isinstance(record.msg, str) and record.msg.startswith(_RETRY_MESSAGES)
        if not is_retry or not self.listeners:
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        why = reason(args[-1]) if args else "unknown"
        for listener in list(self.listeners):
            listener(why)
        return False


def _installed() -> RetryFilter:
    logger = logging.getLogger(DRIVER_LOGGER)
    for existing in logger.filters:
        if isinstance(existing, RetryFilter):
            return existing
    retry_filter = RetryFilter()
    logger.addFilter(retry_filter)
    return retry_filter


@contextmanager
def counted(on_retry: Callable[[str], None]) -> Iterator[None]:
    """While inside, every driver retry in this process calls `on_retry(reason)` and is not logged."""
    retry_filter = _installed()
    retry_filter.listeners.append(on_retry)
    try:
        yield
    finally:
        retry_filter.listeners.remove(on_retry)


class Tally:
    """Retry counts by reason, for a CLI command or a benchmark (the API uses its metrics)."""

    def __init__(self) -> None:
        self.by_reason: dict[str, int] = {}

    def __call__(self, why: str) -> None:
        self.by_reason[why] = self.by_reason.get(why, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())
