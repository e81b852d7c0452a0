"""Text search (`q=`) goes through the full-text indexes: words in any order, prefixes, no syntax."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import auth

EDITOR = auth("content_editor")


def ids(client: TestClient, path: str, q: str) -> list[str]:
    response = client.get(path, params={"q": q}, headers=EDITOR)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_words_match_in_any_order_and_as_prefixes(client: TestClient) -> None:
    concept = {"id": "frac-add", "name": "Adding and subtracting fractions", "subject": "math"}
    assert client.post("/v1/concepts", json=concept, headers=EDITOR).status_code == 201
    other = {"id": "int-add", "name": "Adding integers", "subject": "math"}
    assert client.post("/v1/concepts", json=other, headers=EDITOR).status_code == 201
    question = {
        "id": "q1",
        "text": "What is one fourth of 12?",
        "difficulty_tag": 1,
        "concepts": [{"id": "frac-add", "weight": 1}],
    }
    assert client.post("/v1/questions", json=question, headers=EDITOR).status_code == 201
    unit = {"id": "math.fractions", "name": "Fractions", "kind": "chapter", "questions": ["q1"]}
    assert client.post("/v1/units", json=unit, headers=EDITOR).status_code == 201

    assert ids(client, "/v1/concepts", "adding fractions") == ["frac-add"]  # a substring match found nothing
    assert ids(client, "/v1/concepts", "fractions adding") == ["frac-add"]
    assert ids(client, "/v1/concepts", "add") == ["frac-add", "int-add"]
    assert ids(client, "/v1/questions", "fourth") == ["q1"]
    assert ids(client, "/v1/units", "fraction") == ["math.fractions"]
    # Lucene syntax in the text is not syntax: it is ignored or matched as words.
    assert ids(client, "/v1/concepts", 'adding" OR *:*') == []
    assert ids(client, "/v1/concepts", "!!!") == []
