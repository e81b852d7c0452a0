"""Bulk import against the real Neo4j: counts, idempotence, round trip, validation, the CLI."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.cli import main as cli_main
from learner_graph.config import Settings
from tests.conftest import auth
from tests.content_fixtures import EDITOR, version


def document() -> dict[str, Any]:
    """A small curriculum: two sections of one chapter, four questions, a prerequisite chain."""
    return {
        "format": "learner-graph/content@1",
        "concepts": [
            {"id": "int-add", "name": "Adding integers", "subject": "math", "requires": []},
            {"id": "frac-equiv", "name": "Equivalent fractions", "subject": "math", "requires": []},
            {"id": "frac-add", "name": "Adding fractions", "description": "same denominator first",
             "subject": "math", "requires": ["int-add", "frac-equiv"]},
        ],
        "units": [
            {"id": "math", "name": "Mathematics", "kind": "subject", "units": ["math.fr"], "questions": []},
            {"id": "math.fr", "name": "Fractions", "kind": "chapter", "units": ["math.fr.2", "math.fr.1"],
             "questions": [], "filter_scope": ["math"]},
            {"id": "math.fr.1", "name": "Equivalence", "kind": "section", "questions": ["q2", "q1"]},
            {"id": "math.fr.2", "name": "Addition", "kind": "section", "questions": ["q3", "q4", "q1"]},
        ],
        "questions": [
            {"id": f"q{i}", "text": f"Question {i}?", "difficulty_tag": i,
             "concepts": [{"id": "frac-add", "weight": 1.0}, {"id": "frac-equiv", "weight": 0.5}][:1 + i % 2],
             "answer": {"kind": "numeric", "value": str(i)}}
            for i in range(1, 5)
        ],
    }  # fmt: skip


def post(client: TestClient, doc: dict[str, Any]) -> Any:
    return client.post("/v1/content/import", json=doc, headers=EDITOR)


def test_import_counts_idempotence_and_round_trip(client: TestClient) -> None:
    first = post(client, document())
    assert first.status_code == 200, first.text
    assert first.json() == {
        "created": {"concepts": 3, "units": 4, "questions": 4},
        "updated": {"concepts": 0, "units": 0, "questions": 0},
        "unchanged": {"concepts": 0, "units": 0, "questions": 0},
        "version": 1,
    }
    changes = client.get("/v1/content/changes", params={"limit": 500}, headers=EDITOR).json()
    assert changes["total"] == 11 and {c["version"] for c in changes["items"]} == {1}

    again = post(client, document()).json()
    assert again["unchanged"] == {"concepts": 3, "units": 4, "questions": 4} and again["version"] == 1
    assert version(client) == 1

    exported = client.get("/v1/content/export", headers=auth("analyst")).json()
    assert [u["id"] for u in exported["units"]] == ["math", "math.fr", "math.fr.1", "math.fr.2"]
    assert exported["units"][1]["units"] == ["math.fr.2", "math.fr.1"]  # order kept
    assert exported["concepts"][0]["requires"] == ["frac-equiv", "int-add"]  # sorted
    assert exported["units"][0]["filter_scope"] is None and exported["units"][1]["filter_scope"] == ["math"]
    assert post(client, exported).json()["unchanged"] == {"concepts": 3, "units": 4, "questions": 4}
    assert client.get("/v1/content/export", headers=EDITOR).json() == exported

    edited = copy.deepcopy(exported)
    edited["questions"][0]["text"] = "Rewritten?"
    edited["units"][3]["questions"] = ["q1", "q3"]
    result = post(client, edited).json()
    assert result["updated"] == {"concepts": 0, "units": 1, "questions": 1} and result["version"] == 2
    assert client.get("/v1/content/export", headers=EDITOR).json() == edited
    audit = client.get("/v1/content/changes", params={"entity_id": "q1"}, headers=EDITOR).json()["items"][0]
    assert audit["before"]["text"] == "Question 1?" and audit["after"]["text"] == "Rewritten?"


def test_import_reports_every_problem_and_writes_nothing(client: TestClient) -> None:
    post(client, {"format": "learner-graph/content@1", "concepts": [
        {"id": "a", "name": "A", "subject": "s", "requires": ["b"]},
        {"id": "b", "name": "B", "subject": "s"},
    ]})  # fmt: skip
    bad = document()
    bad["concepts"].append({"id": "int-add", "name": "Again", "subject": "math"})
    bad["concepts"].append(
        {"id": "b", "name": "B", "subject": "s", "requires": ["a"]}
    )  # cycle with the graph
    bad["concepts"][0]["requires"] = ["frac-add"]  # cycle inside the document, closed at frac-add
    bad["questions"][1]["concepts"][0] = {"id": "ghost", "weight": 1.0}
    bad["questions"][2]["difficulty_tag"] = 7
    bad["questions"][3]["concepts"][0]["weight"] = 1.5
    bad["units"][2]["questions"].append("nowhere")
    bad["units"][0]["units"].append("math")
    response = post(client, bad)
    assert response.status_code == 422
    fields = sorted(d["field"] for d in response.json()["error"]["details"])
    assert fields == sorted([
        "concepts[3].id", "questions[1].concepts[0].id", "questions[2].difficulty_tag",
        "questions[3].concepts[0].weight", "units[2].questions[2]", "units[0].units",
        "concepts[2].requires", "concepts[4].requires",
    ])  # fmt: skip
    cycles = [d["message"] for d in response.json()["error"]["details"] if "cycle" in d["message"]]
    assert "would close a cycle: a -> b -> a" in cycles
    assert version(client) == 1
    assert client.get("/v1/concepts", headers=EDITOR).json()["total"] == 2
    assert client.get("/v1/questions", headers=EDITOR).json()["total"] == 0
    wrong = post(client, {"format": "other", "concepts": {}, "extra": []}).json()["error"]["details"]
    assert sorted(d["field"] for d in wrong) == ["concepts", "extra", "format"]


def test_cli_imports_a_file(
    settings: Settings, db: Driver, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    path = tmp_path / "curriculum.json"
    path.write_text(json.dumps(document()))
    monkeypatch.setenv("LG_NEO4J_URI", settings.neo4j_uri)
    assert cli_main(["import", "content", str(path), "--author", "ops"]) == 0
    assert json.loads(capsys.readouterr().out)["created"]["questions"] == 4
    records, _, _ = db.execute_query("MATCH (c:ContentChange {author: 'ops'}) RETURN count(c) AS n")
    assert records[0]["n"] == 11
    path.write_text(json.dumps({"format": "nope"}))
    assert cli_main(["import", "content", str(path)]) == 2
    assert "format" in capsys.readouterr().err
