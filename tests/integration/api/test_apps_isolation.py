"""Apps (tenants) and learner tokens over every learner route, against the real Neo4j and Redis."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.api.app import create_app
from learner_graph.config import Settings
from learner_graph.tokens import AUDIENCE
from tests.recommend_fixtures import make_course

ROLES = ("learner_app", "content_editor", "analyst")
SECRETS = {"a": "a" * 40, "b": "b" * 40}
ids = itertools.count()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def key(app: str, role: str) -> dict[str, str]:
    return bearer(f"{app}-{role}-secret")


ADMIN = bearer("root-secret")


@pytest.fixture(scope="module")
def api(settings: Settings, neo4j_driver: Driver) -> Iterator[TestClient]:
    """The API with keys of every role in two apps, an admin, and each app's token secret."""
    keys = [f"{app}-{role}:{role}:{app}-{role}-secret:{app}" for app in SECRETS for role in ROLES]
    two_apps = Settings(
        **{
            **settings.model_dump(),
            "api_keys": ",".join([*keys, "root:admin:root-secret"]),
            "app_secrets": ",".join(f"{app}:{secret}" for app, secret in SECRETS.items()),
        },
        _env_file=None,  # type: ignore[call-arg]
    )
    with TestClient(create_app(two_apps)) as client:
        yield client


@pytest.fixture
def world(api: TestClient, db: Driver) -> dict[str, str]:
    """Learner `ua` of app a with an attempt and a recommendation."""
    make_course(db)
    attempt = {
        "attempt_id": "seed-1",
        "user_id": "ua",
        "question_id": "q-counting-1",
        "correct": True,
        "time_spent_ms": 1000,
    }
    assert api.post("/v1/attempts", json=attempt, headers=key("a", "learner_app")).status_code == 200
    rec = api.post(
        "/v1/recommendations",
        json={"user_id": "ua", "units": ["course"], "n": 2},
        headers=key("a", "learner_app"),
    )
    assert rec.status_code == 200, rec.text
    return {"user": "ua", "rec": rec.json()["id"], "question": rec.json()["items"][0]["question_id"]}


def attempt_body(w: dict[str, str]) -> dict[str, Any]:
    return {
        "attempt_id": f"iso-{next(ids)}",
        "user_id": w["user"],
        "question_id": "q-adding-1",
        "correct": False,
        "time_spent_ms": 1000,
    }


# (method, path, body, roles that may call it)
LEARNER_ROUTES: list[tuple[str, str, Any, tuple[str, ...]]] = [
    ("GET", "/v1/users/{user}", None, ROLES),
    ("PATCH", "/v1/users/{user}", lambda w: {"timezone": "Europe/Paris"}, ("learner_app",)),
    ("GET", "/v1/users/{user}/mastery", None, ROLES),
    ("GET", "/v1/users/{user}/gaps?concept=fractions", None, ROLES),
    ("GET", "/v1/users/{user}/ready", None, ROLES),
    ("GET", "/v1/users/{user}/streak", None, ROLES),
    ("GET", "/v1/users/{user}/attempts", None, ROLES),
    ("GET", "/v1/users/{user}/predictions?questions=q-counting-2", None, ROLES),
    ("POST", "/v1/attempts", attempt_body, ("learner_app",)),
    (
        "POST",
        "/v1/recommendations",
        lambda w: {"user_id": w["user"], "units": ["course"], "n": 1},
        ("learner_app",),
    ),
    ("GET", "/v1/recommendations/{rec}", None, ROLES),
    (
        "POST",
        "/v1/recommendations/{rec}/feedback",
        lambda w: {"question_id": w["question"], "action": "shown"},
        ("learner_app",),
    ),
    ("POST", "/v1/learner-tokens", lambda w: {"user_id": w["user"]}, ("learner_app",)),
]


def call(
    api: TestClient, route: tuple[str, str, Any, tuple[str, ...]], w: dict[str, str], headers: dict[str, str]
) -> Any:
    method, path, body, _ = route
    return api.request(method, path.format(**w), json=body(w) if body else None, headers=headers)


