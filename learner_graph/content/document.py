"""The content document (docs/GRAPH.md): parsing and the checks that need no database.

Each entry is validated on its own so one bad question does not hide the problems of the
others; every problem names its field as `questions[12].concepts[0].id`. References the
document does not define are returned for the importer to look up in the graph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from pydantic import BaseModel, Field, ValidationError

from learner_graph.content.models import Concept, Question, Strict, Unit
from learner_graph.content.views import Kind
from learner_graph.fields import field_path as path

FORMAT: Final = "learner-graph/content@1"
SECTIONS: dict[str, tuple[Kind, type[BaseModel]]] = {
    "concepts": ("concept", Concept),
    "units": ("unit", Unit),
    "questions": ("question", Question),
}
Problem = dict[str, str]


class ContentDocument(Strict):
    """The whole content graph as one JSON document: what export returns and import takes."""

    format: Literal["learner-graph/content@1"] = FORMAT
    concepts: list[Concept] = Field(default_factory=list)
    units: list[Unit] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)


@dataclass
class Parsed:
    """The valid entries of a document, its problems so far, and references left to resolve."""

    concepts: list[Concept] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    at: dict[str, list[int]] = field(default_factory=lambda: {s: [] for s in SECTIONS})  # raw indices
    unresolved: list[tuple[str, Kind, str]] = field(default_factory=list)  # (field, kind, id)


def parse(raw: Any) -> Parsed:
    """Validate every entry of a document and the references between them."""
    parsed = Parsed()
    if not isinstance(raw, Mapping):
        parsed.problems.append({"field": "", "message": "the document must be a JSON object"})
        return parsed
    if raw.get("format") != FORMAT:
        parsed.problems.append({"field": "format", "message": f"must be {FORMAT!r}"})
    for extra in sorted(set(raw) - {"format", *SECTIONS}):
        parsed.problems.append({"field": extra, "message": "unknown section"})
    defined: dict[Kind, set[str]] = {"concept": set(), "unit": set(), "question": set()}
    for section, (kind, model) in SECTIONS.items():
        entries = raw.get(section, [])
        if not isinstance(entries, list):
            parsed.problems.append({"field": section, "message": "must be a list"})
            continue
        for index, entry in enumerate(entries):
            entry_id = entry.get("id") if isinstance(entry, Mapping) else None
            if isinstance(entry_id, str):
                if entry_id in defined[kind]:
                    parsed.problems.append(
                        {"field": path([section, index, "id"]), "message": f"duplicate id {entry_id!r}"}
                    )
                defined[kind].add(entry_id)
            try:
                getattr(parsed, section).append(model.model_validate(entry))
                parsed.at[section].append(index)
            except ValidationError as error:
                parsed.problems += [
                    {"field": path([section, index, *e["loc"]]), "message": e["msg"]} for e in error.errors()
                ]
    _check_references(parsed, defined)
    return parsed


def _check_references(parsed: Parsed, defined: dict[Kind, set[str]]) -> None:
    refs: list[tuple[str, Kind, str]] = []
    for c, i in zip(parsed.concepts, parsed.at["concepts"], strict=True):
        refs += [(path(["concepts", i, "requires", n]), "concept", p) for n, p in enumerate(c.requires)]
    for u, i in zip(parsed.units, parsed.at["units"], strict=True):
        refs += [(path(["units", i, "units", n]), "unit", child) for n, child in enumerate(u.units)]
        refs += [(path(["units", i, "questions", n]), "question", q) for n, q in enumerate(u.questions)]
        refs += [
            (path(["units", i, "filter_scope", n]), "unit", s) for n, s in enumerate(u.filter_scope or [])
        ]
    for q, i in zip(parsed.questions, parsed.at["questions"], strict=True):
        refs += [
            (path(["questions", i, "concepts", n, "id"]), "concept", c.id) for n, c in enumerate(q.concepts)
        ]
    seen: set[tuple[str, str, str]] = set()
    for ref_field, kind, ref in refs:
        owner = ref_field.rsplit("[", 1)[0]
        if (owner, kind, ref) in seen:
            parsed.problems.append({"field": ref_field, "message": f"{ref!r} is listed twice"})
        seen.add((owner, kind, ref))
        if ref not in defined[kind]:
            parsed.unresolved.append((ref_field, kind, ref))


def find_cycles(edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Cycles of a directed graph, one per back edge a depth-first search meets, as closed paths."""
    state: dict[str, int] = {}  # 1 while on the current path, 2 when finished
    cycles: list[list[str]] = []
    for root in sorted(edges):
        if root in state:
            continue
        trail, stack = [root], [iter(edges.get(root, ()))]
        state[root] = 1
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[trail.pop()] = 2
                stack.pop()
            elif state.get(child) == 1:
                cycles.append([*trail[trail.index(child) :], child])
            elif child not in state:
                state[child] = 1
                trail.append(child)
                stack.append(iter(edges.get(child, ())))
    return cycles
