"""Bounded traversals against the real Neo4j (issue #14): depths on a ladder with 2^30 paths,
refused bounds, deep and exploding unit trees."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from learner_graph.content import traversals
from learner_graph.lists import MAX_OFFSET, encode_offset
from tests.conftest import auth
from tests.integration.db.test_fail_fast import dense_units

READER = auth("learner_app")
LEVELS = 30


LADDER = [
    """
    UNWIND range(0, $levels - 1) AS k
    UNWIND ['a', 'b'] AS side
    CREATE (:Concept {id: 'L' + k + side, name: 'Level ' + k + side, subject: 'math'})
    CREATE (:Unit {id: 'U' + k + side, name: 'Unit ' + k + side, kind: 'section'})
    """,
    """
    CREATE (top:Concept {id: 'top', name: 'Top', subject: 'math'})
    WITH top
    MATCH (p:Concept) WHERE p.id IN ['L0a', 'L0b', 'L' + ($levels - 1) + 'a']
    CREATE (top)-[:REQUIRES]->(p)
    """,
    """
    UNWIND range(0, $levels - 2) AS k
    UNWIND ['a', 'b'] AS side
    UNWIND ['a', 'b'] AS below
    MATCH (c:Concept {id: 'L' + k + side}), (p:Concept {id: 'L' + (k + 1) + below})
    MATCH (u:Unit {id: 'U' + k + side}), (v:Unit {id: 'U' + (k + 1) + below})
    CREATE (c)-[:REQUIRES]->(p)
    CREATE (u)-[:CONTAINS {position: CASE below WHEN 'a' THEN 0 ELSE 1 END}]->(v)
    """,
    """
    UNWIND ['a', 'b'] AS side
    MATCH (u:Unit {id: 'U' + ($levels - 1) + side})
    CREATE (u)-[:CONTAINS {position: 0}]->(:Question {id: 'q-' + side, text: 'Q', difficulty_tag: 1})
    """,
    """
    UNWIND range(0, 39) AS k
    CREATE (:Unit {id: 'D' + k, name: 'Deep ' + k, kind: 'section'})
    """,
    """
    UNWIND range(0, 38) AS k
    MATCH (u:Unit {id: 'D' + k}), (c:Unit {id: 'D' + (k + 1)})
    CREATE (u)-[:CONTAINS {position: 0}]->(c)
    """,
]


def ladder(db: Driver) -> None:
    """`top` requires L0a and L0b; each of Lka, Lkb requires both of level k+1 (2^30 paths from
    `top` to the bottom); `top` also requires L29a directly. Units: U0a..U29b the same way, the
    bottom two each holding a question, and a chain D0 > D1 > ... > D39."""
    for statement in LADDER:
        db.execute_query(statement, levels=LEVELS)


def items(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(path, params={"limit": 500, **params}, headers=READER)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def refused_field(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [d["field"] for d in response.json()["error"]["details"]]


def test_prerequisite_depths_on_a_ladder_of_two_to_the_thirty_paths(client: TestClient, db: Driver) -> None:
    ladder(db)
    found = {p["id"]: (p["depth"], p["longest"]) for p in items(client, "/v1/concepts/top/prerequisites")}
    expected = {f"L{k}{s}": (k + 1, k + 1) for k in range(LEVELS) for s in "ab"}
    expected["L29a"] = (1, 30)  # the shortcut: one hop, and thirty along the ladder
    assert found == expected
    near = items(client, "/v1/concepts/top/prerequisites", max_depth=3)
    assert [(p["id"], p["depth"], p["longest"]) for p in near] == [
        *[("L0a", 1, 1), ("L0b", 1, 1), ("L29a", 1, 1)],
        *[("L1a", 2, 2), ("L1b", 2, 2), ("L2a", 3, 3), ("L2b", 3, 3)],
    ]
    up = {p["id"]: (p["depth"], p["longest"]) for p in items(client, "/v1/concepts/L29b/dependents")}
    assert up == {**{f"L{k}{s}": (29 - k, 29 - k) for k in range(LEVELS - 1) for s in "ab"}, "top": (30, 30)}


def test_gaps_on_the_ladder_run_from_the_deepest_prerequisite_up(client: TestClient, db: Driver) -> None:
    ladder(db)
    assert client.put("/v1/users/climber", json={}, headers=READER).status_code == 201
    gaps = items(client, "/v1/users/climber/gaps", concept="top")
    # 20 levels below `top` (GAP_DEPTH), by longest distance, farthest first.
    assert [(g["concept_id"], g["depth"]) for g in gaps[:3]] == [("L19a", 20), ("L19b", 20), ("L18a", 19)]
    # L29a is one hop away; its thirty-hop path along the ladder lies beyond the 20 levels.
    assert len(gaps) == 41 and [(g["concept_id"], g["depth"]) for g in gaps[-3:]] == [
        ("L0a", 1),
        ("L0b", 1),
        ("L29a", 1),
    ]


def test_units_resolve_and_trees_are_bounded(client: TestClient, db: Driver) -> None:
    ladder(db)
    resolved = client.post("/v1/units/resolve", json={"unit_ids": ["U0a"], "max_depth": 32}, headers=READER)
    assert resolved.json() == {"question_ids": ["q-a", "q-b"]}
    shallow = client.post(
        "/v1/units/resolve", json={"unit_ids": ["U0a", "U1b"], "max_depth": 29}, headers=READER
    )
    assert shallow.json() == {"question_ids": ["q-a", "q-b"]}  # 30 hops from U0a, 29 from U1b
    assert client.post(
        "/v1/units/resolve", json={"unit_ids": ["U0a"], "max_depth": 29}, headers=READER
    ).json() == {"question_ids": []}
    tree = client.get("/v1/units/U0a/tree", params={"max_depth": 3}, headers=READER).json()
    assert [u["id"] for u in tree["units"]] == ["U1a", "U1b"]
    leaves = [leaf for u in tree["units"] for mid in u["units"] for leaf in mid["units"]]
    assert [leaf["id"] for leaf in leaves] == ["U3a", "U3b"] * 4 and all(
        leaf["units"] == [] for leaf in leaves
    )
    # The whole ladder as a tree would list 2^31 entries: refused, naming the field.
    assert refused_field(client.get("/v1/units/U0a/tree", params={"max_depth": 32}, headers=READER)) == [
        "max_depth"
    ]


def test_a_deep_tree_is_built_to_exactly_max_depth(client: TestClient, db: Driver) -> None:
    ladder(db)
    node = client.get("/v1/units/D0/tree", params={"max_depth": 32}, headers=READER).json()
    depth = 0
    while node["units"]:
        assert [u["id"] for u in node["units"]] == [f"D{depth + 1}"]
        node, depth = node["units"][0], depth + 1
    assert depth == 32 and node["id"] == "D32"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/concepts/top/prerequisites", {"max_depth": 0}),
        ("/v1/concepts/top/dependents", {"max_depth": 33}),
        ("/v1/units/U0a/tree", {"max_depth": 33}),
        ("/v1/units/U0a/questions", {"max_depth": 0}),
        ("/v1/concepts/top/prerequisites", {"limit": 501}),
        ("/v1/units", {"limit": 0}),
        ("/v1/concepts", {"cursor": encode_offset(MAX_OFFSET + 1)}),
        ("/v1/content/changes", {"cursor": encode_offset(MAX_OFFSET + 1)}),
        ("/v1/users/u1/gaps", {"concept": "top", "limit": 501}),
    ],
)
def test_out_of_bounds_parameters_are_refused(
    client: TestClient, path: str, params: dict[str, object]
) -> None:
    out_of_bounds = [name for name in params if name != "concept"]
    assert refused_field(client.get(path, params=params, headers=READER)) == out_of_bounds


def test_resolve_bounds_units_and_depth(client: TestClient) -> None:
    many = [f"u{i}" for i in range(traversals.MAX_UNIT_IDS + 1)]
    assert refused_field(client.post("/v1/units/resolve", json={"unit_ids": many}, headers=READER)) == [
        "unit_ids"
    ]
    deep = client.post("/v1/units/resolve", json={"unit_ids": ["u0"], "max_depth": 33}, headers=READER)
    assert refused_field(deep) == ["max_depth"]


def test_a_traversal_reading_too_many_edges_is_refused(
    client: TestClient, db: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    ladder(db)
    monkeypatch.setattr(traversals, "MAX_ROWS", 20)  # the ladder's top ten levels hold 40 edges
    assert refused_field(client.get("/v1/concepts/top/prerequisites", headers=READER)) == ["max_depth"]
    assert len(items(client, "/v1/concepts/top/prerequisites", max_depth=4)) == 9  # 3 + 2 + 2 + 2 concepts
    resolve = client.post("/v1/units/resolve", json={"unit_ids": ["U0a"]}, headers=READER)
    assert refused_field(resolve) == ["max_depth"]


def test_list_filters_by_unit_do_not_enumerate_the_ladders_paths(client: TestClient, db: Driver) -> None:
    ladder(db)
    db.execute_query(
        "MATCH (q:Question {id: 'q-a'}), (c:Concept {id: 'L5a'}) CREATE (q)-[:ASSESSES {weight: 1.0}]->(c)"
    )
    # q-b is under U0a by 2^29 paths but not under U29a: a per-question path search would explode.
    assert [q["id"] for q in items(client, "/v1/questions", unit="U29a")] == ["q-a"]
    assert [q["id"] for q in items(client, "/v1/questions", unit="U0a")] == ["q-a", "q-b"]
    assert [u["id"] for u in items(client, "/v1/units", unit="U27b")] == ["U28a", "U28b", "U29a", "U29b"]
    assert [c["id"] for c in items(client, "/v1/concepts", unit="U0b")] == ["L5a"]
    assert items(client, "/v1/concepts", unit="U29b") == []


def test_a_dense_unit_graph_resolves_within_the_read_budget(client: TestClient, db: Driver) -> None:
    dense_units(db)  # 4^15 paths from d-0-0 to its question: path enumeration ran into the timeout
    response = client.post("/v1/units/resolve", json={"unit_ids": ["d-0-0"], "max_depth": 20}, headers=READER)
    assert response.json() == {"question_ids": ["q-deep"]}


EDITOR = auth("content_editor")


def cycle_of(response: Any) -> list[str]:
    assert response.status_code == 409, response.text
    return list(response.json()["error"]["details"][0]["path"])


def test_cycle_checks_on_the_ladder_find_the_shortest_cycle_level_by_level(
    client: TestClient, db: Driver
) -> None:
    ladder(db)
    # top reaches L29b only along the ladder (30 hops over 2^29 paths), L29a also directly.
    long = cycle_of(client.put("/v1/concepts/L29b/prerequisites/top", headers=EDITOR))
    assert long[:2] == ["L29b", "top"] and long[-1] == "L29b" and len(long) == 32
    assert all(long[k + 2] in (f"L{k}a", f"L{k}b") for k in range(29))
    short = cycle_of(client.put("/v1/concepts/L29a/prerequisites/top", headers=EDITOR))
    assert short == ["L29a", "top", "L29a"]
    assert client.put("/v1/concepts/top/prerequisites/L5a", headers=EDITOR).status_code == 200  # no cycle
    units = cycle_of(client.put("/v1/units/U29b/units/U0a", headers=EDITOR))
    assert units[:2] == ["U29b", "U0a"] and units[-1] == "U29b" and len(units) == 31  # 29 hops down
    assert client.put("/v1/units/D39/units/U0a", headers=EDITOR).status_code == 200  # no cycle
    stored = db.execute_query("MATCH ()-[r:REQUIRES|CONTAINS]->() RETURN count(r) AS n").records[0]["n"]
    assert stored == 3 + 4 * 29 + 1 + 4 * 29 + 2 + 39 + 1  # only the two edges that close no cycle


def test_a_cycle_check_it_cannot_finish_within_its_budget_refuses_the_edge(
    client: TestClient, db: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    ladder(db)
    monkeypatch.setattr(traversals, "MAX_ROWS", 20)  # the ladder's top five levels hold 19 edges
    wide = client.put("/v1/concepts/L29b/prerequisites/top", headers=EDITOR)
    assert refused_field(wide) == ["prerequisite_id"] and wide.json()["error"]["details"][0]["in"] == "path"
    monkeypatch.setattr(traversals, "MAX_ROWS", 10_000)
    monkeypatch.setattr(traversals, "CYCLE_DEPTH", 20)  # D0 > ... > D39 is 39 levels deep
    assert refused_field(client.put("/v1/units/D39/units/D0", headers=EDITOR)) == ["child_id"]
    assert client.put("/v1/units/D39/units/D25", headers=EDITOR).status_code == 409  # 14 levels: found
    edges = db.execute_query("MATCH (:Unit {id: 'D39'})-[r:CONTAINS]->() RETURN count(r) AS n").records
    assert edges[0]["n"] == 0


def test_a_list_filter_by_a_unit_holding_too_much_is_refused_naming_unit(
    client: TestClient, db: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    ladder(db)
    monkeypatch.setattr(traversals, "MAX_ROWS", 20)  # U0a holds 4 edges a level, 29 levels down
    for path in ("/v1/questions", "/v1/units", "/v1/concepts"):
        refused = client.get(path, params={"unit": "U0a"}, headers=READER)
        assert refused_field(refused) == ["unit"], path
        assert "smaller unit" in refused.json()["error"]["details"][0]["message"]
    # U25a holds 4 levels below it: 2 + 4 + 4 + 2 edges, within the budget.
    assert [u["id"] for u in items(client, "/v1/units", unit="U25a")] == [f"U{k}{s}" for k in (26, 27, 28, 29)
                                                                          for s in "ab"]
    assert [q["id"] for q in items(client, "/v1/questions", unit="U25a")] == ["q-a", "q-b"]
    assert items(client, "/v1/questions", unit="no-such-unit") == []
