"""The experiments routes: roles, 422 naming each problem, lifecycle and the three result formats."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.conftest import auth
from tests.experiments_fixtures import definition

BODY = definition().model_dump(mode="json", exclude_none=True)


def test_learner_app_key_gets_403_on_every_experiment_route(client: TestClient) -> None:
    calls = [
        ("GET", "/v1/experiments"),
        ("POST", "/v1/experiments"),
        ("GET", "/v1/experiments/target-p"),
        ("PATCH", "/v1/experiments/target-p"),
        ("POST", "/v1/experiments/target-p/start"),
        ("POST", "/v1/experiments/target-p/stop"),
        ("GET", "/v1/experiments/target-p/results"),
    ]
    for method, path in calls:
        response = client.request(method, path, headers=auth("learner_app"), json=BODY)
        assert response.status_code == 403, (method, path)
        assert response.json()["error"]["code"] == "forbidden"


def test_analyst_reads_but_may_not_change(client: TestClient) -> None:
    assert client.post("/v1/experiments", json=BODY, headers=auth("analyst")).status_code == 403
    assert client.post("/v1/experiments", json=BODY, headers=auth("admin")).status_code == 201
    assert client.post("/v1/experiments/target-p/start", headers=auth("analyst")).status_code == 403
    listed = client.get("/v1/experiments", headers=auth("analyst"))
    assert [e["key"] for e in listed.json()["items"]] == ["target-p"]
    assert client.get("/v1/experiments/target-p", headers=auth("analyst")).json()["status"] == "draft"


def test_invalid_definition_names_each_problem(client: TestClient) -> None:
    bad = BODY | {
        "arms": [
            {"name": "control", "weight": 0.5},
            {"name": "easier", "weight": 0.3, "overrides": {"target_p": 0.7, "font_size": 3}},
        ],
        "primary_metrics": ["happiness"],
    }
    response = client.post("/v1/experiments", json=bad, headers=auth("admin"))
    assert response.status_code == 422
    fields = sorted(d["field"] for d in response.json()["error"]["details"])
    assert fields == ["arms", "arms[1].overrides.font_size", "primary_metrics[0]"]


def test_lifecycle_and_result_formats(client: TestClient) -> None:
    admin = auth("admin")
    assert client.post("/v1/experiments", json=BODY, headers=admin).status_code == 201
    assert client.post("/v1/experiments/target-p/stop", headers=admin).status_code == 409
    assert client.post("/v1/experiments/target-p/start", headers=admin).json()["status"] == "running"
    ramp = client.patch("/v1/experiments/target-p", json={"coverage": 0.5}, headers=admin)
    assert ramp.json()["coverage"] == 0.5
    assert client.post("/v1/experiments/target-p/stop", headers=admin).json()["status"] == "stopped"
    results = client.get("/v1/experiments/target-p/results", headers=auth("analyst")).json()
    assert [a["exposed_users"] for a in results["arms"]] == [0, 0]
    assert {m["metric"] for m in results["metrics"]} == set()
    table = client.get("/v1/experiments/target-p/results?format=csv", headers=admin)
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[0][:4] == ["row", "metric", "role", "arm"]
    assert [r[0] for r in rows[1:]] == ["summary"] * len(results["summary"])
    chart = client.get("/v1/experiments/target-p/results?format=png", headers=admin)
    assert chart.headers["content-type"] == "image/png" and chart.content[:4] == b"\x89PNG"
    assert client.get("/v1/experiments/nope/results", headers=admin).status_code == 404
