"""Assignment against GrowthBook's published cases, and the guarantees built on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from learner_graph.experiments.assignment import (
    bucket_ranges,
    choose_arm,
    choose_variation,
    hash_v1,
    hash_v2,
    in_namespace,
)
from learner_graph.experiments.models import Arm, Experiment, Namespace

CASES = json.loads((Path(__file__).parents[2] / "fixtures" / "growthbook_cases.json").read_text())


@pytest.mark.parametrize(("seed", "value", "version", "expected"), CASES["hash"])
def test_hash_matches_growthbook(seed: str, value: str, version: int, expected: float) -> None:
    got = hash_v1(seed, value) if version == 1 else hash_v2(seed, value)
    assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("name", "args", "expected"), CASES["getBucketRange"])
def test_bucket_ranges_match_growthbook(name: str, args: list, expected: list) -> None:
    n_arms, coverage, weights = args
    got = bucket_ranges(n_arms, coverage, weights)
    assert len(got) == len(expected)
    for (start, end), (want_start, want_end) in zip(got, expected, strict=True):
        assert start == pytest.approx(want_start) and end == pytest.approx(want_end)


@pytest.mark.parametrize(("name", "n", "ranges", "expected"), CASES["chooseVariation"])
def test_choose_variation_matches_growthbook(name: str, n: float, ranges: list, expected: int) -> None:
    assert choose_variation(n, [tuple(r) for r in ranges]) == expected


@pytest.mark.parametrize(("name", "user_id", "namespace", "expected"), CASES["inNamespace"])
def test_in_namespace_matches_growthbook(name: str, user_id: str, namespace: list, expected: bool) -> None:
    assert in_namespace(user_id, tuple(namespace)) is expected  # type: ignore[arg-type]
    model = Namespace(name=namespace[0], range=(namespace[1], namespace[2]))
    assert in_namespace(user_id, model) is expected


@pytest.mark.parametrize(("name", "user_id", "spec", "expected"), CASES["runHashV2"])
def test_run_cases_with_seed_and_hash_v2(name: str, user_id: str, spec: dict, expected: int) -> None:
    ranges = spec.get("ranges") or bucket_ranges(spec["n"], spec.get("coverage", 1), spec.get("weights"))
    assert choose_variation(hash_v2(spec["seed"], user_id), [tuple(r) for r in ranges]) == expected


def _experiment(
    coverage: float = 1.0, weights: tuple[float, ...] = (0.5, 0.5), **extra: object
) -> Experiment:
    arms = [Arm(name=f"arm{i}", weight=w) for i, w in enumerate(weights)]
    return Experiment(key="ramp", seed="ramp-seed", coverage=coverage, arms=arms, control="arm0", **extra)


USERS = [f"user-{i}" for i in range(3000)]


def test_same_user_same_arm_from_a_fresh_definition() -> None:
    first = [choose_arm(_experiment(), u) for u in USERS]
    again = [choose_arm(_experiment(), u) for u in USERS]
    assert first == again
    assert {a for a in first} == {"arm0", "arm1"}


def test_raising_coverage_moves_nobody() -> None:
    steps = [0.1, 0.25, 0.5, 0.9, 1.0]
    previous = {u: choose_arm(_experiment(coverage=steps[0]), u) for u in USERS}
    for coverage in steps[1:]:
        current = {u: choose_arm(_experiment(coverage=coverage), u) for u in USERS}
        moved = [u for u, arm in previous.items() if arm is not None and current[u] != arm]
        assert moved == []
        assert sum(a is not None for a in current.values()) > sum(a is not None for a in previous.values())
        previous = current


def test_changing_weights_moves_some_users() -> None:
    before = {u: choose_arm(_experiment(weights=(0.5, 0.5)), u) for u in USERS}
    after = {u: choose_arm(_experiment(weights=(0.7, 0.3)), u) for u in USERS}
    moved = [u for u in USERS if before[u] != after[u]]
    assert moved and all(before[u] == "arm1" and after[u] == "arm0" for u in moved)


def test_disjoint_namespace_ranges_never_share_a_user() -> None:
    left = _experiment(namespace=Namespace(name="mixer", range=(0.0, 0.5)))
    right = _experiment(namespace=Namespace(name="mixer", range=(0.5, 1.0)))
    in_left = {u for u in USERS if choose_arm(left, u) is not None}
    in_right = {u for u in USERS if choose_arm(right, u) is not None}
    assert in_left and in_right
    assert not in_left & in_right
    assert len(in_left | in_right) == len(USERS)


def test_only_users_inside_the_namespace_range_are_assigned() -> None:
    narrow = _experiment(namespace=Namespace(name="mixer", range=(0.0, 0.2)))
    assigned = {u for u in USERS if choose_arm(narrow, u) is not None}
    inside = {u for u in USERS if hash_v1("__mixer", u) < 0.2}  # GrowthBook's namespace hash
    assert assigned == inside
    assert 0.15 < len(inside) / len(USERS) < 0.25


def test_empty_user_id_is_not_assigned() -> None:
    assert choose_arm(_experiment(), "") is None
