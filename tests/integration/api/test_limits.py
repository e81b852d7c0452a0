"""Bounded requests: body size (413) and per-key rate limits (429), against the real servers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from redis.asyncio import Redis

from learner_graph.api.app import create_app
from learner_graph.cache import Cache
from learner_graph.config import Settings
from learner_graph.db.versions import CONTENT, Versions, learner_key
from learner_graph.ratelimit import Limit, RateLimited, RateLimiter
from tests.conftest import auth
from tests.recommend_fixtures import make_course
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


def test_recommendations_count_against_the_key_once_their_body_is_parsed(
    settings: Settings, db: Driver
) -> None:
    make_course(db, questions_per_concept=2)
    body = {"user_id": "u1", "units": ["s-counting"], "n": 2}
    with limited_app(settings, rate_limit_per_s=0.01) as client:  # nothing refilled during the test
        app = auth("learner_app")
        bad = client.post("/v1/recommendations", json={"user_id": "u1", "n": 0}, headers=app)
        assert bad.status_code == 422  # refused before the limit is taken: not counted
        statuses = [client.post("/v1/recommendations", json=body, headers=app).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = client.post("/v1/recommendations", json=body, headers=app)
        assert refused.json()["error"]["code"] == "rate_limited" and int(refused.headers["retry-after"]) >= 1
        assert refused.headers["ratelimit-limit"] == "3" and refused.headers["ratelimit-remaining"] == "0"
        assert client.get("/v1/concepts", headers=auth("analyst")).status_code == 200  # another key's bucket


def test_one_round_trip_takes_the_limit_and_reads_the_tokens_as_versions_does(settings: Settings) -> None:
    async def main() -> None:
        client = Redis.from_url(settings.redis_url)
        cache = Cache(client)
        versions, limiter = Versions(cache), RateLimiter(cache)
        keys, limit = [learner_key("limits-u1"), CONTENT], Limit(rate=0.001, burst=2)

        async def hit() -> tuple[str, ...] | None:
            return await limiter.hit_reading("key:t", limit, keys, versions.read_args(2) or [])

        try:
            await client.delete(*[cache.prefix + k for k in [*keys, "rl:key:t"]])
            made = await hit()
            assert made is not None and len(set(made)) == 2  # missing tokens are made, one per key
            assert await versions.tokens(keys) == made  # and are the ones `Versions` reads
            await versions.bump([keys[0]])
            again = await hit()
            assert again is not None and again[0] != made[0] and again[1] == made[1]
            with pytest.raises(RateLimited):  # the bucket of 2 is empty: refused, whatever the tokens
                await hit()
        finally:
            await client.aclose()

    asyncio.run(main())


def test_leased_tokens_never_admit_more_than_the_shared_bucket_across_processes(settings: Settings) -> None:
    """Two limiters on their own Redis clients (two workers): blocks of 4 from a bucket of 64 that
    does not refill. Together they admit exactly 64, each refusing once its block and Redis are empty."""

    async def main() -> None:
        clients = [Redis.from_url(settings.redis_url) for _ in range(2)]
        limiters = [RateLimiter(Cache(client), lease=8) for client in clients]
        limit = Limit(rate=0.001, burst=64)
        assert limiters[0].block(limit) == 4  # a sixteenth of the burst, under the lease of 8
        try:
            await clients[0].delete("lg:rl:key:leased")
            admitted = [0, 0]
            refused = [0, 0]
            for turn in range(100):
                which = turn % 2 if turn < 40 else 1  # both at first, then the second alone
                try:
                    await limiters[which].hit("key:leased", limit)
                    admitted[which] += 1
                    assert refused[which] == 0  # never admitted again after a refusal
                except RateLimited as refusal:
                    refused[which] += 1
                    headers = refusal.verdict.headers()  # Redis's own count: empty, a token in ~1,000 s
                    assert headers["RateLimit-Remaining"] == "0" and int(headers["Retry-After"]) > 900
            assert admitted == [20, 44] and sum(admitted) == 64
            assert refused == [0, 36]
            with pytest.raises(RateLimited):
                await limiters[0].hit("key:leased", limit)  # the first's block is spent, Redis is empty
        finally:
            for client in clients:
                await client.aclose()

    asyncio.run(main())


def test_two_app_instances_sharing_redis_refuse_past_the_burst(settings: Settings, db: Driver) -> None:
    """The same through two apps (leases of 4 tokens): the 65th request is refused, with Retry-After."""
    changes = {"rate_limit_per_s": 0.001, "rate_limit_burst": 64, "rate_limit_lease": 4}
    with limited_app(settings, **changes) as first, limited_app(settings, **changes) as second:
        analyst = auth("analyst")
        apps = [second, first]
        statuses = [apps[i % 2].get("/v1/concepts", headers=analyst).status_code for i in range(70)]
        assert statuses.count(200) == 64 and statuses[:64] == [200] * 64
        refused = second.get("/v1/concepts", headers=analyst)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert refused.headers["ratelimit-remaining"] == "0"
