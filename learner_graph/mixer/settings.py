"""The one recommendation-settings model: every knob, its default and its bounds, defined once.

`MixSettings` is what the mixer reads. Its defaults below are the service's defaults (tune them
here, nowhere else). `Overrides` is the same model with every overridable field optional and the
same bounds: an admin request's `overrides` and an experiment arm's `overrides` both validate
against it. `merge` is the one order in which values apply:
defaults → service settings → experiment arms → admin override.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from learner_graph.mixer.models import Kind

TARGET_P_MIN = 0.05  # the target P(correct) never leaves [TARGET_P_MIN, TARGET_P_MAX] ...
TARGET_P_MAX = 0.95
MAX_TARGET_OFFSET = 0.2  # ... and a student's too_easy / too_hard feedback moves it at most this far
REVIEW_RETENTION_MIN = 0.7
REVIEW_RETENTION_MAX = 0.99


# Each bound, once: the settings model and the overrides model below share these types.
Weight = Annotated[float, Field(ge=0, le=1, strict=True)]
TargetP = Annotated[float, Field(ge=TARGET_P_MIN, le=TARGET_P_MAX, strict=True)]
Band = Annotated[float, Field(gt=0, le=0.5, strict=True)]
Retention = Annotated[float, Field(ge=REVIEW_RETENTION_MIN, le=REVIEW_RETENTION_MAX, strict=True)]
GoalScale = Annotated[float, Field(ge=0.25, le=4.0, strict=True)]
ModelVersion = Annotated[str, Field(min_length=1, max_length=200, strict=True)]


class MixSettings(BaseModel):
    """Every knob of a recommendation, with the service's defaults (tune them here, nowhere else)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Tuned on simulated learners who forget (docs/BENCHMARKS.md, "Learning outcomes"): streak wins
    # teach little, review keeps what was learned; 0.4 / 0.3 / 0.3 until 2026-12. Round 4's frontier
    # (benchmarks/results/outcomes_tuning.json) gains more only by aiming next items above the
    # promised 0.5; at 0.5 these weights gain the most, so they and target_p stay.
    weight_next: Weight = 0.3
    weight_review: Weight = 0.6
    weight_streak: Weight = 0.1
    target_p: TargetP = 0.5
    # Readiness: a concept counts as known, and the concepts that require it become ready, once the
    # model expects its questions right this often. Until 2026-12 it was the learner's target P; 0.55
    # in round 12, 0.58 since the training's served calibration (docs/BENCHMARKS.md, round 13).
    known_p: TargetP = 0.58
    band: Band = 0.15
    # A review question's P(correct) band. 0.7–0.85 until 2026-12: on learners who forget, review at
    # 0.55–0.70 teaches more (delayed post-test, docs/BENCHMARKS.md "Learning outcomes", round 3).
    review_low: float = 0.55
    review_high: float = 0.70
    quick_win_p: float = 0.8  # a streak question is at least this likely right
    recent_hours: float = 12.0  # a question attempted this recently is not served again
    review_retention: Retention = 0.9
    daily_goal_scale: GoalScale = 1.0
    model_version: ModelVersion | None = None  # pin a model version (experiment arms)
    seed: int = 0  # the request's tie-break seed

    def weights(self) -> dict[Kind, float]:
        return {"next": self.weight_next, "review": self.weight_review, "streak": self.weight_streak}


class Overrides(BaseModel):
    """Settings an admin may override per request; experiment arms validate against it too."""

    model_config = ConfigDict(extra="forbid", strict=True)  # "0.7" is not a number (docs/API.md)

    weight_next: Weight | None = None
    weight_review: Weight | None = None
    weight_streak: Weight | None = None
    target_p: TargetP | None = None
    known_p: TargetP | None = None
    band: Band | None = None
    review_retention: Retention | None = None
    model_version: ModelVersion | None = None
    daily_goal_scale: GoalScale | None = None


DEFAULTS = MixSettings()
OVERRIDABLE: tuple[str, ...] = tuple(Overrides.model_fields)


def override_problems(overrides: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, message) for every unknown key or bad value of an arm's or a request's overrides."""
    try:
        Overrides.model_validate(dict(overrides))
    except ValidationError as error:
        problems = []
        for e in error.errors():
            key = str(e["loc"][0]) if e["loc"] else ""
            if e["type"] == "extra_forbidden":
                problems.append((key, f"unknown override {key!r} (known: {', '.join(sorted(OVERRIDABLE))})"))
            else:
                problems.append((key, str(e["msg"])))
        return problems
    return []


_FIELDS = frozenset(MixSettings.model_fields)


def merge(
    *,
    service: Mapping[str, Any] | None = None,
    arms: Iterable[Mapping[str, Any]] = (),
    admin: Mapping[str, Any] | None = None,
    seed: int = 0,
    defaults: MixSettings = DEFAULTS,
) -> MixSettings:
    """The settings of one request: `defaults`, then the service's, each arm's, the admin's.

    Later sources win; a None value leaves the earlier one. Every source was validated against
    this model where it came in (start-up, experiment definition, request body), so nothing is
    validated again here.
    """
    update: dict[str, Any] = {}
    for source in (service or {}, *arms, admin or {}):
        update.update((k, v) for k, v in source.items() if v is not None and k in _FIELDS)
    update["seed"] = seed
    return defaults.model_copy(update=update)


def with_target_offset(settings: MixSettings, offset: float) -> MixSettings:
    """The student's own target: `offset` (capped at ±MAX_TARGET_OFFSET) added, kept within bounds."""
    offset = max(-MAX_TARGET_OFFSET, min(MAX_TARGET_OFFSET, offset))
    target = min(TARGET_P_MAX, max(TARGET_P_MIN, settings.target_p + offset))
    return settings.model_copy(update={"target_p": target})
