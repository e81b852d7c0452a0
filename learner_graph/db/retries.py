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
    """Drops the driver's retry warnings and tells `on_retry` the reason of each."""

    def __init__(self, on_retry: Callable[[str], None]) -> None:
        super().__init__()
        self.on_retry = on_retry

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str) or not record.msg.startswith(_RETRY_MESSAGES):
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        self.on_retry(reason(args[-1]) if args else "unknown")
        return False


@contextmanager
def counted(on_retry: Callable[[str], None]) -> Iterator[RetryFilter]:
    """While inside, every driver retry in this process calls `on_retry(reason)` and is not logged."""
    retry_filter = RetryFilter(on_retry)
    logger = logging.getLogger(DRIVER_LOGGER)
    logger.addFilter(retry_filter)
    try:
        yield retry_filter
    finally:
        logger.removeFilter(retry_filter)


class Tally:
    """Retry counts by reason, for a CLI command or a benchmark (the API uses its metrics)."""

    def __init__(self) -> None:
        self.by_reason: dict[str, int] = {}

    def __call__(self, why: str) -> None:
        self.by_reason[why] = self.by_reason.get(why, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())
