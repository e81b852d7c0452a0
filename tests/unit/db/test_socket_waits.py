"""The driver's socket waits run inline (`db/graph.wait_inline`) and keep their time limits."""

from __future__ import annotations

import asyncio
import socket
import sys
import time

import pytest
from neo4j import AsyncGraphDatabase
from neo4j._async_compat.network import _bolt_socket
from neo4j.exceptions import ServiceUnavailable

from learner_graph.config import Settings
from learner_graph.db.graph import open_async_driver, wait_inline


async def _value() -> str:
    await asyncio.sleep(0)
    return "read"


def test_a_wait_that_completes_returns_its_value_in_the_waiting_task() -> None:
    async def where() -> asyncio.Task[object] | None:
        await asyncio.sleep(0)
        return asyncio.current_task()

    async def main() -> tuple[bool, str]:
        return await wait_inline(where(), 30.0) is asyncio.current_task(), await wait_inline(_value(), 30.0)

    assert asyncio.run(main()) == (True, "read")


def test_a_wait_past_its_limit_raises_timeout_and_stops_the_wait() -> None:
    stopped: list[bool] = []

    async def never() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            stopped.append(True)
            raise

    async def main() -> float:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await wait_inline(never(), 0.05)
        return time.monotonic() - started

    assert asyncio.run(main()) < 5 and stopped == [True]


def test_a_cancelled_caller_is_cancelled_not_timed_out() -> None:
    async def main() -> None:
        task = asyncio.ensure_future(wait_inline(asyncio.sleep(30), 30.0))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())


def test_no_limit_and_a_zero_limit_keep_the_drivers_own_behaviour() -> None:
    async def main() -> tuple[str, str]:
        unbounded = await wait_inline(_value(), None)
        done = asyncio.ensure_future(_value())
        await asyncio.sleep(0.01)
        return unbounded, await wait_inline(done, 0)  # already done: its result, no timeout

    assert asyncio.run(main()) == ("read", "read")


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="from 3.12 the driver's own wait runs inline")
def test_opening_the_async_driver_installs_it_on_the_drivers_socket() -> None:
    """A driver upgrade that moves the socket's `wait_for` fails here, not silently."""
    driver = open_async_driver(Settings(neo4j_uri="bolt://127.0.0.1:9"))
    asyncio.run(driver.close())
    assert _bolt_socket.wait_for is wait_inline


def test_a_server_that_accepts_and_never_answers_still_times_out() -> None:
    """A real socket that accepts the connection and never answers Bolt's handshake: the driver's
    read, bounded by the connection timeout, gives up in about that time with the inline wait."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        open_async_driver(Settings(neo4j_uri=f"bolt://127.0.0.1:{port}"))  # installs the wait

        async def main() -> float:
            driver = AsyncGraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=("neo4j", "x"),
                                               connection_timeout=0.5, connection_acquisition_timeout=0.5)
            started = time.monotonic()
            try:
                with pytest.raises(ServiceUnavailable):
                    await driver.verify_connectivity()
            finally:
                await driver.close()
            return time.monotonic() - started

        assert asyncio.run(main()) < 5
