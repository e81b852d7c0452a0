"""The ordering rules: each scalar form and its array form give the same values."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from learner_graph.mixer.order import (
    KEY_SCALE,
    MASK64,
    TAG_P,
    UNTAGGED_P,
    key_round,
    key_units,
    mix64,
    question_hash,
    tiebreak,
    tiebreaks,
)

IDS = ["q1", "q2", "fractions-7", "", "ü"]


def test_mix64_is_splitmix64s_finaliser() -> None:
    # SplitMix64 seeded with 0 first outputs mix64(golden gamma) = 0xE220A8397B1DCDAF (the reference
    # sequence of Steele, Lea & Flood's generator), then mix64(2 * gamma).
    gamma = 0x9E3779B97F4A7C15
    assert mix64(gamma) == 0xE220A8397B1DCDAF
    assert mix64(2 * gamma & MASK64) == 0x6E789E6AA1B965F4
    assert mix64(0) == 0
    assert all(0 <= mix64(x) <= MASK64 for x in (2, 3, 1 << 63, MASK64 - 1))


def test_question_hash_is_blake2b_of_the_id() -> None:
    assert question_hash("q1") == int.from_bytes(hashlib.blake2b(b"q1", digest_size=8).digest(), "big")
    assert len({question_hash(q) for q in IDS}) == len(IDS)


@pytest.mark.parametrize("seed", [0, 1, 7, 2**31 - 1, -3, 2**70])
def test_array_tiebreaks_equal_the_scalar_ones(seed: int) -> None:
    hashes = np.array([question_hash(q) for q in IDS], dtype=np.uint64)
    assert [int(v) for v in tiebreaks(seed, hashes)] == [tiebreak(seed, q) for q in IDS]


def test_the_seed_changes_the_order() -> None:
    assert [tiebreak(1, q) for q in IDS] != [tiebreak(2, q) for q in IDS]
    assert tiebreak(5, "q1") == mix64(question_hash("q1") ^ mix64(5))


def test_key_rounding_agrees_between_forms() -> None:
    values = np.array([0.0, 0.0004, 0.0006, 0.1234, 0.5, 0.9999, 1.0])
    assert KEY_SCALE == 1000
    assert key_units(values).tolist() == [round(key_round(v) * KEY_SCALE) for v in values]
    assert key_units(values).tolist() == [0, 0, 1, 123, 500, 1000, 1000]
    assert key_round(0.12345) == 0.123


def test_tag_probabilities() -> None:
    assert TAG_P == {1: 0.85, 2: 0.7, 3: 0.55, 4: 0.4, 5: 0.25}
    assert UNTAGGED_P == 0.55


def test_key_units_are_integers() -> None:
    assert key_units(np.array([0.25])).dtype == np.int64
