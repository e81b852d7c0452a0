"""Content entities: one shape serves as the public view, the create body and the document entry.

The public view of a concept, unit or question is exactly its entry in the content document
(docs/GRAPH.md), so export is a list of views and import compares views to decide what changed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, Field, model_validator

from learner_graph.fields import Id, Input, Name, Text, UnitKind

T = TypeVar("T")


class Strict(Input):
    """Unknown fields are refused so a typo is a 422 rather than silently ignored; no coercion."""


class Concept(Strict):
    id: Id
    name: Name
    description: Text = Field(default="", max_length=10_000)
    subject: Name
    requires: list[Id] = Field(default_factory=list, description="ids of the direct prerequisites")


class ConceptUpdate(Strict):
    name: Name | None = None
    description: Text | None = Field(default=None, max_length=10_000)
    subject: Name | None = None


class Unit(Strict):
    id: Id
    name: Name
    kind: UnitKind
    units: list[Id] = Field(default_factory=list, description="child units, in order")
    questions: list[Id] = Field(default_factory=list, description="questions, in order")
    filter_scope: list[Id] | None = Field(
        default=None, description="units whose attempts count; null: itself"
    )


class UnitUpdate(Strict):
    name: Name | None = None
    kind: UnitKind | None = None
    filter_scope: list[Id] | None = None


class ConceptWeight(Strict):
    id: Id
    weight: float = Field(ge=0.01, le=1, description="how much the question assesses the concept, 0.01-1")


class Question(Strict):
    id: Id
    text: Text = Field(min_length=1, max_length=10_000)
    difficulty_tag: int = Field(ge=1, le=5, description="1 (easiest) .. 5 (hardest)")
    concepts: list[ConceptWeight] = Field(description="may be empty only after a cascaded concept delete")
    answer: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _concepts_once(self) -> Question:
        ids = [c.id for c in self.concepts]
        if len(ids) != len(set(ids)):
            raise ValueError("concepts: each concept may be listed once")
        return self


class QuestionCreate(Question):
    """A new question must assess at least one concept."""

    concepts: list[ConceptWeight] = Field(min_length=1)


class QuestionUpdate(Strict):
    text: Text | None = Field(default=None, min_length=1, max_length=10_000)
    difficulty_tag: int | None = Field(default=None, ge=1, le=5)
    concepts: list[ConceptWeight] | None = Field(default=None, min_length=1)
    answer: dict[str, Any] | None = None


class EdgeResult(BaseModel):
    """The answer to adding or removing one edge; `changed` is false when it was already so."""

    source: str
    target: str
    changed: bool
    version: int