def test_every_learner_route_by_role_and_app(api: TestClient, world: dict[str, str]) -> None:
    seen = []
    for route, role, app in itertools.product(LEARNER_ROUTES, ROLES, SECRETS):
        response = call(api, route, world, key(app, role))
        if role not in route[3]:
            expected = 403  # the role check comes first: nothing is said about the learner
        else:
            expected = 200 if app == "a" else 404
        seen.append((route[0], route[1], role, app, response.status_code))
        assert response.status_code == expected, (route[:2], role, app, response.text)
        if expected == 404:
            assert response.json()["error"]["code"] == "not_found"
    for route in LEARNER_ROUTES:  # admins see every app
        assert call(api, route, world, ADMIN).status_code == 200, route[:2]
    assert len(seen) == len(LEARNER_ROUTES) * 6


def test_another_apps_writes_store_nothing(api: TestClient, world: dict[str, str], db: Driver) -> None:
    batch = {
        "attempts": [
            {
                "attempt_id": "b-new",
                "user_id": "ub",
                "question_id": "q-counting-1",
                "correct": True,
                "time_spent_ms": 1000,
            },
            {
                "attempt_id": "b-steal",
                "user_id": "ua",
                "question_id": "q-counting-1",
                "correct": True,
                "time_spent_ms": 1000,
            },
        ]
    }
    refused = api.post("/v1/attempts", json=batch, headers=key("b", "learner_app"))
    assert refused.status_code == 404
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["attempts[1].user_id"]
    stored = db.execute_query("MATCH (a:Attempt) WHERE a.id STARTS WITH 'b-' RETURN count(a) AS n").records
    assert stored[0]["n"] == 0  # all or nothing: ub's attempt was not kept either
    assert db.execute_query("MATCH (u:User {id: 'ub'}) RETURN u").records == []
    # The same id in app b stays refused; b's own new learner is created in b.
    ok = api.post("/v1/attempts", json=batch["attempts"][0], headers=key("b", "learner_app"))
    assert ok.status_code == 200
    apps = db.execute_query("MATCH (u:User) RETURN u.id AS id, u.app AS app ORDER BY id").records
    assert [(r["id"], r["app"]) for r in apps] == [("ua", "a"), ("ub", "b")]
    recs = db.execute_query("MATCH (r:Recommendation) RETURN collect(DISTINCT r.app) AS apps").records
    assert recs[0]["apps"] == ["a"]


def test_a_recommendations_new_learner_is_not_anothers(api: TestClient, world: dict[str, str]) -> None:
    """The learner's app is read with their state: a learner stored by their first recommendation
    (no attempt yet, so no new version token) is another app's from the next request on."""
    body = {"user_id": "fresh", "units": ["course"], "n": 1}
    for _ in range(2):  # the second from the learner-state cache, were a not-stored learner kept
        assert api.post("/v1/recommendations", json=body, headers=key("a", "learner_app")).status_code == 200
    refused = api.post("/v1/recommendations", json=body, headers=key("b", "learner_app"))
    assert refused.status_code == 404
    assert refused.json()["error"] == {"code": "not_found", "message": "unknown user 'fresh'", "details": []}
    assert api.post("/v1/recommendations", json=body, headers=ADMIN).status_code == 200


def test_a_step_served_from_the_carried_state_still_refuses_another_app(
    api: TestClient, world: dict[str, str]
) -> None:
    """After each answer the learner's state is carried over in the process (no Neo4j read): the
    learner's app travels with it, so another app's key is still told the learner is unknown."""
    body = {"user_id": world["user"], "units": ["course"], "n": 2}
    states = api.app.state.runtime.states  # type: ignore[attr-defined]
    own = key("a", "learner_app")
    for _ in range(2):
        assert api.post("/v1/attempts", json=attempt_body(world), headers=own).status_code == 200
        kept = states.hits
        assert api.post("/v1/recommendations", json=body, headers=own).status_code == 200
        assert states.hits == kept + 1
    refused = api.post("/v1/recommendations", json=body, headers=key("b", "learner_app"))
    assert refused.status_code == 404
    assert states.hits == kept + 2  # refused from the kept state, not from a read


