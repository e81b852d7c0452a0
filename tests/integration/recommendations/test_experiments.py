"""Experiment arms change what the recommendation route serves, and are recorded with it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.experiments.assignment import choose_arm
from learner_graph.experiments.models import Experiment
from tests.conftest import auth
from tests.recommend_fixtures import make_course, recommend

ADMIN = auth("admin")
DEFINITION = {
    "key": "only-next",
    "seed": "only-next-seed",
    "coverage": 1.0,
    "arms": [
        {"name": "control", "weight": 0.5, "overrides": {}},
        {
            "name": "next",
            "weight": 0.5,
            "overrides": {"weight_next": 1.0, "weight_review": 0.0, "weight_streak": 0.0},
        },
    ],
    "control": "control",
    "primary_metrics": ["attempts"],
}


def test_arms_apply_their_overrides_and_are_stored(client: TestClient, db: Driver) -> None:
    make_course(db)
    created = client.post("/v1/experiments", json=DEFINITION, headers=ADMIN)
    assert created.status_code in (200, 201), created.text
    assert client.post("/v1/experiments/only-next/start", headers=ADMIN).status_code == 200
    client.app.state.runtime.experiments.clear()  # type: ignore[attr-defined]
    experiment = client.get("/v1/experiments/only-next", headers=auth("analyst")).json()
    by_arm: dict[str, str] = {}
    for i in range(200):
        arm = choose_arm(Experiment.model_validate(experiment), f"s{i}")
        if arm is not None:
            by_arm.setdefault(arm, f"s{i}")
        if len(by_arm) == 2:
            break
    served = {arm: recommend(client, user_id=user, units=["course"], n=6) for arm, user in by_arm.items()}
    assert served["next"]["arm"] == "only-next:next" and served["next"]["experiments"] == {
        "only-next": "next"
    }
    assert {i["kind"] for i in served["next"]["items"]} == {"next"}
    assert "streak" in {i["kind"] for i in served["control"]["items"]}  # a new student: goal unmet
    stored = client.get(f"/v1/recommendations/{served['next']['id']}", headers=ADMIN).json()
    assert stored["arm"] == "only-next:next"
    again = recommend(client, user_id=by_arm["next"], units=["course"], n=3)
    assert again["arm"] == "only-next:next"  # sticky
    exposures = db.execute_query(
        "MATCH (:User {id: $u})-[e:EXPOSED]->(:Experiment {key: 'only-next'}) RETURN count(e) AS n",
        u=by_arm["next"],
    ).records[0]["n"]
    assert exposures == 1
