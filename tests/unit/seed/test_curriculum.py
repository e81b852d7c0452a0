"""The demo curriculum's shape: size, a prerequisite DAG, three unit levels, varied and correct questions."""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction
from functools import cache
from typing import Any

from seed.concepts import chapters
from seed.curriculum import FORMAT, build_benchmark_curriculum, build_curriculum, templates


@cache
def document() -> dict[str, Any]:
    return build_curriculum()


def test_document_has_the_content_format_and_enough_content() -> None:
    doc = document()
    assert doc["format"] == FORMAT
    assert len(doc["concepts"]) >= 60
    assert len(doc["questions"]) >= 2000
    subjects = {c["subject"] for c in doc["concepts"]}
    assert subjects == {"math", "physics"}


def test_every_concept_has_a_template() -> None:
    concept_ids = {section.concept for *_, sections in chapters() for section in sections}
    assert concept_ids == set(templates())


def test_prerequisites_exist_and_form_a_dag() -> None:
    requires = {c["id"]: c["requires"] for c in document()["concepts"]}
    assert all(p in requires for ps in requires.values() for p in ps)
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        assert state.get(node) != 1, f"cycle through {node}"
        if node not in state:
            state[node] = 1
            for parent in requires[node]:
                visit(parent)
            state[node] = 2

    for node in requires:
        visit(node)
    # Physics builds on mathematics: kinematics needs equations somewhere up its prerequisite chain.
    assert "eq-two-step" in requires["acceleration"]


def test_units_nest_three_levels_and_hold_every_question() -> None:
    doc = document()
    units = {u["id"]: u for u in doc["units"]}
    assert all(set(u) == {"id", "name", "kind", "units", "questions", "filter_scope"} for u in units.values())
    assert units["math"]["kind"] == "subject"
    assert "math.fractions" in units["math"]["units"]
    assert "math.fractions.adding" in units["math.fractions"]["units"]
    sections = [u for u in units.values() if u["kind"] == "section"]
    assert all(u["questions"] and not u["units"] for u in sections)
    children = {child for u in units.values() for child in u["units"]}
    assert children <= set(units)
    in_units = Counter(q for u in units.values() for q in u["questions"])
    assert set(in_units) == {q["id"] for q in doc["questions"]}


def test_questions_assess_known_concepts_with_valid_weights_and_tags() -> None:
    doc = document()
    concept_ids = {c["id"] for c in doc["concepts"]}
    for q in doc["questions"]:
        assert 1 <= q["difficulty_tag"] <= 5
        assert q["answer"]["kind"] and q["answer"]["value"] != ""
        assert {c["id"] for c in q["concepts"]} <= concept_ids
        assert all(0 < c["weight"] <= 1 for c in q["concepts"])
        assert abs(sum(c["weight"] for c in q["concepts"]) - 1) < 1e-9
    assert any(len(q["concepts"]) == 2 for q in doc["questions"])
    assert set(Counter(q["difficulty_tag"] for q in doc["questions"])) == {1, 2, 3, 4, 5}


def test_texts_are_varied_and_ids_unique() -> None:
    questions = document()["questions"]
    assert len({q["id"] for q in questions}) == len(questions)
    assert len({q["text"] for q in questions}) / len(questions) >= 0.95


def test_same_seed_same_document_other_seed_other_texts() -> None:
    assert build_curriculum(seed=7, questions_per_section=3) == build_curriculum(
        seed=7, questions_per_section=3
    )
    a = {q["text"] for q in build_curriculum(seed=1, questions_per_section=3)["questions"]}
    b = {q["text"] for q in build_curriculum(seed=2, questions_per_section=3)["questions"]}
    assert len(a & b) < len(a) / 2


def test_benchmark_curriculum_scales_the_question_count() -> None:
    doc = build_benchmark_curriculum(n_questions=5000)
    assert len(doc["questions"]) >= 5000
    assert {u["kind"] for u in doc["units"]} >= {"subject", "chapter", "section"}


def _python(expr: str) -> str:
    """Turn "3x^2 - 2x" into Python: implicit products become explicit."""
    return re.sub(r"(\d|\))(x|\()", r"\1*\2", expr.replace("^", "**"))


def test_generated_answers_are_correct() -> None:
    checked = Counter[str]()
    for q in document()["questions"]:
        text, value = q["text"], q["answer"]["value"]
        if m := re.fullmatch(r"Solve (.+) = (-?\d+) for x\.", text):
            assert eval(_python(m[1]), {"x": int(value)}) == int(m[2])  # noqa: S307
            checked["linear"] += 1
        elif m := re.fullmatch(r"Simplify (\d+)/(\d+)\.", text):
            assert Fraction(int(m[1]), int(m[2])) == Fraction(value)
            checked["fraction"] += 1
        elif m := re.fullmatch(r"Solve (.+) = 0 by factoring\.", text):
            roots = [int(r) for r in value.split(", ")]
            assert all(eval(_python(m[1]), {"x": r}) == 0 for r in roots)  # noqa: S307
            checked["quadratic"] += 1
        elif m := re.fullmatch(r"Expand (\(.+\))(\(.+\))\.", text):
            for x in (-2, 1, 3):
                assert eval(_python(f"{m[1]}*{m[2]}"), {"x": x}) == eval(_python(value), {"x": x})  # noqa: S307
            checked["expand"] += 1
    assert min(checked.values()) >= 5 and len(checked) == 4