def mint(api: TestClient, app: str, user: str, ttl_s: int = 900) -> str:
    response = api.post(
        "/v1/learner-tokens", json={"user_id": user, "ttl_s": ttl_s}, headers=key(app, "learner_app")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["app"] == app and body["user_id"] == user
    return str(body["token"])


def test_learner_token_reaches_its_own_learner_only(api: TestClient, world: dict[str, str]) -> None:
    token = bearer(mint(api, "a", "ua"))
    own = [
        ("GET", "/v1/users/ua/mastery", None),
        ("GET", "/v1/users/ua/streak", None),
        (
            "POST",
            "/v1/attempts",
            {
                "attempt_id": "tok-1",
                "user_id": "ua",
                "question_id": "q-adding-2",
                "time_spent_ms": 900,
                "correct": True,
            },
        ),
        ("POST", "/v1/recommendations", {"user_id": "ua", "units": ["course"], "n": 1}),
        ("GET", f"/v1/recommendations/{world['rec']}", None),
        (
            "POST",
            f"/v1/recommendations/{world['rec']}/feedback",
            {"question_id": world["question"], "action": "clicked"},
        ),
    ]
    for method, path, body in own:
        assert api.request(method, path, json=body, headers=token).status_code == 200, path
    other = {
        "attempt_id": "tok-2",
        "user_id": "someone",
        "question_id": "q-adding-2",
        "correct": True,
        "time_spent_ms": 900,
    }
    assert api.post("/v1/attempts", json=other, headers=token).status_code == 403
    assert api.get("/v1/users/someone/mastery", headers=token).status_code == 403
    # Routes outside the learner's own: refused whatever the learner.
    for method, path in [
        ("GET", "/v1/concepts"),
        ("PATCH", "/v1/users/ua"),
        ("POST", "/v1/learner-tokens"),
        ("GET", "/v1/experiments"),
        ("DELETE", "/v1/users/ua"),
    ]:
        response = api.request(method, path, json={"timezone": "UTC", "user_id": "ua"}, headers=token)
        assert response.status_code == 403, (path, response.text)
    # App b's backend cannot mint for a's learner.
    assert (
        api.post("/v1/learner-tokens", json={"user_id": "ua"}, headers=key("b", "learner_app")).status_code
        == 404
    )


def test_expired_forged_and_foreign_tokens_are_refused(api: TestClient, world: dict[str, str]) -> None:
    now = datetime.now(UTC)
    claims = {
        "sub": "ua",
        "aud": AUDIENCE,
        "iat": int((now - timedelta(hours=1)).timestamp()),
        "exp": int((now - timedelta(minutes=1)).timestamp()),
    }
    expired = jwt.encode(claims, SECRETS["a"], algorithm="HS256", headers={"kid": "a"})
    response = api.get("/v1/users/ua/mastery", headers=bearer(expired))
    assert response.status_code == 401 and "expired" in response.json()["error"]["message"]
    valid = {**claims, "exp": int((now + timedelta(minutes=5)).timestamp())}
    forged = jwt.encode(valid, "x" * 40, algorithm="HS256", headers={"kid": "a"})
    assert api.get("/v1/users/ua/mastery", headers=bearer(forged)).status_code == 401
    unknown_app = jwt.encode(valid, "x" * 40, algorithm="HS256", headers={"kid": "zz"})
    assert api.get("/v1/users/ua/mastery", headers=bearer(unknown_app)).status_code == 401
    # Signed by app b for ua: b's token holder is told ua does not exist.
    b_token = jwt.encode(valid, SECRETS["b"], algorithm="HS256", headers={"kid": "b"})
    assert api.get("/v1/users/ua/mastery", headers=bearer(b_token)).status_code == 404
    metrics = api.get("/metrics").text
    assert 'lg_auth_failures_total{reason="bad_token"} 3.0' in metrics


def test_an_experiment_may_target_some_apps(api: TestClient, world: dict[str, str]) -> None:
    definition = {
        "key": "b-only",
        "arms": [{"name": "control", "weight": 0.5}, {"name": "other", "weight": 0.5}],
        "control": "control",
        "apps": ["b"],
    }
    assert api.post("/v1/experiments", json=definition, headers=ADMIN).status_code in (200, 201)
    assert api.post("/v1/experiments/b-only/start", headers=ADMIN).status_code == 200
    api.app.state.runtime.experiments.clear()  # type: ignore[attr-defined]
    body = {"units": ["course"], "n": 1}
    in_a = api.post("/v1/recommendations", json={**body, "user_id": "ua"}, headers=key("a", "learner_app"))
    in_b = api.post("/v1/recommendations", json={**body, "user_id": "ub"}, headers=key("b", "learner_app"))
    assert in_a.json()["experiments"] == {}
    assert set(in_b.json()["experiments"]) == {"b-only"}
