"""Small helpers for the content tests: build content through the API as an editor would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import auth

EDITOR = auth("content_editor")


def concept(client: TestClient, cid: str, *requires: str, subject: str = "math") -> dict[str, Any]:
    body = {"id": cid, "name": f"Concept {cid}", "subject": subject, "requires": list(requires)}
    response = client.post("/v1/concepts", json=body, headers=EDITOR)
    assert response.status_code == 201, response.text
    return dict(response.json())


def unit(
    client: TestClient, uid: str, *, units: Sequence[str] = (), questions: Sequence[str] = ()
) -> dict[str, Any]:
    body = {
        "id": uid,
        "name": f"Unit {uid}",
        "kind": "section",
        "units": list(units),
        "questions": list(questions),
    }
    response = client.post("/v1/units", json=body, headers=EDITOR)
    assert response.status_code == 201, response.text
    return dict(response.json())


def question(client: TestClient, qid: str, *concepts: str, difficulty: int = 2) -> dict[str, Any]:
    body = {
        "id": qid,
        "text": f"Question {qid}?",
        "difficulty_tag": difficulty,
        "concepts": [{"id": c, "weight": 1.0} for c in concepts],
        "answer": {"kind": "numeric", "value": "42"},
    }
    response = client.post("/v1/questions", json=body, headers=EDITOR)
    assert response.status_code == 201, response.text
    return dict(response.json())


def version(client: TestClient) -> int:
    return int(client.get("/v1/content/version", headers=auth("analyst")).json()["version"])
