"""Recovery after a real Neo4j restart: each hot path is served as soon as its own statements are
planned again, not when every path is.

The test's own Neo4j (on a port the kernel finds free: the test server's port + 4 collided with the
outcomes A/B's Neo4j that `make bench` leaves running on 7692) is stopped and started again;
the API reaches it through a TCP proxy, so that the test can take a lock before the API sees it
back. The lock (an uncommitted recommendation with the id the recovery step rehearses
`rec_record_batch` with) holds the recommendation path's last plan, deterministically, while the
attempt path's plans go on.

The restarted server logs each statement a client sent that its warm-up had not prepared
(`trace_plans`): none of the warmed statements may be among them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import GraphDatabase

from learner_graph.api.app import create_app
from learner_graph.config import Settings
from learner_graph.db import embedded
from learner_graph.db.breaker import Breaker
from learner_graph.db.graph import apply_schema
from learner_graph.db.queries import Queries
from learner_graph.db.warm import PATHS, WRITES, statements
from tests.conftest import auth
from tests.recommend_fixtures import make_course
from tests.support import TcpProxy, free_port

ATTEMPT = {"user_id": "u1", "question_id": "q-counting-1", "correct": True, "time_spent_ms": 1000}
ASK = {"user_id": "u1", "units": ["course"]}
WAIT_S = 240.0  # a cold restart plans slowly on a loaded machine: a bound, not a measurement
# The throwaway server's JVM compiles with C1 only: for its two short lives (a new database, then a
# restart that plans every warm-up statement) C2's compilations cost more CPU than they save (one
# life to READY and a course: 42 s of CPU with C2, 22 s without). What is tested is the order in
# which paths come back, not the JIT.
JVM_OPTIONS = "-XX:TieredStopAtLevel=1"


@pytest.fixture
def own_neo4j(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[embedded.Instance]:
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", JVM_OPTIONS)  # read by both starts, this one and the test's
    instance = embedded.Instance(port=free_port(), data_dir=tmp_path / "neo4j")
    embedded.start(instance, heap="512m", pagecache="64m", class_archive=False)
    try:
        yield instance
    finally:
        embedded.stop(instance)


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert condition()


def first_characters(query: str) -> str:
    """How the server's plan trace begins a statement's line: its first 100 characters, spaces
    collapsed (a shorter statement's parameter types follow it)."""
    return " ".join(query.split())[:100]


def router_cache_misses(log: str) -> list[str]:
    """The statements clients sent once Bolt was open (the warm-up's own misses come before)."""
    served = log[log.index("\nREADY ") :]
    return [line.removeprefix("ROUTER CACHE MISS ") for line in served.splitlines()
            if line.startswith("ROUTER CACHE MISS ")]  # fmt: skip


def test_a_path_is_served_once_its_own_statements_are_planned_again(
    settings: Settings, own_neo4j: embedded.Instance
) -> None:
    uri = f"bolt://127.0.0.1:{own_neo4j.port}"
    with GraphDatabase.driver(uri, auth=("neo4j", "unused")) as db:
        apply_schema(db, Queries.load(settings.cypher_dir), "neo4j")
        make_course(db)
    proxy = TcpProxy(own_neo4j.port)
    app = create_app(settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{proxy.port}"}))
    learner = auth("learner_app")
    try:
        with TestClient(app) as client:
            breaker: Breaker = app.state.runtime.graph.breaker

            def attempt(attempt_id: str) -> int:
                body = {**ATTEMPT, "attempt_id": attempt_id}
                return client.post("/v1/attempts", json=body, headers=learner).status_code

            def recommend() -> int:
                return client.post("/v1/recommendations", json=ASK, headers=learner).status_code

            # A cold server's first plans may run past a request's budget on a loaded machine (504):
            # the same attempt again until it is stored, then a recommendation.
            wait_until(lambda: attempt("a0") == 200)
            wait_until(lambda: recommend() == 200)
            embedded.stop(own_neo4j)
            assert attempt("a1") == 503 and breaker.is_open
            proxy.cut()  # the API does not see it back until the lock below is held
            assert "PLANNED" not in own_neo4j.log_file.read_text()  # a new database is not warmed
            logged = len(own_neo4j.log_file.read_bytes())
            embedded.start(own_neo4j, heap="512m", pagecache="64m", class_archive=False, trace_plans=True)
            # Restarted, it planned every warm-up statement before Bolt opened (and stored nothing:
            # checked at the end with the rehearsals).
            warm_up = statements(Queries.load(settings.cypher_dir))
            warmed = f"PLANNED {len(warm_up)} statements before Bolt"
            assert f"{warmed} opened (0 failed)" in own_neo4j.log_file.read_text()
            with GraphDatabase.driver(uri, auth=("neo4j", "unused")) as db, db.session() as session:
                held = session.begin_transaction()
                rehearsed = WRITES["rec_record_batch"][0]["rows"][0]["id"]  # its first batch, of one
                held.run("CREATE (:Recommendation {id: $id})", id=rehearsed).consume()
                proxy.restore()
                wait_until(lambda: breaker.ready.issuperset(PATHS["attempts"]))
                assert breaker.is_open and "rec_record_batch" not in breaker.ready
                assert attempt("a1") == 200  # its path is planned: served
                assert recommend() == 503  # its last statement is not: refused, nothing written
                ready = client.get("/readyz")
                assert ready.status_code == 503 and ready.headers["retry-after"]
                held.rollback()
            wait_until(lambda: not breaker.is_open)
            assert recommend() == 200
        # What clients sent after the restart that the warm-up had not prepared: the test's own
        # write (so the trace works), and none of the warmed statements (the recovery's plans, the
        # served requests): they were prepared the way Bolt runs them.
        missed = router_cache_misses(own_neo4j.log_file.read_bytes()[logged:].decode())
        assert any(line.startswith("CREATE (:Recommendation {id: $id})") for line in missed)
        prepared = [first_characters(statement["query"]) for statement in warm_up]
        assert [line for line in missed if line.startswith(tuple(prepared))] == []
    finally:
        proxy.cut()
    with GraphDatabase.driver(uri, auth=("neo4j", "unused")) as db:
        stored = db.execute_query(
            "MATCH (a:Attempt) WITH collect(a.id) AS attempts "
            "RETURN attempts, COUNT { (n) WHERE n.id STARTS WITH '~' } AS rehearsed"
        ).records[0]
    assert sorted(stored["attempts"]) == ["a0", "a1"]
    assert stored["rehearsed"] == 0  # the rehearsals (ids '~warm-up~...') stored nothing
