"""The foundation against the real servers: schema, readiness, keys and roles, error shapes."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.api.app import create_app
from learner_graph.config import Settings
from learner_graph.db.graph import apply_schema, schema_object_names
from learner_graph.db.queries import Queries
from tests.conftest import auth
from tests.support import PrivateRedis, TcpProxy


def test_schema_applied_twice_is_harmless(db: Driver, queries: Queries, settings: Settings) -> None:
    db.execute_query("CREATE (:Concept {id: 'c1', name: 'Fractions'})")
    apply_schema(db, queries, settings.neo4j_database)
    apply_schema(db, queries, settings.neo4j_database)
    records, _, _ = db.execute_query("SHOW INDEXES YIELD name RETURN collect(name) AS names")
    present = set(records[0]["names"])
    assert set(schema_object_names(queries)) <= present
    count, _, _ = db.execute_query("MATCH (c:Concept) RETURN count(c) AS n")
    assert count[0]["n"] == 1
    constraints, _, _ = db.execute_query("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n")
    assert constraints[0]["n"] == sum(1 for q in queries.from_file("schema.cypher") if "CONSTRAINT" in q.text)


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"neo4j": "ok", "schema": "ok", "redis": "ok"}}


def test_keys_and_roles(client: TestClient) -> None:
    missing = client.get("/v1/me")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
    assert missing.headers["www-authenticate"] == "Bearer"
    assert client.get("/v1/me", headers={"Authorization": "Bearer wrong"}).status_code == 401
    me = client.get("/v1/me", headers=auth("learner_app"))
    assert me.status_code == 200 and me.json() == {"name": "t-learner_app", "role": "learner_app"}
    forbidden = client.get("/v1/admin/schema", headers=auth("learner_app"))
    assert forbidden.status_code == 403
    assert "learner_app" in forbidden.json()["error"]["message"]
    # The admin key is configured only by its sha256 hash.
    allowed = client.get("/v1/admin/schema", headers=auth("admin"))
    assert allowed.status_code == 200 and allowed.json()["missing"] == []


def test_error_shapes(client: TestClient) -> None:
    unknown = client.get("/nope")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    wrong_method = client.delete("/healthz")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert unknown.headers["x-request-id"] == unknown.json()["request_id"]


def test_metrics_count_requests_per_route(client: TestClient) -> None:
    client.get("/healthz")
    text = client.get("/metrics").text
    assert 'lg_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert "lg_http_request_duration_seconds_bucket" in text


def test_redis_down_is_degraded_not_unready(settings: Settings, db: Driver, tmp_path: Path) -> None:
    redis = PrivateRedis(tmp_path)
    app = create_app(settings.model_copy(update={"redis_url": redis.url}))
    try:
        with TestClient(app) as client:
            assert client.get("/readyz").json()["checks"]["redis"] == "ok"
            redis.stop()
            ready = client.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["status"] == "degraded"
            assert ready.json()["checks"]["redis"] == "degraded"
            assert "lg_redis_errors_total" in client.get("/metrics").text
    finally:
        if redis.process.poll() is None:
            redis.stop()


def test_neo4j_down_is_503_and_recovers(settings: Settings, db: Driver) -> None:
    bolt_port = urlparse(settings.neo4j_uri).port
    assert bolt_port is not None
    proxy = TcpProxy(bolt_port)
    app = create_app(
        settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{proxy.port}", "neo4j_timeout_s": 1.0})
    )
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        proxy.cut()
        down = client.get("/readyz")
        assert down.status_code == 503
        assert down.headers["retry-after"] == str(settings.retry_after_s)
        assert down.json()["checks"]["neo4j"].startswith("unavailable")
        routed = client.get("/v1/admin/schema", headers=auth("admin"))
        assert routed.status_code == 503 and routed.headers["retry-after"]
        assert client.get("/healthz").status_code == 200  # the process stays up
        proxy.restore()
        assert client.get("/readyz").status_code == 200
    proxy.cut()
