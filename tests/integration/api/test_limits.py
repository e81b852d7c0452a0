"""Bounded requests: body size (413) and per-key rate limits (429), against the real servers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.api.app import create_app
from learner_graph.config import Settings
from tests.conftest import auth
from tests.support import PrivateRedis


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


def test_bodies_over_the_limit_are_413_json(client: TestClient) -> None:
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    big = b'{"attempts": [' + b" " * limit + b"]}"
    declared = client.post(
        "/v1/attempts", content=big, headers={**auth("learner_app"), "Content-Type": "application/json"}
    )
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "too_large" and declared.json()["request_id"]
    streamed = client.post(
        "/v1/attempts",
        content=chunks(limit + 10),
        headers={**auth("learner_app"), "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413  # no Content-Length: counted as it arrives
    # The content import takes larger documents: the same size is parsed (and found invalid), not refused.
    document = b'{"concepts": [], "units": [], "questions": [], "padding": "' + b"x" * limit + b'"}'
    imported = client.post(
        "/v1/content/import",
        content=document,
        headers={**auth("content_editor"), "Content-Type": "application/json"},
    )
    assert imported.status_code != 413
    assert client.get("/healthz").status_code == 200


def limited_app(settings: Settings, **changes: object) -> TestClient:
    return TestClient(
        create_app(settings.model_copy(update={"rate_limit_per_s": 2.0, "rate_limit_burst": 3, **changes}))
    )


def test_a_key_over_its_rate_gets_429_with_headers_and_recovers(settings: Settings, db: Driver) -> None:
    with limited_app(settings) as client:
        analyst, editor = auth("analyst"), auth("content_editor")
        statuses = [client.get("/v1/concepts", headers=analyst).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = client.get("/v1/concepts", headers=analyst)
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["ratelimit-limit"] == "3" and refused.headers["ratelimit-remaining"] == "0"
        assert int(refused.headers["ratelimit-reset"]) >= 1
        assert client.get("/v1/concepts", headers=editor).status_code == 200  # other keys are not affected
        time.sleep(0.6)  # 2 tokens a second: one is back
        assert client.get("/v1/concepts", headers=analyst).status_code == 200


def test_without_redis_each_process_keeps_the_limit(settings: Settings, db: Driver, tmp_path: Path) -> None:
    redis = PrivateRedis(tmp_path)
    with limited_app(settings, redis_url=redis.url) as client:
        assert client.get("/v1/concepts", headers=auth("analyst")).status_code == 200
        redis.stop()
        statuses = [client.get("/v1/concepts", headers=auth("analyst")).status_code for _ in range(4)]
        assert statuses[-1] == 429 and statuses.count(200) == 3  # a fresh local bucket of 3


def test_a_scalar_query_parameter_given_twice_is_refused(client: TestClient) -> None:
    twice = client.get("/v1/concepts?q=a&q=b", headers=auth("analyst"))
    assert twice.status_code == 422
    assert twice.json()["error"]["details"] == [
        {"field": "q", "in": "query", "message": "give this parameter once"}
    ]
    listed = client.get("/v1/users/u1/predictions?units=a&units=b", headers=auth("analyst"))
    assert listed.status_code != 422 or listed.json()["error"]["details"][0]["field"] != "units"  # a list
