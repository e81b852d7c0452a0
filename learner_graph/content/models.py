"""Content entities: one shape serves as the public view, the create body and the document entry.

The public view of a concept, unit or question is exactly its entry in the content document
(docs/GRAPH.md), so export is a list of views and import compares views to decide what changed.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

Id = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")
Name = Field(min_length=1, max_length=500)
T = TypeVar("T")


class Strict(BaseModel):
    """Unknown fields are refused so a typo is a 422 rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Concept(Strict):
    id: str = Id
    name: str = Name
    description: str = ""
    subject: str = Name
    requires: list[str] = Field(default_factory=list, description="ids of the direct prerequisites")


class ConceptUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = None
    subject: str | None = Field(default=None, min_length=1, max_length=500)


class Unit(Strict):
    id: str = Id
    name: str = Name
    kind: str = Field(min_length=1, max_length=100)
    units: list[str] = Field(default_factory=list, description="child units, in order")
    questions: list[str] = Field(default_factory=list, description="questions, in order")
    filter_scope: list[str] | None = Field(
        default=None, description="units whose attempts count; null: itself"
    )


class UnitUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=500)
    kind: str | None = Field(default=None, min_length=1, max_length=100)
    filter_scope: list[str] | None = None


class ConceptWeight(Strict):
    id: str = Id
    weight: float = Field(gt=0, le=1)


class Question(Strict):
    id: str = Id
    text: str = Field(min_length=1)
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
    text: str | None = Field(default=None, min_length=1)
    difficulty_tag: int | None = Field(default=None, ge=1, le=5)
    concepts: list[ConceptWeight] | None = Field(default=None, min_length=1)
    answer: dict[str, Any] | None = None


class Page(BaseModel, Generic[T]):
    """One page of a filtered list, with the total number of matches."""

    items: list[T]
    total: int
    limit: int
    offset: int


class EdgeResult(BaseModel):
    """The answer to adding or removing one edge; `changed` is false when it was already so."""

    source: str
    target: str
    changed: bool
    version: int
