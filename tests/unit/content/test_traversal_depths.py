"""Depths and trees computed in Python from the edges a traversal read (no path enumeration)."""

from __future__ import annotations

import pytest

from learner_graph.content import traversals
from learner_graph.content.traversals import depth_ranges, nest
from learner_graph.errors import Invalid


def ladder(levels: int) -> dict[str, list[str]]:
    """top -> {0a, 0b}; each of ka, kb -> both of level k+1: 2^levels paths to the bottom."""
    edges = {"top": ["0a", "0b"]}
    for k in range(levels - 1):
        for side in "ab":
            edges[f"{k}{side}"] = [f"{k + 1}a", f"{k + 1}b"]
    return edges


def test_depths_on_a_ladder_are_exact_and_cheap() -> None:
    edges = ladder(200)  # 2^200 paths: only countable level by level
    edges["top"].append("199a")
    found = depth_ranges(edges, "top", 500)
    assert found["0b"] == (1, 1) and found["150a"] == (151, 151)
    assert found["199a"] == (1, 200) and found["199b"] == (200, 200)
    assert len(found) == 400


def test_depths_respect_max_depth_for_the_longest_path_too() -> None:
    edges = {"d": ["c"], "c": ["b", "a"], "b": ["a"]}
    assert depth_ranges(edges, "d", 32) == {"c": (1, 1), "b": (2, 2), "a": (2, 3)}
    assert depth_ranges(edges, "d", 2) == {"c": (1, 1), "b": (2, 2), "a": (2, 2)}
    assert depth_ranges(edges, "a", 32) == {}


def test_depths_stop_at_max_depth_even_around_a_cycle() -> None:
    assert depth_ranges({"a": ["b"], "b": ["a"]}, "a", 5) == {"b": (1, 5), "a": (2, 4)}


def row(uid: str, leaf: bool = False) -> dict[str, object]:
    return {"id": uid, "name": uid.upper(), "kind": "section", "leaf": leaf}


def test_nest_builds_shared_units_under_each_parent_to_max_depth() -> None:
    children = {
        "top": [row("a"), row("b"), row("q0", leaf=True)],
        "a": [row("s")],
        "b": [row("s")],
        "s": [row("q1", leaf=True)],
    }
    tree = nest(row("top"), children, 2)
    assert tree["questions"] == ["q0"] and [u["id"] for u in tree["units"]] == ["a", "b"]
    assert [u["units"] for u in tree["units"]] == [
        [{"id": "s", "name": "S", "kind": "section", "questions": [], "units": []}]
    ] * 2
    assert nest(row("top"), children, 3)["units"][1]["units"][0]["questions"] == ["q1"]


def test_nest_is_iterative_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    chain = {f"u{k}": [row(f"u{k + 1}")] for k in range(5000)}
    node = nest(row("u0"), chain, 5000)  # far deeper than Python's recursion limit
    depth = 0
    while node["units"]:
        node, depth = node["units"][0], depth + 1
    assert depth == 5000
    monkeypatch.setattr(traversals, "MAX_TREE_ITEMS", 10)
    with pytest.raises(Invalid) as refused:
        nest(row("u0"), chain, 5000)
    assert refused.value.details[0]["field"] == "max_depth"
