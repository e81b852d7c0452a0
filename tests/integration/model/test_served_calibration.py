"""The served calibration's rows from the real graph: learners practise through the routes, and the
training export marks exactly the answers to the next-best items their recommendations served; a
training on those of its learners fits the offset and says so in the version's metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.db.queries import Queries
from learner_graph.model import TrainConfig, registry
from learner_graph.model.data import export_graph
from learner_graph.model.evaluate import SERVED_MIN_ITEMS
from learner_graph.model.service import holdout, train_version
from tests.conftest import auth
from tests.integration.model.test_versions import with_graph
from tests.learners_fixtures import attempt
from tests.recommend_fixtures import make_course, recommend

LEARNERS = 10
STEPS = 6
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)


def practise(client: TestClient) -> dict[str, list[bool]]:
    """Each learner asks for three items, answers them all (naming the recommendation), six times,
    and answers one question on their own; returns, per learner in time order, whether each answer
    was to a next-best item."""
    served: dict[str, list[bool]] = {}
    for k in range(LEARNERS):
        user, at = f"p-{k:02d}", START + timedelta(hours=k)
        answers = served.setdefault(user, [])
        own = attempt(f"{user}-own", "q-counting-1", True, at.isoformat(), user=user)
        assert client.post("/v1/attempts", json=own, headers=auth("learner_app")).status_code == 200
        answers.append(False)
        for step in range(STEPS):
            rec = recommend(client, user_id=user, units=["course"], n=3)
            batch = []
            for i, item in enumerate(rec["items"]):
                at += timedelta(minutes=1)
                batch.append(attempt(f"{user}-{step}-{i}", item["question_id"], (k + step + i) % 3 != 0,
                                     at.isoformat(), user=user) | {"recommendation_id": rec["id"]})
                answers.append(item["kind"] == "next")
            response = client.post("/v1/attempts", json={"attempts": batch}, headers=auth("learner_app"))
            assert response.status_code == 200, response.text
    return served


def test_the_export_marks_the_answers_to_served_next_items_and_training_fits_on_them(
    client: TestClient, db: Driver, settings: Settings, queries: Queries
) -> None:
    make_course(db)
    expected = practise(client)
    log = with_graph(settings, queries, lambda g: export_graph(g, batch=4))
    assert log.served is not None
    for user, flags in expected.items():
        assert log.served[log.users == user].tolist() == flags, user
    items = sum(sum(flags) for flags in expected.values())
    assert SERVED_MIN_ITEMS <= items < len(log)  # the learners' own answers are never served items

    result = with_graph(settings, queries, lambda g: train_version(
        db=g, model_dir=settings.model_dir, force=True,
        config=TrainConfig(dim=2, epochs=5, batch_size=256, progress=False)))
    served = result["metrics"]["served_calibration"]
    trained, _ = holdout(log)  # fitted with the model, on the training's learners (the rest test it)
    assert trained.served is not None
    assert served["items"] == trained.served.sum() and served["learners"] == len(trained.students())
    assert served["observed"] == np.mean(trained.correct[trained.served])
    loaded = with_graph(settings, queries, lambda g: registry.load_active(db=g))
    assert loaded is not None and loaded.served == ((0, served["offset"]),)
    listed = client.get("/v1/admin/models", headers=auth("analyst")).json()["items"]
    assert listed[0]["metrics"]["served_calibration"] == served
