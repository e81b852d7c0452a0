import pytest
from pydantic import ValidationError

from learner_graph.config import Settings


def test_production_refuses_unsafe_defaults() -> None:
    with pytest.raises(ValidationError) as error:
        Settings(env="production", _env_file=None)  # type: ignore[call-arg]
    assert "LG_API_KEYS must be set" in str(error.value)
    assert "LG_NEO4J_PASSWORD" in str(error.value)


def test_bad_keys_fail_at_start_up() -> None:
    with pytest.raises(ValidationError, match="unknown role"):
        Settings(api_keys="x:root:secret", _env_file=None)  # type: ignore[call-arg]


def test_reads_lg_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LG_NEO4J_URI", "bolt://db:7687")
    monkeypatch.setenv("LG_REDIS_URL", "redis://cache:6379/2")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.neo4j_uri == "bolt://db:7687" and settings.redis_url == "redis://cache:6379/2"
