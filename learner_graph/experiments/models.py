"""Experiment definitions and the metrics results report (an arm's overrides: `mixer/settings.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, Strict

from learner_graph.fields import Id, Input, Text, Time

Status = Literal["draft", "running", "stopped"]
Key = str

# Per-user metrics over the exposure window; definitions in docs/EXPERIMENTS.md.
METRICS: tuple[str, ...] = (
    "attempts",
    "practice_minutes",
    "accuracy",
    "active_days",
    "returned_7d",
    "mastery_gained",
    "ability_gain",
    "delayed_retention",
    "dismissals",
)
LOWER_IS_BETTER = frozenset({"dismissals"})


class Arm(Input):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    weight: float = Field(ge=0, le=1)
    overrides: dict[str, Any] = Field(default_factory=dict)


class Namespace(Input):
    """Experiments sharing a namespace name with disjoint ranges never share a user."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    range: Annotated[tuple[float, float], Strict(False)]


class ExperimentCreate(Input):
    """What an admin sends to define an experiment; rules across fields are checked by the service."""

    key: Key = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: Text = Field(default="", max_length=2000)
    hypothesis: Text = Field(default="", max_length=2000)
    seed: str | None = Field(default=None, max_length=200, description="hashing seed; default the key")
    coverage: float = Field(default=1.0, ge=0, le=1)
    arms: list[Arm] = Field(min_length=2, max_length=10)
    control: str
    primary_metrics: list[str] = Field(default_factory=list)
    secondary_metrics: list[str] = Field(default_factory=list)
    guardrail_metrics: list[str] = Field(default_factory=list)
    namespace: Namespace | None = None
    units: list[Id] | None = Field(default=None, description="limit to these units; null = all")
    apps: list[Id] | None = Field(
        default=None, max_length=100, description="limit to learners of these apps (tenants); null = all"
    )
    start: Time | None = None
    end: Time | None = None


class Experiment(ExperimentCreate):
    """An experiment as stored and shown."""

    model_config = ConfigDict(extra="ignore", strict=False)

    seed: str
    uid: str = Field(default="", description="random id of this creation; changes if re-created")
    status: Status = "draft"
    created_at: datetime | None = None

    def arm(self, name: str) -> Arm | None:
        return next((a for a in self.arms if a.name == name), None)


class CoverageUpdate(Input):
    """The one change allowed while running: widening coverage moves nobody already assigned."""

    coverage: float = Field(ge=0, le=1)


@dataclass(frozen=True)
class Assignment:
    """The arm a user gets in one running experiment, and the settings it overrides."""

    experiment_key: str
    arm: str
    overrides: dict[str, Any] = field(default_factory=dict)
