"""Assignment edge cases the GrowthBook cases do not reach."""

from __future__ import annotations

from learner_graph.experiments.assignment import bucket_ranges, equal_weights


def test_equal_weights() -> None:
    assert equal_weights(0) == []
    assert equal_weights(1) == [1.0]
    assert equal_weights(4) == [0.25] * 4


def test_bucket_ranges_without_weights_split_evenly() -> None:
    assert bucket_ranges(2, 1.0, None) == [(0.0, 0.5), (0.5, 1.0)]
