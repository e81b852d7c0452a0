"""Rules across the fields of an experiment definition, reported all at once, each naming its field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from learner_graph.experiments.models import METRICS, Experiment, ExperimentCreate, Namespace
from learner_graph.mixer import settings

Problem = dict[str, str]
_WEIGHT_EPSILON = 1e-6


def definition_problems(definition: ExperimentCreate) -> list[Problem]:
    """Every broken rule of one definition (empty when valid)."""
    return [
        *_arm_problems(definition),
        *_metric_problems(definition),
        *_namespace_problems(definition.namespace),
        *_time_problems(definition),
    ]


def namespace_overlaps(namespace: Namespace | None, others: Iterable[Experiment]) -> list[Problem]:
    """Ranges of the same namespace held by experiments not yet stopped must not overlap."""
    if namespace is None:
        return []
    start, end = namespace.range
    return [
        _problem(
            "namespace.range",
            f"[{start}, {end}) overlaps [{o_start}, {o_end}) of experiment {other.key!r} "
            f"in namespace {namespace.name!r}",
        )
        for other in others
        if other.namespace is not None
        and other.status != "stopped"
        and other.namespace.name == namespace.name
        for o_start, o_end in [other.namespace.range]
        if start < o_end and o_start < end
    ]


def override_problems(field: str, overrides: dict[str, Any]) -> list[Problem]:
    """Unknown override keys and values of the wrong type or out of range (the settings model's rules)."""
    return [_problem(f"{field}.{key}", message) for key, message in settings.override_problems(overrides)]


def _arm_problems(definition: ExperimentCreate) -> list[Problem]:
    problems = []
    total = sum(arm.weight for arm in definition.arms)
    if abs(total - 1) > _WEIGHT_EPSILON:
        problems.append(_problem("arms", f"arm weights must sum to 1 (they sum to {total:g})"))
    names = [arm.name for arm in definition.arms]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        problems.append(_problem("arms", f"arm names must be unique (repeated: {', '.join(duplicates)})"))
    if definition.control not in names:
        problems.append(_problem("control", f"{definition.control!r} is not one of the arms"))
    for index, arm in enumerate(definition.arms):
        problems += override_problems(f"arms[{index}].overrides", arm.overrides)
    return problems


def _metric_problems(definition: ExperimentCreate) -> list[Problem]:
    problems, seen = [], set()
    for kind in ("primary_metrics", "secondary_metrics", "guardrail_metrics"):
        for index, metric in enumerate(getattr(definition, kind)):
            if metric not in METRICS:
                known = ", ".join(METRICS)
                problems.append(_problem(f"{kind}[{index}]", f"unknown metric {metric!r} (known: {known})"))
            elif metric in seen:
                problems.append(_problem(f"{kind}[{index}]", f"metric {metric!r} is listed twice"))
            seen.add(metric)
    return problems


def _namespace_problems(namespace: Namespace | None) -> list[Problem]:
    if namespace is None:
        return []
    start, end = namespace.range
    if not 0 <= start < end <= 1:
        return [_problem("namespace.range", "must be [start, end) with 0 <= start < end <= 1")]
    return []


def _time_problems(definition: ExperimentCreate) -> list[Problem]:
    if definition.start and definition.end and definition.end <= definition.start:
        return [_problem("end", "must be after start")]
    return []


def _problem(field: str, message: str) -> Problem:
    return {"field": field, "message": message}
