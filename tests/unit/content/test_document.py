"""The content document's database-free checks: field paths, references, duplicates, cycles."""

from __future__ import annotations

from typing import Any

from learner_graph.content.document import FORMAT, ContentDocument, find_cycles, parse, path
from learner_graph.content.importer import view_of


def doc(**sections: Any) -> dict[str, Any]:
    return {"format": FORMAT, **sections}


def question(qid: str, *concepts: str, **extra: Any) -> dict[str, Any]:
    body = {
        "id": qid,
        "text": "t",
        "difficulty_tag": 1,
        "concepts": [{"id": c, "weight": 1} for c in concepts],
    }
    return {**body, **extra}


def test_path_spells_fields_like_the_document() -> None:
    assert path(["questions", 12, "concepts", 0, "id"]) == "questions[12].concepts[0].id"
    assert path(["format"]) == "format"


def test_every_bad_entry_is_reported_with_its_raw_index() -> None:
    parsed = parse(
        doc(
            concepts=[{"id": "c", "name": "C", "subject": "s"}],
            questions=[
                question("q0", "c", difficulty_tag=0),
                question("q1", "c", "c"),
                question("q2", "ghost"),
                question("q3", "c", concepts=[{"id": "c", "weight": 2}]),
            ],
        )
    )
    fields = sorted(p["field"] for p in parsed.problems)
    assert fields == ["questions[0].difficulty_tag", "questions[1]", "questions[3].concepts[0].weight"]
    assert [q.id for q in parsed.questions] == ["q2"]
    assert parsed.unresolved == [("questions[2].concepts[0].id", "concept", "ghost")]


def test_duplicates_and_references_defined_in_the_document() -> None:
    parsed = parse(
        doc(
            concepts=[{"id": "a", "name": "A", "subject": "s", "requires": ["b", "b"]}],
            units=[
                {"id": "u", "name": "U", "kind": "section", "units": ["v"], "questions": ["q"]},
                {"id": "u", "name": "U again", "kind": "section"},
            ],
        )
    )
    assert sorted(p["field"] for p in parsed.problems) == ["concepts[0].requires[1]", "units[1].id"]
    assert sorted(r[2] for r in parsed.unresolved) == ["b", "b", "q", "v"]


def test_document_shape_problems() -> None:
    parsed = parse({"format": "x", "units": "no", "zzz": 1})
    assert [p["field"] for p in parsed.problems] == ["format", "zzz", "units"]
    assert [p["field"] for p in parse([]).problems] == [""]


def test_find_cycles_spells_each_cycle_as_a_closed_path() -> None:
    assert find_cycles({"a": ["b"], "b": ["c"], "c": []}) == []
    assert find_cycles({"a": ["b"], "b": ["c"], "c": ["a"]}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": ["a"]}) == [["a", "a"]]
    diamond = {"top": ["l", "r"], "l": ["base"], "r": ["base"], "base": []}
    assert find_cycles(diamond) == []
    assert find_cycles({"x": ["y"], "y": ["x", "z"], "z": ["y"]}) == [["x", "y", "x"], ["y", "z", "y"]]


def test_view_of_sorts_like_an_export() -> None:
    parsed = parse(
        doc(
            concepts=[{"id": "a", "name": "A", "subject": "s", "requires": ["z", "b"]}],
            questions=[question("q", "z", "b")],
        )
    )
    assert view_of("concepts", parsed.concepts[0])["requires"] == ["b", "z"]
    assert [c["id"] for c in view_of("questions", parsed.questions[0])["concepts"]] == ["b", "z"]


def test_a_typed_document_dumps_to_what_parse_accepts() -> None:
    typed = ContentDocument.model_validate(
        doc(concepts=[{"id": "a", "name": "A", "subject": "s"}], questions=[question("q", "a")])
    )
    parsed = parse(typed.model_dump())
    assert parsed.problems == [] and parsed.unresolved == []
    assert [q.id for q in parsed.questions] == ["q"]
