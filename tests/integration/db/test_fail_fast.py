"""Failing fast and recovering: Neo4j cut off by a real TCP proxy, a query over its time budget."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from urllib.parse import urlparse

from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.api.app import create_app
from learner_graph.config import Settings
from tests.conftest import auth
from tests.recommend_fixtures import make_course
from tests.support import TcpProxy

ATTEMPT = {"user_id": "u1", "question_id": "q-counting-1", "correct": True, "time_spent_ms": 1000}


def test_outage_answers_503_at_once_and_the_first_request_after_it_succeeds(
    settings: Settings, db: Driver
) -> None:
    make_course(db)
    bolt_port = urlparse(settings.neo4j_uri).port
    assert bolt_port is not None
    proxy = TcpProxy(bolt_port)
    app = create_app(settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{proxy.port}"}))
    learner = auth("learner_app")
    with TestClient(app) as client:
        breaker = app.state.runtime.graph.breaker
        assert (
            client.post("/v1/attempts", json={**ATTEMPT, "attempt_id": "a0"}, headers=learner).status_code
            == 200
        )
        proxy.cut()
        statuses = []
        for i in range(5):
            response = client.post(
                "/v1/attempts", json={**ATTEMPT, "attempt_id": f"a{i + 1}"}, headers=learner
            )
            statuses.append(response.status_code)
            assert response.json()["error"]["code"] == "unavailable" and response.headers["retry-after"]
        assert statuses == [503] * 5 and breaker.is_open
        rec = client.post("/v1/recommendations", json={"user_id": "u1", "units": ["course"]}, headers=learner)
        assert rec.status_code == 503
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        proxy.restore()
        deadline = time.monotonic() + 60  # a bound, not a measurement (at load 30 it took over 10 s)
        while breaker.is_open and time.monotonic() < deadline:  # its recovery step: a probe, the warm-up
            time.sleep(0.05)
        assert not breaker.is_open
        retried = client.post("/v1/attempts", json={**ATTEMPT, "attempt_id": "a1"}, headers=learner)
        assert retried.status_code == 200 and retried.json()["created"] == 1
        assert not breaker.is_open
    proxy.cut()
    stored = db.execute_query("MATCH (a:Attempt) RETURN collect(a.id) AS ids").records[0]["ids"]
    assert sorted(stored) == ["a0", "a1"]  # nothing refused was half written


def dense_units(db: Driver, layers: int = 16, width: int = 4) -> None:
    """Units in layers, each containing every unit of the next: width^(layers-1) paths to the question."""
    db.execute_query(
        """
        UNWIND range(0, $layers - 1) AS layer
        UNWIND range(0, $width - 1) AS k
        CREATE (:Unit {id: 'd-' + layer + '-' + k, name: 'dense', kind: 'section'})
        """,
        layers=layers,
        width=width,
    )
    db.execute_query(
        """
        MATCH (a:Unit), (b:Unit)
        WHERE a.id STARTS WITH 'd-' AND b.id STARTS WITH 'd-'
          AND toInteger(split(b.id, '-')[1]) = toInteger(split(a.id, '-')[1]) + 1
        CREATE (a)-[:CONTAINS]->(b)
        """
    )
    db.execute_query(
        """
        MATCH (u:Unit) WHERE u.id STARTS WITH 'd-' + ($layers - 1) + '-'
        MERGE (q:Question {id: 'q-deep', text: 'deep', difficulty_tag: 1})
        CREATE (u)-[:CONTAINS]->(q)
        """,
        layers=layers,
    )


def slow_cypher(settings: Settings, into: Path) -> Path:
    """Our queries, with one level of the unit walk made deliberately slow: it also counts every
    path below each child (traversals are bounded now, so a slow one has to be built on purpose)."""
    shutil.copytree(settings.cypher_dir, into)
    path = into / "traversals.cypher"
    fast = "WHERE c:Unit OR c:Question\n"
    slow = fast + "CALL (c) { OPTIONAL MATCH p = (c)-[:CONTAINS*0..20]->() RETURN count(p) AS paths }\n"
    assert fast in path.read_text()
    path.write_text(path.read_text().replace(fast, slow))
    return into


def test_a_traversal_over_its_budget_ends_in_a_json_504(
    settings: Settings, db: Driver, tmp_path: Path
) -> None:
    dense_units(db)
    slow = {"neo4j_read_timeout_s": 0.5, "cypher_dir": slow_cypher(settings, tmp_path / "cypher")}
    app = create_app(settings.model_copy(update=slow))
    with TestClient(app) as client:
        started = time.perf_counter()
        response = client.post(
            "/v1/units/resolve", json={"unit_ids": ["d-0-0"], "max_depth": 20}, headers=auth("analyst")
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 504, response.text
        assert response.json()["error"]["code"] == "timeout" and response.headers["retry-after"]
        assert elapsed < 5  # ended by the 0.5 s transaction timeout, not by the traversal finishing
        assert (
            client.get("/v1/units/d-15-0", headers=auth("analyst")).status_code == 200
        )  # the server is fine
