"""Model versions against the real Neo4j: export, train, register, activate, hot reload in a running app."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.cli import main
from learner_graph.config import Settings
from learner_graph.db.graph import Graph
from learner_graph.db.queries import Queries
from learner_graph.model import TrainConfig, registry
from learner_graph.model.data import export_graph
from learner_graph.model.service import train_version
from learner_graph.model.store import ModelStore
from learner_graph.runtime import Runtime
from tests.conftest import auth
from tests.model_fixtures import simulate, tiny_side

T = TypeVar("T")
START = datetime(2024, 1, 1, tzinfo=UTC)
FAST = TrainConfig(dim=2, epochs=5, batch_size=256, progress=False)


def with_graph(settings: Settings, queries: Queries, work: Callable[[Graph], Awaitable[T]]) -> T:
    async def run() -> T:
        async with Runtime.open(settings, queries=queries) as runtime:
            return await work(runtime.graph)

    return asyncio.run(run())


def load_simulated(db: Driver, n_students: int = 40, per_student: int = 15) -> dict[str, float]:
    """Questions in two units (u-a holds the first half), users and their attempts, written with Cypher."""
    log, difficulty = simulate(n_students=n_students, n_questions=12, per_student=per_student, seed=7)
    questions = [{"id": q, "concept": cs[0][0], "unit": "u-a" if i < 6 else "u-b"}
                 for i, (q, cs) in enumerate(sorted(log.concepts.items()))]
    db.execute_query(
        "UNWIND $rows AS row MERGE (c:Concept {id: row.concept}) MERGE (u:Unit {id: row.unit}) "
        "CREATE (u)-[:CONTAINS]->(:Question {id: row.id, text: 'question ' + row.id, difficulty_tag: 3})"
        "-[:ASSESSES {weight: 1.0}]->(c)", rows=questions)
    rows = zip(log.users, log.questions, log.correct, log.at, strict=True)
    attempts = [{"id": f"a{i}", "user": u, "q": q, "correct": bool(c),
                 "at": START + timedelta(minutes=float(t))}
                for i, (u, q, c, t) in enumerate(rows)]
    db.execute_query(
        "UNWIND $rows AS row MERGE (u:User {id: row.user}) WITH u, row MATCH (q:Question {id: row.q}) "
        "CREATE (u)-[:ATTEMPTED]->(:Attempt {id: row.id, user_id: row.user, question_id: row.q, "
        "correct: row.correct, at: row.at})-[:OF]->(q)", rows=attempts)
    db.execute_query("CREATE (:User {id: 'zz-no-attempts'})")
    return difficulty


def test_export_reads_every_attempt_in_batches_and_in_scope(db: Driver, settings: Settings,
                                                          queries: Queries) -> None:
    load_simulated(db, n_students=25, per_student=8)
    everything = with_graph(settings, queries, lambda g: export_graph(g, batch=7))
    assert len(everything) == 25 * 8
    assert len(everything.students()) == 25
    first = everything.select(everything.users == everything.users[0])
    assert np.all(np.diff(first.at) > 0)
    scoped = with_graph(settings, queries, lambda g: export_graph(g, units=["u-a"], batch=7))
    assert 0 < len(scoped) < len(everything)
    assert set(scoped.questions.tolist()) <= {f"q{i:04d}" for i in range(6)}
    assert scoped.texts["q0000"] == "question q0000" and scoped.tags["q0000"] == 3


def test_train_registers_activates_and_keeps_a_better_active_version(db: Driver, settings: Settings,
                                                                    queries: Queries) -> None:
    load_simulated(db)

    def train(force: bool) -> Callable[[Graph], Awaitable[dict[str, Any]]]:
        return lambda g: train_version(db=g, model_dir=settings.model_dir, force=force, config=FAST)

    first = with_graph(settings, queries, train(False))
    assert first["activated"] is True  # nothing was active
    assert (settings.model_dir / f"{first['model_id']}.json").exists()
    forced = with_graph(settings, queries, train(True))
    assert forced["activated"] is True
    versions = with_graph(settings, queries, lambda g: registry.list_versions(db=g))
    assert [v["id"] for v in versions if v["active"]] == [forced["model_id"]]
    assert {v["id"] for v in versions} == {first["model_id"], forced["model_id"]}
    assert 0 <= versions[0]["metrics"]["auc"] <= 1
    assert "item_elo" in versions[0]["metrics"]["baselines"]
    loaded = with_graph(settings, queries, lambda g: registry.load_active(db=g))
    assert loaded is not None and loaded.model_id == forced["model_id"]
    assert len(loaded.question_ids) == 12


def _wait_for(client: TestClient, model_id: str) -> str | None:
    deadline, seen = time.monotonic() + 10, None
    while time.monotonic() < deadline:
        seen = client.get("/v1/admin/models/current", headers=auth("admin")).json()["model_id"]
        if seen == model_id:
            break
        time.sleep(0.2)
    return seen


def test_running_app_switches_to_a_newly_activated_version(client: TestClient, settings: Settings,
                                                           queries: Queries, db: Driver) -> None:
    async def put_two(g: Graph) -> None:
        for model_id in ("m-one", "m-two"):
            await registry.register(db=g, side=tiny_side(model_id=model_id), metrics={"auc": 0.5}, scope=[])

    with_graph(settings, queries, put_two)
    assert client.get("/v1/admin/models/current", headers=auth("admin")).json() == {"model_id": None}
    assert client.post("/v1/admin/models/m-one/activate", headers=auth("admin")).status_code == 200
    # Activated through this process: served from the very next request, no waiting.
    assert client.get("/v1/admin/models/current", headers=auth("admin")).json() == {"model_id": "m-one"}
    # Another process (the trainer, another replica) activates a version: this app follows, no restart.
    db.execute_query(queries["model_activate"], id="m-two")
    assert _wait_for(client, "m-two") == "m-two"
    listed = client.get("/v1/admin/models", headers=auth("admin")).json()["items"]
    assert {(v["id"], v["active"]) for v in listed} == {("m-one", False), ("m-two", True)}
    assert client.post("/v1/admin/models/nope/activate", headers=auth("admin")).status_code == 404
    assert client.get("/v1/admin/models", headers=auth("learner_app")).status_code == 403


def test_train_route_trains_in_the_background(client: TestClient, db: Driver) -> None:
    load_simulated(db, n_students=20, per_student=10)
    started = client.post("/v1/admin/models/train", json={"force": True}, headers=auth("admin"))
    assert started.status_code == 202
    deadline, listed = time.monotonic() + 240, []
    while time.monotonic() < deadline and not listed:
        time.sleep(1)
        listed = client.get("/v1/admin/models", headers=auth("admin")).json()["items"]
    assert len(listed) == 1 and listed[0]["active"] is True


def test_cli_train_and_eval_on_the_graph(db: Driver, settings: Settings, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    load_simulated(db, n_students=30, per_student=10)
    monkeypatch.setenv("LG_NEO4J_URI", settings.neo4j_uri)
    monkeypatch.setenv("LG_MODEL_DIR", str(tmp_path))
    small = ["--quiet", "--dim", "2", "--epochs", "3"]
    assert main(["train", "--scope", "u-a", "u-b", *small]) == 0
    trained = json.loads(capsys.readouterr().out)
    assert trained["activated"] is True and (tmp_path / f"{trained['model_id']}.json").exists()
    assert main(["eval", "--graph", "--json", *small]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"auc", "log_loss", "brier", "ece", "baselines"} <= set(report)
    assert report["n"] == 6 * 10  # the held-out fifth of the 30 students


def test_store_knows_graph_questions_newer_than_the_model(db: Driver, settings: Settings,
                                                         queries: Queries) -> None:
    db.execute_query(
        "CREATE (:Question {id: 'fresh', text: 'add two small numbers', difficulty_tag: 1})"
        "-[:ASSESSES {weight: 1.0}]->(:Concept {id: 'add'})")

    async def load(g: Graph) -> Any:
        await registry.register(db=g, side=tiny_side(model_id="m-old"), metrics={}, scope=[])
        await registry.activate(db=g, model_id="m-old")
        store = ModelStore()
        return await store.current(g), await store.current(g)

    side, again = with_graph(settings, queries, load)
    assert side is again  # unchanged: the second call is served from memory
    assert side.model_id == "m-old" and side.question_ids[-1] == "fresh"
    q = side.index["fresh"]
    assert side.concept_ids[side.concepts_of(q)[0][0]] == "add"
    assert side.vectors[q][0] > side.vectors[q][1]  # like "easy" (same concept and text), not "mid"
