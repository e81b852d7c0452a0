"""The routes the web console needs beyond the domain ones: the concept graph in one answer,
learners listed, a learner's recommendations, flags resolved, drafts edited, exposures per day,
the experimenter role, the calibration table kept with a model, and /console itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.api.app import create_app
from learner_graph.config import Settings
from tests.conftest import auth
from tests.content_fixtures import concept, question, unit

DRAFT = {
    "key": "easier",
    "arms": [
        {"name": "control", "weight": 0.5},
        {"name": "easy", "weight": 0.5, "overrides": {"target_p": 0.7}},
    ],
    "control": "control",
    "primary_metrics": ["attempts"],
}


def test_concept_graph_in_one_answer(client: TestClient, db: Driver) -> None:
    concept(client, "a")
    concept(client, "b", "a")
    concept(client, "c", "a", "b", subject="physics")
    graph = client.get("/v1/content/graph", headers=auth("analyst")).json()
    assert sorted(c["id"] for c in graph["concepts"]) == ["a", "b", "c"]
    assert {c["id"]: c["subject"] for c in graph["concepts"]}["c"] == "physics"
    assert sorted(map(tuple, graph["edges"])) == [("b", "a"), ("c", "a"), ("c", "b")]


def test_units_holding_a_concepts_questions(client: TestClient, db: Driver) -> None:
    """The concept panel lists the units whose own questions assess the concept (not their ancestors)."""
    concept(client, "a")
    concept(client, "b")
    question(client, "qa", "a")
    question(client, "qab", "a", "b")
    question(client, "qb", "b")
    unit(client, "u.a", questions=["qa"])
    unit(client, "u.ab", questions=["qab"])
    unit(client, "u.b", questions=["qb"])
    unit(client, "u.top", units=["u.a", "u.b"])

    def units_of(cid: str) -> list[str]:
        response = client.get("/v1/units", params={"concept": cid}, headers=auth("analyst"))
        assert response.status_code == 200, response.text
        return [u["id"] for u in response.json()["items"]]

    assert units_of("a") == ["u.a", "u.ab"]
    assert units_of("b") == ["u.ab", "u.b"]
    assert units_of("nowhere") == []


def test_learners_listed_searched_and_paged(client: TestClient, db: Driver) -> None:
    with db.session() as session:
        session.run(
            "UNWIND range(1, 5) AS i CREATE (:User {id: 's-' + i, timezone: 'UTC'})"
        ).consume()
        session.run("MATCH (u:User {id: 's-3'}) SET u.display_name = 'Aiko'").consume()
    first = client.get("/v1/users?limit=2", headers=auth("analyst")).json()
    assert [u["id"] for u in first["items"]] == ["s-1", "s-2"]
    rest = client.get(
        f"/v1/users?limit=10&cursor={first['next_cursor']}", headers=auth("analyst")
    ).json()
    assert [u["id"] for u in rest["items"]] == ["s-3", "s-4", "s-5"] and rest["next_cursor"] is None
    found = client.get("/v1/users?q=aiKO", headers=auth("analyst")).json()
    assert [u["id"] for u in found["items"]] == ["s-3"]
    assert client.get("/v1/users?limit=0", headers=auth("analyst")).status_code == 422
    assert client.get("/v1/users", headers=auth("experimenter")).status_code == 403


def test_a_learners_recent_recommendations(client: TestClient, db: Driver) -> None:
    concept(client, "a")
    for i in range(3):
        question(client, f"q{i}", "a")
    served = []
    for _ in range(2):
        response = client.post(
            "/v1/recommendations",
            json={"user_id": "u1", "concepts": ["a"], "n": 2},
            headers=auth("learner_app"),
        )
        assert response.status_code == 200, response.text
        served.append(response.json()["id"])
    recent = client.get("/v1/users/u1/recommendations", headers=auth("analyst")).json()
    assert set(recent) == {"items", "next_cursor", "total"} and recent["total"] == 2  # the list shape
    assert [r["id"] for r in recent["items"]] == served[::-1]  # newest first
    assert all(item["explanation"]["reasons"] for r in recent["items"] for item in r["items"])
    first = client.get("/v1/users/u1/recommendations?limit=1", headers=auth("analyst")).json()
    assert [r["id"] for r in first["items"]] == [served[1]] and first["next_cursor"]
    assert client.get("/v1/users/nobody/recommendations", headers=auth("analyst")).status_code == 404
    assert client.get("/v1/users/a%2Fb/recommendations", headers=auth("analyst")).status_code in (404, 422)


def test_resolving_a_flag_clears_it_until_new_reports(client: TestClient, db: Driver) -> None:
    concept(client, "a")
    question(client, "q1", "a")
    earlier = datetime.now(UTC) - timedelta(hours=1)

    def report(user: str, at: datetime) -> None:
        with db.session() as session:
            session.run(
                "MATCH (q:Question {id: 'q1'}) MERGE (u:User {id: $user}) MERGE (u)-[b:REPORTED_BROKEN]->(q) "
                "SET b.at = $at",
                user=user,
                at=at,
            ).consume()

    report("u1", earlier)
    report("u2", earlier)
    flags = client.get("/v1/content/flags", headers=auth("content_editor")).json()
    assert [(f["question_id"], f["reports"]) for f in flags] == [("q1", 2)]
    assert sorted(r["user_id"] for r in flags[0]["reported_by"]) == ["u1", "u2"]
    assert client.post("/v1/content/flags/q1/resolve", headers=auth("analyst")).status_code == 403
    resolved = client.post("/v1/content/flags/q1/resolve", headers=auth("content_editor"))
    assert resolved.status_code == 200 and resolved.json()["resolved_by"] == "t-content_editor"
    assert (
        client.post("/v1/content/flags/q1/resolve", headers=auth("content_editor")).status_code
        == 200
    )
    assert client.get("/v1/content/flags", headers=auth("content_editor")).json() == []
    later = datetime.now(UTC) + timedelta(minutes=1)
    report("u3", later)
    report("u4", later)
    assert [
        f["reports"] for f in client.get("/v1/content/flags", headers=auth("content_editor")).json()
    ] == [2]
    missing = client.post("/v1/content/flags/nope/resolve", headers=auth("content_editor"))
    assert missing.status_code == 404


def test_experimenter_runs_experiments_without_admin(client: TestClient, db: Driver) -> None:
    pm = auth("experimenter")
    assert client.get("/v1/me", headers=pm).json()["role"] == "experimenter"
    assert client.post("/v1/experiments", json=DRAFT, headers=pm).status_code == 201
    assert (
        client.patch("/v1/experiments/easier", json={"coverage": 0.5}, headers=pm).status_code
        == 200
    )
    assert client.post("/v1/experiments/easier/start", headers=pm).json()["status"] == "running"
    assert client.get("/v1/experiments/easier/results", headers=pm).status_code == 200
    assert client.post("/v1/experiments/easier/stop", headers=pm).json()["status"] == "stopped"
    # ... but nothing outside experiments, and analysts still only read.
    assert client.get("/v1/concepts", headers=pm).status_code == 403
    assert client.get("/v1/admin/models", headers=pm).status_code == 403
    draft2 = DRAFT | {"key": "other"}
    assert client.post("/v1/experiments", json=draft2, headers=auth("analyst")).status_code == 403


def test_only_a_draft_is_edited(client: TestClient, db: Driver) -> None:
    pm = auth("experimenter")
    client.post("/v1/experiments", json=DRAFT, headers=pm)
    edited = DRAFT | {"description": "now with a hypothesis", "coverage": 0.25}
    response = client.put("/v1/experiments/easier", json=edited, headers=pm)
    assert response.status_code == 200, response.text
    assert (
        response.json()["description"] == "now with a hypothesis"
        and response.json()["coverage"] == 0.25
    )
    assert client.get("/v1/experiments/easier", headers=pm).json()["coverage"] == 0.25
    bad = DRAFT | {"control": "nobody"}
    problems = client.put("/v1/experiments/easier", json=bad, headers=pm)
    assert problems.status_code == 422
    assert client.get("/v1/experiments/easier", headers=pm).json()["control"] == "control"
    renamed = client.put("/v1/experiments/easier", json=DRAFT | {"key": "x"}, headers=pm)
    assert renamed.status_code == 422 and renamed.json()["error"]["details"][0]["field"] == "key"
    assert (
        client.put("/v1/experiments/nope", json=DRAFT | {"key": "nope"}, headers=pm).status_code
        == 404
    )
    client.post("/v1/experiments/easier/start", headers=pm)
    assert client.put("/v1/experiments/easier", json=edited, headers=pm).status_code == 409


def test_exposures_per_day_and_arm(client: TestClient, db: Driver) -> None:
    client.post("/v1/experiments", json=DRAFT, headers=auth("experimenter"))
    with db.session() as session:
        session.run(
            "MATCH (e:Experiment {key: 'easier'}) UNWIND $rows AS row "
            "CREATE (:User {id: row[0]})-[:EXPOSED {arm: row[1], first_at: datetime(row[2])}]->(e)",
            rows=[
                ["u1", "control", "2026-03-01T10:00:00Z"],
                ["u2", "easy", "2026-03-01T11:00:00Z"],
                ["u3", "easy", "2026-03-01T23:00:00Z"],
                ["u4", "control", "2026-03-02T01:00:00Z"],
            ],
        ).consume()
    days = client.get("/v1/experiments/easier/exposures", headers=auth("analyst")).json()
    assert days == [
        {"day": "2026-03-01", "arm": "control", "exposed": 1},
        {"day": "2026-03-01", "arm": "easy", "exposed": 2},
        {"day": "2026-03-02", "arm": "control", "exposed": 1},
    ]
    assert client.get("/v1/experiments/nope/exposures", headers=auth("analyst")).status_code == 404


def test_console_served_and_root_redirects(settings: Settings, tmp_path: object) -> None:
    from pathlib import Path

    built = Path(str(tmp_path)) / "dist"
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_text("<!doctype html><div id=root></div>")
    (built / "assets" / "app.js").write_text("console.log(1)")
    with TestClient(create_app(settings.model_copy(update={"console_dir": built}))) as client:
        assert client.get("/", follow_redirects=False).headers["location"] == "/console/"
        assert "id=root" in client.get("/console/").text
        assert (
            client.get("/console/assets/app.js")
            .headers["content-type"]
            .startswith("text/javascript")
        )
    with TestClient(create_app(settings.model_copy(update={"console_dir": tmp_path}))) as client:
        missing = client.get("/console/")
        assert missing.status_code == 503 and "make console" in missing.json()["error"]["message"]


def test_import_dry_run_lists_problems_and_writes_nothing(client: TestClient, db: Driver) -> None:
    concept(client, "a")
    before = client.get("/v1/content/version", headers=auth("analyst")).json()["version"]
    good = {
        "format": "learner-graph/content@1",
        "concepts": [
            {"id": "a", "name": "Concept a", "subject": "math"},
            {"id": "b", "name": "B", "subject": "math", "requires": ["a"]},
        ],
    }
    planned = client.post(
        "/v1/content/import?dry_run=true", json=good, headers=auth("content_editor")
    )
    assert planned.status_code == 200, planned.text
    assert (
        planned.json()["created"]["concepts"] == 1 and planned.json()["unchanged"]["concepts"] == 1
    )
    assert planned.json()["version"] == before
    bad = {
        "format": "learner-graph/content@1",
        "concepts": [
            {"id": "b", "name": "", "subject": "math"},
            {"id": "c", "name": "C", "subject": "math", "requires": ["nope"]},
        ],
    }
    refused = client.post(
        "/v1/content/import?dry_run=true", json=bad, headers=auth("content_editor")
    )
    assert refused.status_code == 422
    fields = {d["field"] for d in refused.json()["error"]["details"]}
    assert any("name" in f for f in fields) and any("requires" in f for f in fields), fields
    assert client.get("/v1/concepts/b", headers=auth("analyst")).status_code == 404
    assert client.get("/v1/content/version", headers=auth("analyst")).json()["version"] == before
    applied = client.post("/v1/content/import", json=good, headers=auth("content_editor"))
    assert applied.json()["created"]["concepts"] == 1
    assert client.get("/v1/concepts/b", headers=auth("analyst")).status_code == 200


def test_experiment_rules_give_the_forms_bounds(client: TestClient) -> None:
    rules = client.get("/v1/experiment-rules", headers=auth("experimenter")).json()
    assert "ability_gain" in rules["metrics"] and rules["lower_is_better"] == ["dismissals"]
    target = next(o for o in rules["overrides"] if o["key"] == "target_p")
    assert (target["type"], target["min"], target["max"]) == ("number", 0.05, 0.95)
    assert next(o for o in rules["overrides"] if o["key"] == "model_version")["type"] == "string"


def test_console_demo_seed_is_idempotent(settings: Settings, db: Driver) -> None:
    import asyncio

    from learner_graph.cli.demo_console import EXPERIMENT, seed_console
    from learner_graph.runtime import Runtime
    from seed.curriculum import build_curriculum

    now = datetime.now(UTC)
    with TestClient(create_app(settings)) as client:
        client.post("/v1/content/import", json=build_curriculum(), headers=auth("content_editor"))
        attempts = [
            {
                "attempt_id": f"d-{u}-{k}",
                "user_id": f"learner-{u}",
                "question_id": "q-frac-add-0001",
                "correct": k % 2 == 0,
                "time_spent_ms": 30_000,
                "at": (now - timedelta(days=k + 1)).isoformat(),
            }
            for u in range(40)
            for k in range(4)
        ]
        assert client.post(
            "/v1/attempts", json={"attempts": attempts}, headers=auth("learner_app")
        ).is_success

    async def seed() -> dict[str, object]:
        async with Runtime.open(settings) as runtime:
            return await seed_console(db=runtime.graph, now=datetime.now(UTC))

    first = asyncio.run(seed())
    assert first["experiment_exposed"] == 40 and first["audit"] == 2 and first["flag_reports"] == 6
    assert asyncio.run(seed()) == {}
    with TestClient(create_app(settings)) as client:
        results = client.get(
            f"/v1/experiments/{EXPERIMENT}/results", headers=auth("analyst")
        ).json()
        assert results["status"] == "stopped" and sum(a["exposed_users"] for a in results["arms"]) == 40
        flags = client.get("/v1/content/flags", headers=auth("analyst")).json()
        assert len(flags) == 2
        authors = {
            c["author"]
            for c in client.get("/v1/content/changes", headers=auth("analyst")).json()["items"]
        }
        assert {"alice", "bob"} <= authors
