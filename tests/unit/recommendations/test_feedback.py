"""The feedback rule per stream: only a next-best item's dismissal moves the learner's target P."""

from __future__ import annotations

import json

import pytest

from learner_graph.recommendations.feedback import TARGET_STEP, served_kind, target_step


@pytest.mark.parametrize(
    ("reason", "kind", "step"),
    [
        ("too_easy", "next", -TARGET_STEP),
        ("too_hard", "next", TARGET_STEP),
        ("not_relevant", "next", 0.0),
        ("broken", "next", 0.0),
        (None, "next", 0.0),
        ("too_easy", "review", 0.0),
        ("too_hard", "review", 0.0),
        ("too_easy", "streak", 0.0),
        ("too_hard", "streak", 0.0),
        ("too_easy", None, 0.0),  # not found among the items: nothing to adjust
    ],
)
def test_only_next_best_dismissals_move_the_target(reason: str | None, kind: str | None, step: float) -> None:
    assert target_step(reason, kind) == step


def test_the_stream_is_read_from_the_stored_items() -> None:
    items = json.dumps([{"question_id": "q1", "kind": "streak"}, {"question_id": "q2", "kind": "next"}])
    assert served_kind(items, "q1") == "streak"
    assert served_kind(items, "q2") == "next"
    assert served_kind(items, "q3") is None
    assert served_kind(None, "q1") is None
