"""The circuit breaker: open on an outage, refuse at once, recover in the background, then close."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from neo4j.exceptions import ClientError, ServiceUnavailable, TransientError

from learner_graph.db.breaker import Breaker, CircuitOpen, database_fault
from learner_graph.db.graph import Graph


async def answered(planned: Callable[[str], None]) -> None:
    """A recovery step that finds Neo4j back at once, with nothing to plan."""


def timed_out() -> ClientError:
    error = ClientError("The transaction has not completed within the timeout specified at its start")
    error._neo4j_code = "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"
    return error


def test_an_outage_opens_it_refuses_calls_and_the_recovery_step_closes_it() -> None:
    tries: list[int] = []

    async def recover(planned: Callable[[str], None]) -> None:
        tries.append(len(tries))
        if len(tries) < 3:  # down for two intervals, back on the third
            raise ServiceUnavailable("connection refused")

    async def scenario() -> None:
        breaker = Breaker(recover, probe_every_s=0.01)
        breaker.before()  # closed: calls go through
        breaker.failed(ServiceUnavailable("connection refused"))
        assert breaker.is_open
        with pytest.raises(CircuitOpen):
            breaker.before()
        breaker.failed(ServiceUnavailable("again"))  # already open: no second recovery
        for _ in range(200):
            if not breaker.is_open:
                break
            await asyncio.sleep(0.01)
        assert not breaker.is_open and len(tries) == 3
        breaker.before()
        await breaker.close()

    asyncio.run(scenario())


def test_errors_of_one_query_do_not_open_it() -> None:
    async def scenario() -> None:
        breaker = Breaker(answered, probe_every_s=0.01)
        breaker.failed(timed_out())
        breaker.failed(TransientError("deadlock"))
        breaker.failed(ValueError("a bug"))
        assert not breaker.is_open

    asyncio.run(scenario())


def test_closing_stops_a_recovery_in_progress() -> None:
    async def never(planned: Callable[[str], None]) -> None:
        raise ServiceUnavailable("still down")

    async def scenario() -> None:
        breaker = Breaker(never, probe_every_s=0.01)
        breaker.failed(OSError("reset"))
        await asyncio.sleep(0.05)
        await breaker.close()
        assert breaker.is_open and breaker._task is not None and breaker._task.cancelled()

    asyncio.run(scenario())


def test_database_faults_are_outages_and_timeouts_not_bad_queries() -> None:
    assert database_fault(ServiceUnavailable("down")) and database_fault(CircuitOpen("open"))
    assert database_fault(timed_out()) and database_fault(ConnectionResetError())
    syntax = ClientError("bad query")
    syntax._neo4j_code = "Neo.ClientError.Statement.SyntaxError"
    assert not database_fault(syntax) and not database_fault(ValueError("bad row"))


def test_calls_in_flight_are_refused_the_moment_it_opens() -> None:
    async def scenario() -> None:
        breaker = Breaker(answered, probe_every_s=10)
        hung = asyncio.ensure_future(breaker.call(asyncio.sleep(60)))  # a statement Neo4j never answers
        await asyncio.sleep(0.01)
        breaker.failed(ServiceUnavailable("another call found it gone"))
        with pytest.raises(CircuitOpen):
            await asyncio.wait_for(hung, timeout=5)
        await breaker.close()

    asyncio.run(scenario())


def test_a_stall_with_a_probe_that_is_refused_opens_it() -> None:
    async def scenario() -> None:
        async def refused() -> None:
            raise ServiceUnavailable("the database is shutting down")

        breaker = Breaker(answered, probe=refused, probe_every_s=10, stall_s=0.05, probe_timeout_s=0.05)
        with pytest.raises(CircuitOpen):
            await asyncio.wait_for(breaker.call(asyncio.sleep(60)), timeout=5)
        assert breaker.is_open
        await breaker.close()

    asyncio.run(scenario())


def test_a_probe_that_gets_no_answer_in_time_does_not_open_it() -> None:
    async def scenario() -> None:
        async def slow() -> None:
            await asyncio.sleep(0.1)

        breaker = Breaker(answered, probe=slow, probe_every_s=10, stall_s=0.02, probe_timeout_s=0.02)
        assert await breaker.call(asyncio.sleep(0.3, result="slow but fine")) == "slow but fine"
        assert not breaker.is_open  # a loaded Neo4j is slow, not gone
        await breaker.close()

    asyncio.run(scenario())


def test_a_slow_call_while_the_probe_answers_does_not_open_it() -> None:
    async def scenario() -> None:
        probes: list[int] = []

        async def probe() -> None:
            probes.append(1)

        breaker = Breaker(answered, probe=probe, probe_every_s=10, stall_s=0.02, probe_timeout_s=0.05)
        assert await breaker.call(asyncio.sleep(0.2, result="slow but fine")) == "slow but fine"
        assert not breaker.is_open and probes  # probed while it waited, and found Neo4j answering
        await breaker.close()

    asyncio.run(scenario())


def test_while_it_recovers_a_call_passes_once_the_statements_it_needs_are_planned() -> None:
    async def scenario() -> None:
        proceed = asyncio.Event()

        async def recover(planned: Callable[[str], None]) -> None:
            planned("tenancy")
            planned("rec_write")
            await proceed.wait()  # the attempt path's plan still running
            planned("attempt_write")

        breaker = Breaker(recover, probe_every_s=0.01)
        breaker.failed(ServiceUnavailable("down"))
        while "rec_write" not in breaker.ready:
            await asyncio.sleep(0.01)
        breaker.before(["tenancy", "rec_write"])  # its path is planned: through
        breaker.before(["rec_write"])
        for needs in (["tenancy", "attempt_write"], ["attempt_write"], []):  # not yet, or unnamed
            with pytest.raises(CircuitOpen):
                breaker.before(needs)
        assert breaker.is_open
        proceed.set()
        while breaker.is_open:
            await asyncio.sleep(0.01)
        breaker.before(["attempt_write"])
        breaker.before()
        assert not breaker.ready
        await breaker.close()

    asyncio.run(scenario())


def test_an_outage_while_it_recovers_refuses_the_planned_statements_again() -> None:
    async def scenario() -> None:
        async def recover(planned: Callable[[str], None]) -> None:
            planned("tenancy")
            await asyncio.sleep(60)

        breaker = Breaker(recover, probe_every_s=0.01)
        breaker.failed(ServiceUnavailable("down"))
        while not breaker.ready:
            await asyncio.sleep(0.01)
        breaker.before(["tenancy"])
        breaker.failed(ServiceUnavailable("gone again"))  # a call let through found it down
        with pytest.raises(CircuitOpen):
            breaker.before(["tenancy"])
        await breaker.close()

    asyncio.run(scenario())


def test_a_graph_is_recovering_while_its_breaker_is_open() -> None:
    async def scenario() -> None:
        proceed = asyncio.Event()

        async def recover(planned: Callable[[str], None]) -> None:
            planned("attempts_write")
            await proceed.wait()  # the bigger batch shapes still being planned

        breaker = Breaker(recover, probe_every_s=0.01)
        graph = Graph(driver=None, queries=None, database="neo4j", breaker=breaker)  # type: ignore[arg-type]
        assert not graph.recovering
        breaker.failed(ServiceUnavailable("down"))
        assert graph.recovering
        while "attempts_write" not in breaker.ready:
            await asyncio.sleep(0.01)
        assert graph.recovering  # let through, one request a commit
        proceed.set()
        while breaker.is_open:
            await asyncio.sleep(0.01)
        assert not graph.recovering
        assert not Graph(driver=None, queries=None, database="neo4j").recovering  # type: ignore[arg-type]
        await breaker.close()

    asyncio.run(scenario())
