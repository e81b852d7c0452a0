"""Build the demo content document (format learner-graph/content@1, see docs/GRAPH.md) from the syllabus.

Units are subject → chapter → section, plus a few goal units that reuse sections across chapters
(so the CONTAINS graph is a DAG, not a tree). Each section holds questions generated from its
concept's templates, spread evenly over difficulty tags 1..5.
"""

from __future__ import annotations

import math
import random
from typing import Any

from seed import (
    topics_dynamics,
    topics_equations,
    topics_fractions,
    topics_kinematics,
    topics_numbers,
    topics_polynomials,
)
from seed.concepts import SUBJECTS, Section, chapters
from seed.drafts import Draft, Template

FORMAT = "learner-graph/content@1"
QUESTIONS_PER_SECTION = 30
# Goal units group sections from several chapters, as a teacher would assign "get ready for X".
GOALS = {
    "goal.algebra-readiness": (
        "Ready for algebra",
        [
            "math.fractions.adding",
            "math.integers.multiplying",
            "math.arithmetic.order-of-operations",
            "math.exponents.powers",
        ],
    ),
    "goal.kinematics-readiness": (
        "Ready for kinematics",
        [
            "math.linear-equations.two-step",
            "math.ratios.unit-rates",
            "physics.measurement.si-units",
            "physics.kinematics.velocity",
        ],
    ),
}


def templates() -> dict[str, Template]:
    """Every concept's question template, merged from the topic banks."""
    banks = [
        topics_numbers,
        topics_fractions,
        topics_equations,
        topics_polynomials,
        topics_kinematics,
        topics_dynamics,
    ]
    return {concept: template for bank in banks for concept, template in bank.TEMPLATES.items()}


def build_curriculum(*, seed: int = 7, questions_per_section: int | None = None) -> dict[str, Any]:
    """The demo content document; the same seed always gives the same document."""
    per_section = questions_per_section or QUESTIONS_PER_SECTION
    rng = random.Random(seed)
    bank = templates()
    seen: set[str] = set()
    concepts: list[dict[str, Any]] = []
    units: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    by_subject: dict[str, list[str]] = {subject: [] for subject in SUBJECTS}
    for subject, slug, name, sections in chapters():
        chapter_id = f"{subject}.{slug}"
        by_subject[subject].append(chapter_id)
        section_ids = []
        for section in sections:
            concepts.append(_concept(section, subject))
            items = [
                _question(section, bank[section.concept], rng, i, per_section, seen)
                for i in range(per_section)
            ]
            questions.extend(items)
            section_ids.append(f"{chapter_id}.{section.slug}")
            units.append(_unit(section_ids[-1], section.name, "section", [], [q["id"] for q in items]))
        units.append(_unit(chapter_id, name, "chapter", section_ids, []))
    units.extend(
        _unit(s, title, "subject", ids, [])
        for s, (title, ids) in ((s, (SUBJECTS[s], ids)) for s, ids in by_subject.items())
    )
    units.extend(_unit(goal, title, "goal", ids, []) for goal, (title, ids) in GOALS.items())
    return {
        "format": FORMAT,
        "concepts": sorted(concepts, key=lambda c: c["id"]),
        "units": sorted(units, key=lambda u: u["id"]),
        "questions": sorted(questions, key=lambda q: q["id"]),
    }


def build_benchmark_curriculum(*, n_questions: int = 20000, seed: int = 7) -> dict[str, Any]:
    """The same syllabus scaled to at least `n_questions` questions, for the benchmark graph."""
    n_sections = sum(len(sections) for *_, sections in chapters())
    return build_curriculum(seed=seed, questions_per_section=math.ceil(n_questions / n_sections))


def _concept(section: Section, subject: str) -> dict[str, Any]:
    return {
        "id": section.concept,
        "name": section.name,
        "description": section.description,
        "subject": subject,
        "requires": list(section.requires),
    }


def _unit(unit_id: str, name: str, kind: str, children: list[str], questions: list[str]) -> dict[str, Any]:
    return {
        "id": unit_id,
        "name": name,
        "kind": kind,
        "units": children,
        "questions": questions,
        "filter_scope": None,
    }


def _question(
    section: Section, template: Template, rng: random.Random, index: int, per_section: int, seen: set[str]
) -> dict[str, Any]:
    """Question `index` of a section; tags rise evenly from 1 to 5 across the section."""
    tag = 1 + index * 5 // per_section
    draft = _fresh_draft(template, rng, tag, seen)
    primary = round(1.0 - sum(w for _, w in draft.also), 3)
    weights = [{"id": section.concept, "weight": primary}] + [{"id": c, "weight": w} for c, w in draft.also]
    return {
        "id": f"q-{section.concept}-{index + 1:04d}",
        "text": draft.text,
        "difficulty_tag": tag,
        "concepts": weights,
        "answer": draft.answer,
    }


def _fresh_draft(template: Template, rng: random.Random, tag: int, seen: set[str], tries: int = 12) -> Draft:
    """Draw until the text is new; a big benchmark section may exhaust a template and repeat a text."""
    draft = template(rng, tag)
    for _ in range(tries):
        if draft.text not in seen:
            break
        draft = template(rng, tag)
    seen.add(draft.text)
    return draft
