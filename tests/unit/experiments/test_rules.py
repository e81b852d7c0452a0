"""Definition rules: every problem reported at once, each naming its field."""

from __future__ import annotations

from typing import Any

from learner_graph.experiments.models import Arm, Experiment, ExperimentCreate, Namespace
from learner_graph.experiments.rules import definition_problems, namespace_overlaps


def _definition(**changes: Any) -> ExperimentCreate:
    fields: dict[str, Any] = {
        "key": "target-p",
        "arms": [
            Arm(name="control", weight=0.5),
            Arm(name="easier", weight=0.5, overrides={"target_p": 0.7}),
        ],
        "control": "control",
        "primary_metrics": ["attempts"],
    }
    return ExperimentCreate(**(fields | changes))


def test_a_valid_definition_has_no_problems() -> None:
    assert definition_problems(_definition()) == []


def test_each_problem_is_named() -> None:
    arms = [
        Arm(name="control", weight=0.5, overrides={"colour": "red"}),
        Arm(name="control", weight=0.6, overrides={"target_p": 2, "model_version": 3, "band": True}),
    ]
    problems = definition_problems(
        _definition(
            arms=arms, control="nope", primary_metrics=["fun"], guardrail_metrics=["attempts", "attempts"]
        )
    )
    fields = sorted(p["field"] for p in problems)
    assert fields == sorted(
        [
            "arms",  # weights sum to 1.1
            "arms",  # duplicate names
            "control",
            "arms[0].overrides.colour",
            "arms[1].overrides.target_p",
            "arms[1].overrides.model_version",
            "arms[1].overrides.band",
            "primary_metrics[0]",
            "guardrail_metrics[1]",
        ]
    )
    assert any("sum to 1.1" in p["message"] for p in problems)


def test_namespace_range_and_window_are_checked() -> None:
    problems = definition_problems(
        _definition(
            namespace=Namespace(name="mixer", range=(0.6, 0.2)),
            start="2025-01-02T00:00:00Z",
            end="2025-01-01T00:00:00Z",
        )
    )
    assert sorted(p["field"] for p in problems) == ["end", "namespace.range"]


def test_overlapping_namespace_ranges_are_refused_unless_stopped() -> None:
    mine = Namespace(name="mixer", range=(0.4, 0.7))

    def other(key: str, start: float, end: float, status: str = "running", name: str = "mixer") -> Experiment:
        base = _definition(key=key, namespace=Namespace(name=name, range=(start, end))).model_dump()
        return Experiment(**base | {"seed": key, "status": status})

    others = [
        other("a", 0.0, 0.4),  # touches, does not overlap
        other("b", 0.6, 1.0),  # overlaps
        other("c", 0.5, 0.6, status="stopped"),
        other("d", 0.5, 0.6, name="other"),
    ]
    problems = namespace_overlaps(mine, others)
    assert [p["field"] for p in problems] == ["namespace.range"]
    assert "'b'" in problems[0]["message"]
