"""The one settings model: defaults, bounds, overrides and the merge order."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from learner_graph.mixer.settings import (
    DEFAULTS,
    MAX_TARGET_OFFSET,
    OVERRIDABLE,
    TARGET_P_MAX,
    TARGET_P_MIN,
    MixSettings,
    Overrides,
    merge,
    override_problems,
    with_target_offset,
)


def test_defaults() -> None:
    assert DEFAULTS.weights() == {"next": 0.3, "review": 0.6, "streak": 0.1}  # tuned (BENCHMARKS.md)
    assert (DEFAULTS.target_p, DEFAULTS.band, DEFAULTS.review_retention, DEFAULTS.daily_goal_scale) == (
        0.5, 0.15, 0.9, 1.0,
    )
    assert DEFAULTS.known_p == 0.58  # readiness, set from round 13's study (BENCHMARKS.md)
    assert (DEFAULTS.review_low, DEFAULTS.review_high, DEFAULTS.quick_win_p, DEFAULTS.recent_hours) == (
        0.55, 0.7, 0.8, 12.0,
    )
    assert (DEFAULTS.model_version, DEFAULTS.seed) == (None, 0)


def test_overrides_are_exactly_the_overridable_fields_with_the_same_bounds() -> None:
    assert OVERRIDABLE == (
        "weight_next", "weight_review", "weight_streak", "target_p", "known_p", "band", "review_retention",
        "model_version", "daily_goal_scale",
    )
    bounds = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength")
    settings = MixSettings.model_json_schema()["properties"]
    overrides = Overrides.model_json_schema()["properties"]
    for name in OVERRIDABLE:
        own = {k: v for k, v in settings[name].items() if k in bounds}
        own = own or {k: v for k, v in settings[name].get("anyOf", [{}])[0].items() if k in bounds}
        assert own == {k: v for k, v in overrides[name]["anyOf"][0].items() if k in bounds}, name


@pytest.mark.parametrize(
    ("key", "good", "bad"),
    [
        ("weight_next", [0, 0.5, 1], [-0.01, 1.01]),
        ("target_p", [TARGET_P_MIN, 0.5, TARGET_P_MAX], [0.049, 0.951]),
        ("known_p", [TARGET_P_MIN, 0.55, TARGET_P_MAX], [0.049, 0.951]),
        ("band", [0.01, 0.5], [0, 0.51]),
        ("review_retention", [0.7, 0.99], [0.69, 0.995]),
        ("daily_goal_scale", [0.25, 4.0], [0.2, 4.1]),
        ("model_version", ["m1"], ["", 3]),
    ],
)
def test_each_bound_is_enforced_alike(key: str, good: list[object], bad: list[object]) -> None:
    for value in good:
        assert override_problems({key: value}) == []
        assert getattr(MixSettings(**{key: value}), key) == value
    for value in bad:
        assert [k for k, _ in override_problems({key: value})] == [key]
        with pytest.raises(ValidationError):
            MixSettings(**{key: value})


def test_booleans_and_strings_are_not_numbers() -> None:
    assert sorted(k for k, _ in override_problems({"band": True, "target_p": "0.5"})) == ["band", "target_p"]


def test_unknown_keys_are_named() -> None:
    problems = override_problems({"colour": "red", "target_p": 0.5})
    known = ("band, daily_goal_scale, known_p, model_version, review_retention, target_p, weight_next, "
             "weight_review, ")
    assert problems == [("colour", f"unknown override 'colour' (known: {known}weight_streak)")]


def test_merge_order_defaults_service_arms_admin() -> None:
    merged = merge(
        service={"review_retention": 0.8, "target_p": 0.55},
        arms=[{"target_p": 0.6, "band": 0.1}, {"band": 0.2, "weight_next": 0.9}],
        admin={"weight_next": 0.1, "band": None},
        seed=9,
    )
    assert merged == MixSettings(review_retention=0.8, target_p=0.6, band=0.2, weight_next=0.1, seed=9)
    assert merge() == DEFAULTS
    assert merge(service={"not_a_setting": 1}) == DEFAULTS
    assert merge(seed=4, defaults=MixSettings(band=0.3)) == MixSettings(band=0.3, seed=4)


def test_target_offset_is_capped_and_the_target_bounded() -> None:
    assert MAX_TARGET_OFFSET == 0.2
    assert with_target_offset(DEFAULTS, 0.1).target_p == pytest.approx(0.6)
    assert with_target_offset(DEFAULTS, -0.5).target_p == pytest.approx(0.3)
    assert with_target_offset(DEFAULTS, 0.5).target_p == pytest.approx(0.7)
    assert with_target_offset(MixSettings(target_p=0.9), 0.2).target_p == TARGET_P_MAX
    assert with_target_offset(MixSettings(target_p=0.1), -0.2).target_p == TARGET_P_MIN
    assert with_target_offset(MixSettings(target_p=0.3, band=0.2), 0.0) == MixSettings(target_p=0.3, band=0.2)


def test_a_bound_problem_carries_pydantics_message() -> None:
    message = "Input should be less than or equal to 0.95"
    assert override_problems({"target_p": 0.99}) == [("target_p", message)]
