"""Results are reused from Redis until an attempt, exposure or learner changes, and stay right
when Redis is down (a real client on a port where nothing listens)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from neo4j import Driver
from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from learner_graph.cache import Cache
from learner_graph.config import Settings
from learner_graph.db.queries import Queries
from learner_graph.experiments.results import experiment_results
from learner_graph.experiments.results_cache import cached_results
from learner_graph.model.store import ModelStore
from tests.conftest import auth
from tests.content_fixtures import concept, question, unit
from tests.experiments_fixtures import definition, on_graph

ADMIN, APP = auth("admin"), auth("learner_app")
LEARNERS = [f"learner-{i}" for i in range(6)]


def attempt(client: TestClient, user: str, n: int, *, correct: bool = True) -> None:
    body = {"attempt_id": f"{user}-{n}", "user_id": user, "question_id": f"q{n % 3}",
            "correct": correct, "time_spent_ms": 20_000}
    assert client.post("/v1/attempts", json=body, headers=APP).status_code == 200


def running_experiment(client: TestClient) -> None:
    """Six learners exposed through the recommendation route, each with one attempt after it."""
    concept(client, "c")
    for n in range(3):
        question(client, f"q{n}", "c")
    unit(client, "u", questions=["q0", "q1", "q2"])
    body = definition().model_dump(mode="json", exclude_none=True)
    assert client.post("/v1/experiments", json=body, headers=ADMIN).status_code == 201
    assert client.post("/v1/experiments/target-p/start", headers=ADMIN).status_code == 200
    for user in LEARNERS:
        ask = {"user_id": user, "units": ["u"], "n": 2}
        served = client.post("/v1/recommendations", json=ask, headers=APP)
        assert served.status_code == 200, served.text
        attempt(client, user, 0)


def results(client: TestClient) -> dict[str, Any]:
    response = client.get("/v1/experiments/target-p/results", headers=auth("analyst"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def attempts_total(body: dict[str, Any]) -> float:
    return sum(m["n"] * m["mean"] for m in body["metrics"] if m["metric"] == "attempts")


def cached_keys(redis_client: Redis) -> list[bytes]:
    return sorted(redis_client.scan_iter(match="*experiment-results:target-p:*"))


def test_results_are_reused_until_a_new_attempt(client: TestClient, redis_client: Redis) -> None:
    running_experiment(client)
    first = results(client)
    assert attempts_total(first) == len(LEARNERS)
    assert len(cached_keys(redis_client)) == 1
    assert results(client) == first  # from the cache: nothing changed
    assert len(cached_keys(redis_client)) == 1

    attempt(client, LEARNERS[0], 1)
    again = results(client)
    assert attempts_total(again) == len(LEARNERS) + 1  # the new attempt is counted at once
    assert len(cached_keys(redis_client)) == 2

    assert client.post("/v1/experiments/target-p/stop", headers=ADMIN).status_code == 200
    assert results(client)["status"] == "stopped"  # a changed definition is a new version too


def test_results_without_redis_are_computed(
    client: TestClient, db: Driver, settings: Settings, queries: Queries
) -> None:
    running_experiment(client)
    assert client.post("/v1/experiments/target-p/stop", headers=ADMIN).status_code == 200

    async def both(graph: Any) -> tuple[Any, Any]:
        dead = Cache(AsyncRedis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
        try:
            end = (await experiment_results(db=graph, key="target-p", now=datetime.now(UTC))).window_end
            served = await cached_results(db=graph, cache=dead, models=ModelStore(), key="target-p", now=end)
            expected = await experiment_results(db=graph, key="target-p", now=end)
            return served, expected
        finally:
            await dead.client.aclose()

    served, expected = on_graph(settings, queries, both)
    assert served == expected
    assert attempts_total(served.model_dump()) == len(LEARNERS)
