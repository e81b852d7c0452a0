"""Every knob of the service in one typed, validated object."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from learner_graph.api_keys import ApiKey, parse_api_keys
from learner_graph.mixer.settings import DEFAULTS, REVIEW_RETENTION_MAX, REVIEW_RETENTION_MIN
from learner_graph.tokens import parse_app_secrets

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Settings read from `LG_*` environment variables (and an optional `.env`)."""

    model_config = SettingsConfigDict(env_prefix="LG_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str = "learner-graph"
    neo4j_database: str = "neo4j"
    neo4j_timeout_s: float = Field(default=0.5, gt=0)  # connect and retry budget: fail fast when down
    neo4j_read_timeout_s: float = Field(default=5.0, gt=0)  # transaction timeout of a request's reads
    neo4j_write_timeout_s: float = Field(default=10.0, gt=0)  # ... of a request's writes
    neo4j_admin_timeout_s: float = Field(default=600.0, gt=0)  # ... of imports, training and admin work
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_timeout_s: float = Field(default=0.25, gt=0)
    api_keys: str = ""
    app_secrets: str = ""  # `app:secret,...`: each app's secret for signing learner tokens
    model_dir: Path = PROJECT_ROOT / ".lg" / "models"
    cypher_dir: Path = PROJECT_ROOT / "cypher"
    console_dir: Path = PROJECT_ROOT / "console" / "dist"  # the built web console, served at /console
    log_level: str = "INFO"
    apply_schema_on_startup: bool = True
    retry_after_s: int = Field(default=5, ge=1)
    review_retention: float = Field(
        default=DEFAULTS.review_retention, ge=REVIEW_RETENTION_MIN, le=REVIEW_RETENTION_MAX
    )  # env values are strings: the settings model's bounds, without its strictness
    workers: int = Field(default=1, ge=1, le=64)
    warm_up: bool = True
    max_body_bytes: int = Field(default=4 * 2**20, ge=1024)  # larger bodies: 413
    max_import_body_bytes: int = Field(default=64 * 2**20, ge=1024)  # ... for POST /v1/content/import
    rate_limit_per_s: float = Field(default=1000.0, ge=0)  # per API key; 0 turns rate limits off
    rate_limit_burst: int = Field(default=2000, ge=1)
    rate_limit_learner_per_s: float = Field(default=10.0, ge=0)  # per learner token's learner
    rate_limit_learner_burst: int = Field(default=40, ge=1)
    rate_limit_lease: int = Field(default=32, ge=1, le=1024)  # a key's tokens taken from Redis per call
    attempt_transactions: int = Field(default=1, ge=1, le=8)  # group-committed attempt writes at once
    learner_cache: bool = True  # keep learners' states between their requests (Redis version checked)
    gc_freeze: bool = True  # freeze the start-up heap out of the collector's full passes (stalls)
    protect_ops: bool = False  # /metrics, /docs, /redoc and /openapi.json need an API key

    @cached_property
    def keys(self) -> list[ApiKey]:
        """The configured API keys, parsed (secrets kept only as sha256 hashes)."""
        return parse_api_keys(self.api_keys)

    @cached_property
    def token_secrets(self) -> dict[str, str]:
        """Each app's learner-token secret."""
        return parse_app_secrets(self.app_secrets)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env == "production":
            problems = []
            if not self.api_keys.strip():
                problems.append("LG_API_KEYS must be set in production")
            if self.neo4j_password == "learner-graph":
                problems.append("LG_NEO4J_PASSWORD must not be the development default")
            if problems:
                raise ValueError("; ".join(problems))
        parse_api_keys(self.api_keys)  # fail at start-up, not on the first request
        parse_app_secrets(self.app_secrets)
        return self
