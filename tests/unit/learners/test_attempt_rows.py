"""The write path's parameters built from a batch (no database involved)."""

from __future__ import annotations

from learner_graph.learners.attempts import users_of


def test_users_of_gives_each_user_once_by_id_with_their_questions_as_positions() -> None:
    # `attempts_write` finds a user's concepts through these positions in `$question_ids`
    rows = [
        {"user_id": "u2", "question_id": "q-c"},
        {"user_id": "u1", "question_id": "q-b"},
        {"user_id": "u2", "question_id": "q-a"},
        {"user_id": "u1", "question_id": "q-b"},
    ]
    assert users_of(rows, ["q-a", "q-b", "q-c"]) == [
        {"user_id": "u1", "questions": [1]},
        {"user_id": "u2", "questions": [0, 2]},
    ]
