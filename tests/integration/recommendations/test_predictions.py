"""GET /v1/users/{id}/predictions: P(correct) from the active model, fitted live."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.db.queries import Queries
from learner_graph.model.service import train_version
from tests.conftest import auth
from tests.integration.model.test_versions import FAST, load_simulated, with_graph

APP = auth("learner_app")


def test_predictions_use_the_active_model_and_the_latest_attempts(
    client: TestClient, db: Driver, settings: Settings, queries: Queries
) -> None:
    load_simulated(db)
    before = client.get("/v1/users/zz-no-attempts/predictions", params={"units": ["u-a"]}, headers=APP)
    assert before.status_code == 200 and before.json()["model_version"] is None  # tag-based until trained
    trained = with_graph(
        settings,
        queries,
        lambda g: train_version(db=g, model_dir=settings.model_dir, force=True, config=FAST),
    )
    time.sleep(1.1)  # the model store re-checks the active version at most once a second
    first = client.get("/v1/users/zz-no-attempts/predictions", params={"units": ["u-a"]}, headers=APP).json()
    assert first["model_version"] == trained["model_id"] and first["attempts_in_scope"] == 0
    assert len(first["predictions"]) == 6 and all(0 < p["p_correct"] < 1 for p in first["predictions"])
    target = first["predictions"][0]["question_id"]
    posted = client.post(
        "/v1/attempts",
        json={
            "attempts": [
                {
                    "attempt_id": f"p{i}",
                    "user_id": "zz-no-attempts",
                    "question_id": p["question_id"],
                    "correct": True,
                    "time_spent_ms": 1000,
                }
                for i, p in enumerate(first["predictions"])
            ]
        },
        headers=APP,
    )
    assert posted.status_code == 200
    after = client.get(
        "/v1/users/zz-no-attempts/predictions", params={"questions": [target]}, headers=APP
    ).json()
    assert after["attempts_in_scope"] == 6
    assert after["predictions"][0]["p_correct"] > first["predictions"][0]["p_correct"]
    missing = client.get("/v1/users/zz-no-attempts/predictions", params={"questions": ["nope"]}, headers=APP)
    assert missing.status_code == 404
    assert client.get("/v1/users/zz-no-attempts/predictions", headers=APP).status_code == 422


def test_predictions_need_units_or_questions_named_as_query_parameters(client: TestClient) -> None:
    bad = client.get("/v1/users/u1/predictions", headers=APP)
    assert bad.status_code == 422
    assert [(d["field"], d["in"]) for d in bad.json()["error"]["details"]] == [("units", "query")]
