"""Concepts, units and questions through the API against the real Neo4j: CRUD, roles, 404, 422."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import auth
from tests.content_fixtures import EDITOR, concept, question, unit


def test_concept_crud_and_roles(client: TestClient) -> None:
    concept(client, "int-add")
    created = concept(client, "frac-add", "int-add")
    assert created == {
        "id": "frac-add",
        "name": "Concept frac-add",
        "description": "",
        "subject": "math",
        "requires": ["int-add"],
    }
    for role in ("learner_app", "analyst", "admin", "content_editor"):
        assert client.get("/v1/concepts/frac-add", headers=auth(role)).json() == created
    denied = client.post(
        "/v1/concepts", json={"id": "x", "name": "x", "subject": "s"}, headers=auth("learner_app")
    )
    assert denied.status_code == 403
    updated = client.patch("/v1/concepts/frac-add", json={"description": "halves"}, headers=EDITOR)
    assert updated.status_code == 200 and updated.json()["description"] == "halves"
    assert updated.json()["name"] == "Concept frac-add"
    duplicate = client.post(
        "/v1/concepts", json={"id": "int-add", "name": "x", "subject": "s"}, headers=EDITOR
    )
    assert duplicate.status_code == 409
    assert client.delete("/v1/concepts/frac-add", headers=EDITOR).status_code == 204
    assert client.get("/v1/concepts/frac-add", headers=EDITOR).status_code == 404
    assert client.patch("/v1/concepts/nope", json={"name": "n"}, headers=EDITOR).status_code == 404


def test_bad_bodies_name_every_field(client: TestClient) -> None:
    bad = {"id": "", "text": "", "difficulty_tag": 9, "concepts": [{"id": "c", "weight": 0}], "extra": 1}
    response = client.post("/v1/questions", json=bad, headers=EDITOR)
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {"id", "text", "difficulty_tag", "concepts[0].weight", "extra"}
    unknown = client.post(
        "/v1/questions",
        json={"id": "q1", "text": "t", "difficulty_tag": 1, "concepts": [{"id": "ghost", "weight": 1}]},
        headers=EDITOR,
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"][0]["field"] == "concepts[0].id"
    assert client.get("/v1/questions/q1", headers=EDITOR).status_code == 404  # nothing half-written


def test_question_crud_and_filters(client: TestClient) -> None:
    concept(client, "a")
    concept(client, "b", subject="physics")
    question(client, "q1", "a", difficulty=1)
    question(client, "q2", "a", "b", difficulty=3)
    question(client, "q3", "b", difficulty=3)
    unit(client, "sec", questions=["q2", "q1"])
    unit(client, "chap", units=["sec"])
    got = client.get("/v1/questions/q2", headers=EDITOR).json()
    assert got["concepts"] == [{"id": "a", "weight": 1.0}, {"id": "b", "weight": 1.0}]
    assert got["answer"] == {"kind": "numeric", "value": "42"}

    def ids(**params: object) -> list[str]:
        page = client.get("/v1/questions", params=params, headers=auth("analyst")).json()
        return [q["id"] for q in page["items"]]

    assert ids() == ["q1", "q2", "q3"]
    assert ids(concept="b") == ["q2", "q3"]
    assert ids(subject="physics", difficulty=3) == ["q2", "q3"]
    assert ids(unit="chap") == ["q1", "q2"]
    assert ids(q="QUESTION Q3") == ["q3"]
    page = client.get("/v1/questions", params={"limit": 1}, headers=EDITOR).json()
    assert page["total"] == 3 and [q["id"] for q in page["items"]] == ["q1"]
    assert ids(limit=1, cursor=page["next_cursor"]) == ["q2"]
    following = {"limit": 2, "cursor": page["next_cursor"]}
    last = client.get("/v1/questions", params=following, headers=EDITOR).json()
    assert [q["id"] for q in last["items"]] == ["q2", "q3"] and last["next_cursor"] is None
    bad = client.get("/v1/questions", params={"cursor": "bm9wZQ=="}, headers=EDITOR)
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "cursor"
    concepts = client.get("/v1/concepts", params={"unit": "sec", "subject": "math"}, headers=EDITOR).json()
    assert [c["id"] for c in concepts["items"]] == ["a"]
    patched = client.patch(
        "/v1/questions/q1",
        json={"difficulty_tag": 4, "concepts": [{"id": "b", "weight": 0.5}]},
        headers=EDITOR,
    )
    assert patched.status_code == 200
    assert (
        patched.json()["concepts"] == [{"id": "b", "weight": 0.5}] and patched.json()["difficulty_tag"] == 4
    )
    assert client.get("/v1/units/sec", headers=EDITOR).json()["questions"] == ["q2", "q1"]
    assert client.delete("/v1/questions/q1", headers=EDITOR).status_code == 204
    assert client.get("/v1/units/sec", headers=EDITOR).json()["questions"] == ["q2"]


def test_unit_crud_membership_and_list(client: TestClient) -> None:
    concept(client, "a")
    question(client, "q1", "a")
    unit(client, "s1", questions=["q1"])
    unit(client, "s2")
    unit(client, "ch", units=["s1"])
    added = client.put("/v1/units/ch/units/s2", headers=EDITOR)
    assert added.status_code == 200 and added.json()["changed"] is True
    again = client.put("/v1/units/ch/units/s2", headers=EDITOR)
    assert again.json()["changed"] is False and again.json()["version"] == added.json()["version"]
    assert client.get("/v1/units/ch", headers=EDITOR).json()["units"] == ["s1", "s2"]
    assert client.put("/v1/units/s2/questions/q1", headers=EDITOR).json()["changed"] is True
    assert client.put("/v1/units/s2/questions/ghost", headers=EDITOR).status_code == 404
    assert client.delete("/v1/units/ch/units/s1", headers=EDITOR).status_code == 200
    assert client.delete("/v1/units/ch/units/s1", headers=EDITOR).status_code == 404
    assert client.get("/v1/units/ch", headers=EDITOR).json()["units"] == ["s2"]
    listed = client.get("/v1/units", params={"unit": "ch"}, headers=auth("learner_app")).json()
    assert [u["id"] for u in listed["items"]] == ["s2"]
    renamed = client.patch("/v1/units/s2", json={"name": "Second", "filter_scope": ["s1"]}, headers=EDITOR)
    assert renamed.json()["name"] == "Second" and renamed.json()["filter_scope"] == ["s1"]
    bad_scope = client.patch("/v1/units/s2", json={"filter_scope": ["ghost"]}, headers=EDITOR)
    assert (
        bad_scope.status_code == 422 and bad_scope.json()["error"]["details"][0]["field"] == "filter_scope[0]"
    )
    bad = client.post(
        "/v1/units", json={"id": "u", "name": "U", "kind": "section", "units": ["x", "ch"]}, headers=EDITOR
    )
    assert bad.status_code == 422 and [d["field"] for d in bad.json()["error"]["details"]] == ["units[0]"]


def test_a_unit_cannot_contain_itself_on_create(client: TestClient) -> None:
    refused = client.post(
        "/v1/units", json={"id": "u", "name": "U", "kind": "section", "units": ["u"]}, headers=EDITOR
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"] == [
        {"field": "units[0]", "message": "a unit cannot contain itself"}
    ]


def test_null_in_a_patch_keeps_required_fields(client: TestClient) -> None:
    unit(client, "s1")
    client.patch("/v1/units/s1", json={"filter_scope": ["s1"]}, headers=EDITOR)
    patched = client.patch("/v1/units/s1", json={"name": None, "filter_scope": None}, headers=EDITOR).json()
    assert patched["name"] == "Unit s1" and patched["filter_scope"] is None
    concept(client, "a")
    assert client.patch("/v1/concepts/a", json={"name": None}, headers=EDITOR).json()["name"] == "Concept a"


WRITE_METHODS = {"post", "put", "patch", "delete"}
READS_BY_POST = {"/v1/units/resolve"}


def test_only_content_editors_and_admins_write_content(client: TestClient) -> None:
    """Every content write route refuses analyst and learner-app keys, and writes nothing."""
    writes = sorted(
        (method.upper(), path)
        for path, operations in client.get("/openapi.json").json()["paths"].items()
        for method in operations.keys() & WRITE_METHODS
        if path.startswith(("/v1/concepts", "/v1/units", "/v1/questions", "/v1/content/import"))
        and path not in READS_BY_POST
    )
    assert len(writes) >= 16  # every create, update, delete and edge route of the three entities
    for role in ("analyst", "learner_app"):
        for method, path in writes:
            url = path.replace("{", "").replace("}", "")  # /v1/concepts/concept_id: any id will do
            response = client.request(method, url, json={}, headers=auth(role))
            assert response.status_code == 403, (role, method, path, response.text)
    assert client.get("/v1/content/changes", headers=EDITOR).json()["items"] == []
