"""Slots per stream by largest remainder: weights that do not sum to one, missing keys, hand-backs."""

from __future__ import annotations

from learner_graph.mixer.slots import allocate

MANY = {"next": 99, "review": 99, "streak": 99}


def test_weights_need_not_sum_to_one() -> None:
    # 3:1 of 2 slots is 1.5 and 0.5: the tie on the remainder goes to the stream listed first.
    assert allocate(2, {"next": 3.0, "review": 1.0}, MANY) == {"next": 2, "review": 0, "streak": 0}
    weights = {"next": 3.0, "review": 1.0, "streak": 4.0}
    assert allocate(8, weights, MANY) == {"next": 3, "review": 1, "streak": 4}


def test_a_stream_without_a_weight_gets_nothing_while_a_weighted_one_has_candidates() -> None:
    assert allocate(2, {"next": 1.0}, {"next": 5, "review": 5}) == {"next": 2, "review": 0, "streak": 0}
    # and one missing from `available` has no candidates, whatever its weight
    assert allocate(2, {"next": 1.0, "streak": 1.0}, {"next": 5}) == {"next": 2, "review": 0, "streak": 0}


def test_without_any_weight_the_slots_are_shared_evenly() -> None:
    # 1.5 each, the tie to `next`, which has only 1: the slot it cannot use goes to `review`.
    assert allocate(3, {}, {"next": 1, "review": 5}) == {"next": 1, "review": 2, "streak": 0}


def test_a_stream_filled_early_takes_no_more_than_it_has_later() -> None:
    # Round 1: 5 each, `next` has 2. Round 2: 3 left between review (1 more) and streak.
    even = {"next": 1.0, "review": 1.0, "streak": 1.0}
    assert allocate(15, even, {"next": 2, "review": 6, "streak": 10}) == {"next": 2, "review": 6, "streak": 7}


def test_a_count_for_no_known_stream_ends_the_loop() -> None:
    # It counts toward what could be served but no stream can take it: stop instead of spinning.
    assert allocate(3, {"next": 1.0}, {"next": 1, "other": 2}) == {"next": 1, "review": 0, "streak": 0}  # type: ignore[dict-item]
