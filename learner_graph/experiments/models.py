"""Experiment definitions and the metrics results report (an arm's overrides: `mixer/settings.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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
    "dismissals",
)
LOWER_IS_BETTER = frozenset({"dismissals"})


class Arm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    weight: float = Field(ge=0, le=1)
    overrides: dict[str, Any] = Field(default_factory=dict)


class Namespace(BaseModel):
    """Experiments sharing a namespace name with disjoint ranges never share a user."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    range: tuple[float, float]


class ExperimentCreate(BaseModel):
    """What an admin sends to define an experiment; rules across fields are checked by the service."""

    model_config = ConfigDict(extra="forbid")

    key: Key = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str = Field(default="", max_length=2000)
    hypothesis: str = Field(default="", max_length=2000)
    seed: str | None = Field(default=None, max_length=200, description="hashing seed; default the key")
    coverage: float = Field(default=1.0, ge=0, le=1)
    arms: list[Arm] = Field(min_length=2, max_length=10)
    control: str
    primary_metrics: list[str] = Field(default_factory=list)
    secondary_metrics: list[str] = Field(default_factory=list)
    guardrail_metrics: list[str] = Field(default_factory=list)
    namespace: Namespace | None = None
    units: list[str] | None = Field(default=None, description="limit to these units; null = all")
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None


class Experiment(ExperimentCreate):
    """An experiment as stored and shown."""

    model_config = ConfigDict(extra="ignore")

    seed: str
    uid: str = Field(default="", description="random id of this creation; changes if re-created")
    status: Status = "draft"
    created_at: datetime | None = None

    def arm(self, name: str) -> Arm | None:
        return next((a for a in self.arms if a.name == name), None)


class CoverageUpdate(BaseModel):
    """The one change allowed while running: widening coverage moves nobody already assigned."""

    model_config = ConfigDict(extra="forbid")

    coverage: float = Field(ge=0, le=1)


@dataclass(frozen=True)
class Assignment:
    """The arm a user gets in one running experiment, and the settings it overrides."""

    experiment_key: str
    arm: str
    overrides: dict[str, Any] = field(default_factory=dict)
