"""The driver's retry warnings become counts by reason and leave the console."""

from __future__ import annotations

import logging

import pytest
from neo4j.exceptions import ServiceUnavailable, TransientError

from learner_graph.db import retries


def deadlock() -> TransientError:
    error = TransientError("ForsetiClient[...] can't acquire ExclusiveLock ...\n Wait list: ...")
    error._neo4j_code = "Neo.TransientError.Transaction.DeadlockDetected"  # as the driver hydrates it
    return error


def test_reason_is_the_last_part_of_the_code_or_the_class() -> None:
    assert retries.reason(deadlock()) == "DeadlockDetected"
    assert retries.reason(ServiceUnavailable("gone")) == "ServiceUnavailable"


def test_retry_warnings_are_counted_and_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    tally = retries.Tally()
    logger = logging.getLogger(retries.DRIVER_LOGGER)
    with caplog.at_level(logging.WARNING, logger=retries.DRIVER_LOGGER), retries.counted(tally):
        logger.warning("Transaction failed and will be retried in %ss (%s)", 0.9, deadlock())
        logger.warning("Auto-commit transaction failed and will be retried (%s)", ServiceUnavailable("x"))
        logger.warning("something else the driver says")
    assert tally.by_reason == {"DeadlockDetected": 1, "ServiceUnavailable": 1}
    assert [r.getMessage() for r in caplog.records] == ["something else the driver says"]
    logger.warning("Transaction failed and will be retried in %ss (%s)", 0.9, deadlock())
    assert tally.total == 2  # outside the block nothing is counted any more


def test_every_listener_counts_and_each_stops_alone() -> None:
    first, second = retries.Tally(), retries.Tally()
    logger = logging.getLogger(retries.DRIVER_LOGGER)
    with retries.counted(first):
        with retries.counted(second):
            logger.warning("Transaction failed and will be retried in %ss (%s)", 0.9, deadlock())
        logger.warning("Transaction failed and will be retried in %ss (%s)", 0.9, deadlock())
    assert (first.total, second.total) == (2, 1)
