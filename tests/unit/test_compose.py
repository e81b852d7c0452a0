"""docker-compose.yml cannot run here (no Docker engine): check its structure instead."""

from __future__ import annotations

from typing import Any

import yaml

from learner_graph.config import PROJECT_ROOT, Settings


def compose() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


def test_services_images_and_build() -> None:
    services = compose()["services"]
    assert set(services) == {"neo4j", "redis", "api", "trainer"}
    assert services["neo4j"]["image"] == "neo4j:5.26-community"
    assert services["redis"]["image"] == "redis:7"
    for name in ("api", "trainer"):
        assert services[name]["build"]["dockerfile"] == "services/api/Dockerfile"
        assert (PROJECT_ROOT / services[name]["build"]["dockerfile"]).exists()
    assert services["trainer"]["command"] == ["learner-graph", "train", "--every", "6h"]
    assert "neo4j-data:/data" in services["neo4j"]["volumes"]


def test_healthchecks_and_dependencies() -> None:
    services = compose()["services"]
    for name in ("neo4j", "redis", "api"):
        assert services[name]["healthcheck"]["test"], name
    assert services["api"]["depends_on"] == {
        "neo4j": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert services["trainer"]["depends_on"]["neo4j"] == {"condition": "service_healthy"}


def test_environment_names_are_settings() -> None:
    known = {f"LG_{name.upper()}" for name in Settings.model_fields}
    for name in ("api", "trainer"):
        env = compose()["services"][name]["environment"]
        assert set(env) <= known, set(env) - known
        assert env["LG_NEO4J_URI"] == "bolt://neo4j:7687"
        assert env["LG_REDIS_URL"].startswith("redis://redis:6379")
