"""Production hygiene: route labels, protected operations paths, `serve --demo` in production."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.api.app import create_app
from learner_graph.config import Settings
from tests.conftest import auth


def test_every_route_label_is_its_full_template(client: TestClient) -> None:
    editor = auth("content_editor")
    for path in [
        "/v1/concepts",
        "/v1/concepts/x",
        "/v1/units/x/tree",
        "/v1/questions",
        "/v1/content/version",
        "/v1/users/u/mastery",
        "/v1/experiments",
        "/healthz",
    ]:
        client.get(path, headers=editor)
    templates = set(client.app.openapi()["paths"])  # type: ignore[attr-defined]
    labels = set(
        re.findall(r'lg_http_requests_total\{method="\w+",route="([^"]+)"', client.get("/metrics").text)
    )
    assert {"/v1/concepts/{concept_id}", "/v1/units/{unit_id}/tree", "/v1/content/version"} <= labels
    assert labels - {"unmatched", "/metrics"} <= templates


def test_ops_paths_need_a_key_when_protected(settings: Settings, db: Driver) -> None:
    with TestClient(create_app(settings.model_copy(update={"protect_ops": True}))) as client:
        for path in ["/metrics", "/docs", "/openapi.json"]:
            refused = client.get(path)
            assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
            assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
            assert client.get(path, headers=auth("analyst")).status_code == 200
        assert client.get("/healthz").status_code == 200  # probes stay open
        metrics = client.get("/metrics", headers=auth("analyst")).text
        assert 'lg_auth_failures_total{reason="ops"} 6.0' in metrics


def test_failed_authentications_are_counted(client: TestClient) -> None:
    client.get("/v1/concepts")
    client.get("/v1/concepts", headers={"Authorization": "Bearer nope"})
    client.post("/v1/concepts", json={}, headers=auth("analyst"))
    text = client.get("/metrics").text
    for reason in ("missing", "unknown_key", "role"):
        assert re.search(rf'lg_auth_failures_total\{{reason="{reason}"\}} [1-9]', text), reason


def test_serve_demo_is_refused_in_production() -> None:
    env = {**os.environ, "LG_ENV": "production", "LG_API_KEYS": "", "LG_NEO4J_PASSWORD": "x"}
    run = subprocess.run(
        [str(Path(sys.executable).parent / "learner-graph"), "serve", "--demo", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "refused" in run.stderr and "lg_" not in run.stdout
