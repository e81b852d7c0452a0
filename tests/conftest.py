"""Fixtures: the real test Neo4j and Redis (started by `make test`), cleaned between tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from redis import Redis

from learner_graph.api.app import create_app
from learner_graph.api_keys import hash_secret
from learner_graph.config import Settings
from learner_graph.db.graph import apply_schema, open_driver
from learner_graph.db.queries import Queries

TEST_KEYS = {
    "learner_app": "learner-secret",
    "content_editor": "editor-secret",
    "analyst": "analyst-secret",
    "experimenter": "experimenter-secret",
    "admin": "admin-secret",
}


def _key_spec() -> str:
    entries = [f"t-{role}:{role}:{secret}" for role, secret in TEST_KEYS.items() if role != "admin"]
    # The admin key is configured by hash, as production keys should be.
    entries.append(f"t-admin:admin:sha256:{hash_secret(TEST_KEYS['admin'])}")
    return ",".join(entries)


def auth(role: str) -> dict[str, str]:
    """Headers carrying the test key of `role`."""
    return {"Authorization": f"Bearer {TEST_KEYS[role]}"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        env="test",
        neo4j_uri=os.environ.get("LG_TEST_NEO4J_URI", "bolt://127.0.0.1:7688"),
        redis_url=os.environ.get("LG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
        api_keys=_key_spec(),
        model_dir=tmp_path_factory.mktemp("models"),
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def queries(settings: Settings) -> Queries:
    return Queries.load(settings.cypher_dir)


@pytest.fixture(scope="session")
def neo4j_driver(settings: Settings, queries: Queries) -> Iterator[Driver]:
    # The tests' own driver (seeding, checks) is patient: the API's 0.5 s connect budget is for
    # failing fast in production, and on a loaded machine a just-started server's first Bolt
    # handshakes take longer, which failed this fixture and so every test after it.
    patient = settings.model_copy(update={"neo4j_timeout_s": 30.0})
    with open_driver(patient) as driver:
        driver.verify_connectivity()
        apply_schema(driver, queries, settings.neo4j_database)
        yield driver


@pytest.fixture(scope="session")
def redis_client(settings: Settings) -> Iterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    client.ping()
    yield client
    client.close()


@pytest.fixture
def db(neo4j_driver: Driver, redis_client: Redis, settings: Settings) -> Driver:
    """The test database, emptied (data only; the schema stays) and its Redis index flushed."""
    with neo4j_driver.session(database=settings.neo4j_database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()
    redis_client.flushdb()
    return neo4j_driver


@pytest.fixture(scope="session")
def app_client(settings: Settings, neo4j_driver: Driver) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def client(app_client: TestClient, db: Driver) -> TestClient:
    """The API on a clean database (and no model remembered from an earlier test)."""
    runtime = app_client.app.state.runtime  # type: ignore[attr-defined]
    runtime.models.invalidate()
    runtime.experiments.clear()  # the running-experiments list is cached for a few seconds per process
    return app_client
