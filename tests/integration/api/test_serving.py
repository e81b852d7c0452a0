"""How the API is served: start-up warm-up and several worker processes, against the real servers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.api.app import create_app
from learner_graph.config import Settings
from tests.conftest import _key_spec, auth
from tests.recommend_fixtures import make_course
from tests.support import free_port

BODY = {"user_id": "u1", "units": ["course"], "n": 3}


def test_start_up_loads_the_catalog_before_the_first_request(db: Driver, settings: Settings) -> None:
    make_course(db)
    with TestClient(create_app(settings)) as client:
        catalog = client.app.state.runtime.catalogs._catalog  # type: ignore[attr-defined]
        assert catalog is not None and "course" in catalog.units and len(catalog.table.ids) > 0
        r = client.post("/v1/recommendations", json=BODY, headers=auth("learner_app"))
        assert r.status_code == 200 and len(r.json()["items"]) == 3
        assert client.app.state.runtime.catalogs._catalog is catalog  # type: ignore[attr-defined]  # served warm


def test_without_warm_up_the_first_request_loads_it(db: Driver, settings: Settings) -> None:
    make_course(db)
    with TestClient(create_app(settings.model_copy(update={"warm_up": False}))) as client:
        assert client.app.state.runtime.catalogs._catalog is None  # type: ignore[attr-defined]
        r = client.post("/v1/recommendations", json=BODY, headers=auth("learner_app"))
        assert r.status_code == 200 and client.app.state.runtime.catalogs._catalog is not None  # type: ignore[attr-defined]


def test_two_workers_serve_recommendations(db: Driver, settings: Settings, tmp_path: Path) -> None:
    make_course(db)
    port = free_port()
    env = os.environ | {
        "LG_NEO4J_URI": settings.neo4j_uri,
        "LG_REDIS_URL": settings.redis_url,
        "LG_API_KEYS": _key_spec(),
        "LG_WORKERS": "2",
        "LG_LOG_LEVEL": "WARNING",
    }
    cli = Path(sys.executable).parent / "learner-graph"
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180  # two workers importing numpy/torch on a busy shared machine
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "not ready within 180 s"
            time.sleep(0.3)
        children = subprocess.run(
            ["ps", "--ppid", str(process.pid), "-o", "pid="], capture_output=True, text=True, check=True
        ).stdout.split()
        assert len(children) >= 2  # uvicorn's workers (its supervisor is `process`)
        ids = set()
        with httpx.Client(base_url=base, headers=auth("learner_app"), timeout=10) as client:
            for i in range(12):
                r = client.post("/v1/recommendations", json={"user_id": f"w{i}", "units": ["course"], "n": 2})
                assert r.status_code == 200, r.text
                ids.add(r.json()["id"])
        stored, _, _ = db.execute_query("MATCH (r:Recommendation) RETURN count(r) AS n")
        assert len(ids) == 12 and stored[0]["n"] == 12
    finally:
        process.terminate()
        process.wait(timeout=90)  # uvicorn may wait out a worker's health check (60 s) before exiting
        log.close()
    assert process.returncode == 0
