"""Traversals against the real Neo4j: units to questions, prerequisite closures, unit trees."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import auth
from tests.content_fixtures import EDITOR, concept, question, unit

READER = auth("learner_app")


def build(client: TestClient) -> None:
    """top > {ch1 > {s1, s2}, ch2 > {s2, s3}}; s2 is shared; q1 sits in s1 and s2."""
    for cid, requires in (("a", ()), ("b", ("a",)), ("c", ("b", "a")), ("d", ("c",))):
        concept(client, cid, *requires)
    for qid in ("q1", "q2", "q3", "q4", "q5"):
        question(client, qid, "a")
    unit(client, "s1", questions=["q2", "q1"])
    unit(client, "s2", questions=["q1", "q3"])
    unit(client, "s3", questions=["q4"])
    unit(client, "ch1", units=["s1", "s2"])
    unit(client, "ch2", units=["s2", "s3"], questions=["q5"])
    unit(client, "top", units=["ch1", "ch2"])


def resolve(client: TestClient, *unit_ids: str, max_depth: int = 10) -> list[str]:
    response = client.post(
        "/v1/units/resolve", json={"unit_ids": list(unit_ids), "max_depth": max_depth}, headers=READER
    )
    assert response.status_code == 200, response.text
    return list(response.json()["question_ids"])


def test_a_unit_resolves_to_the_union_of_its_sections(client: TestClient) -> None:
    build(client)
    sections = {s: set(resolve(client, s)) for s in ("s1", "s2", "s3")}
    assert resolve(client, "ch1") == sorted(sections["s1"] | sections["s2"])
    assert resolve(client, "top") == sorted(sections["s1"] | sections["s2"] | sections["s3"] | {"q5"})
    assert resolve(client, "s1", "s2", "s3") == ["q1", "q2", "q3", "q4"]  # deduplicated
    assert resolve(client, "top", max_depth=2) == ["q5"]
    assert client.get("/v1/units/ch2/questions", params={"max_depth": 1}, headers=READER).json() == {
        "items": ["q5"],
        "next_cursor": None,
        "total": 1,
    }
    first = client.get("/v1/units/top/questions", params={"limit": 2}, headers=READER).json()
    rest = client.get(
        "/v1/units/top/questions", params={"cursor": first["next_cursor"]}, headers=READER
    ).json()
    assert first["items"] + rest["items"] == resolve(client, "top") and rest["next_cursor"] is None
    assert client.get("/v1/units/ghost/questions", headers=READER).status_code == 404
    missing = client.post("/v1/units/resolve", json={"unit_ids": ["s1", "ghost"]}, headers=READER)
    assert missing.status_code == 404 and "ghost" in missing.json()["error"]["message"]


def test_prerequisites_and_dependents_with_depth(client: TestClient) -> None:
    build(client)
    pre = client.get("/v1/concepts/d/prerequisites", headers=READER).json()["items"]
    assert [(p["id"], p["depth"], p["longest"]) for p in pre] == [("c", 1, 1), ("a", 2, 3), ("b", 2, 2)]
    near = client.get("/v1/concepts/d/prerequisites", params={"max_depth": 1}, headers=READER).json()["items"]
    assert [p["id"] for p in near] == ["c"]
    dep = client.get("/v1/concepts/a/dependents", headers=READER).json()["items"]
    assert [(p["id"], p["depth"]) for p in dep] == [("b", 1), ("c", 1), ("d", 2)]
    assert client.get("/v1/concepts/d/dependents", headers=READER).json()["items"] == []
    assert client.get("/v1/concepts/ghost/prerequisites", headers=READER).status_code == 404


def test_unit_tree(client: TestClient) -> None:
    build(client)
    tree = client.get("/v1/units/top/tree", headers=READER).json()
    assert [c["id"] for c in tree["units"]] == ["ch1", "ch2"]
    ch2 = tree["units"][1]
    assert ch2["questions"] == ["q5"] and [s["id"] for s in ch2["units"]] == ["s2", "s3"]
    assert ch2["units"][0] == tree["units"][0]["units"][1]  # the shared section, under both parents
    assert tree["units"][0]["units"][0]["questions"] == ["q2", "q1"]
    shallow = client.get("/v1/units/top/tree", params={"max_depth": 1}, headers=READER).json()
    assert [c["units"] for c in shallow["units"]] == [[], []] and shallow["units"][1]["questions"] == []
    assert client.get("/v1/units/ghost/tree", headers=EDITOR).status_code == 404
