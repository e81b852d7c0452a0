"""Which waiting requests the group commit puts in its next transaction (no database involved)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from learner_graph.learners.memory import make_scheduler
from learner_graph.learners.models import AttemptIn
from learner_graph.learners.writer import AttemptWriter, _Request

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def request(loop: asyncio.AbstractEventLoop, *users: str, app: str = "default", size: int = 1) -> _Request:
    attempts = [
        AttemptIn(attempt_id=f"{u}-{k}", user_id=u, question_id="q", correct=True)
        for u in users
        for k in range(size)
    ]
    return _Request(attempts, [], (app, False), loop.create_future(), frozenset(users))


def taken(writer: AttemptWriter, pending: list[_Request]) -> tuple[list[int], list[int]]:
    """Positions in `pending` of the group taken, and of what stays waiting."""
    writer._pending = list(pending)
    group = writer._take()
    return [pending.index(r) for r in group], [pending.index(r) for r in writer._pending]


def test_a_learner_being_written_waits_and_so_do_their_later_requests() -> None:
    loop = asyncio.new_event_loop()
    writer = AttemptWriter(make_scheduler())
    writer._writing = {"a"}
    pending = [request(loop, "a"), request(loop, "b"), request(loop, "a", "c"), request(loop, "c")]
    # "c" waits behind its request shared with "a": its second request must not overtake it.
    assert taken(writer, pending) == ([1], [0, 2, 3])
    loop.close()


def test_nothing_in_flight_takes_the_oldest_and_its_tenant_in_order() -> None:
    loop = asyncio.new_event_loop()
    writer = AttemptWriter(make_scheduler())
    pending = [request(loop, "a"), request(loop, "x", app="other"), request(loop, "b"), request(loop, "a")]
    assert taken(writer, pending) == ([0, 2, 3], [1])
    loop.close()


def test_a_request_that_does_not_fit_closes_the_group() -> None:
    loop = asyncio.new_event_loop()
    writer = AttemptWriter(make_scheduler(), max_attempts=10)
    pending = [request(loop, "a", size=6), request(loop, "b", size=6), request(loop, "c", size=1)]
    assert taken(writer, pending) == ([0], [1, 2])
    writer._pending = [request(loop, "d", size=30)]  # alone, however big
    assert len(writer._take()) == 1
    loop.close()


def test_every_waiting_learner_busy_takes_nothing() -> None:
    loop = asyncio.new_event_loop()
    writer = AttemptWriter(make_scheduler())
    writer._writing = {"a", "b"}
    assert taken(writer, [request(loop, "a"), request(loop, "b")]) == ([], [0, 1])
    loop.close()


def test_while_neo4j_recovers_a_group_is_one_request() -> None:
    loop = asyncio.new_event_loop()
    writer = AttemptWriter(make_scheduler())
    writer._writing = {"a"}
    pending = [request(loop, "a"), request(loop, "b"), request(loop, "c", size=3), request(loop, "d")]
    writer._pending = list(pending)
    assert writer._take(alone=True) == [pending[1]]  # the oldest that may go, alone
    assert writer._take(alone=True) == [pending[2]]  # a batch request keeps its own size
    assert writer._pending == [pending[0], pending[3]]
    loop.close()
