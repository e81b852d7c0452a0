"""The write path's parameters built from a batch (no database involved)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from learner_graph.db.graph import Unlogged
from learner_graph.db.queries import Queries
from learner_graph.learners.attempts import Written, _written, placed, users_of
from learner_graph.learners.memory import MemoryState


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


def test_placed_rows_name_their_learner_and_question_by_position_sorted_by_question() -> None:
    # `attempts_write`'s `merged` takes a row's nodes from these positions, never by its ids again
    rows = [
        {"index": 0, "user_id": "u2", "question_id": "q-c"},
        {"index": 1, "user_id": "u1", "question_id": "q-b"},
        {"index": 2, "user_id": "u2", "question_id": "q-a"},
    ]
    question_ids = ["q-a", "q-b", "q-c"]
    users = users_of(rows, question_ids)
    sent = placed(rows, question_ids, users)
    assert [(r["index"], r["user"], r["question"]) for r in sent] == [(2, 1, 0), (1, 0, 1), (0, 1, 2)]
    assert all(users[r["user"]]["user_id"] == r["user_id"] for r in sent)
    assert all(question_ids[r["question"]] == r["question_id"] for r in sent)
    assert "user" not in rows[0]  # the caller's rows are left as they were


def test_unlogged_rows_are_the_list_but_repr_only_their_length() -> None:
    # the driver repr's every RUN's parameters for a debug line, logged or not
    rows = [{"user_id": f"u{i}", "answer": "x" * 100} for i in range(500)]
    quiet = Unlogged(rows)
    assert quiet == rows and isinstance(quiet, list) and list(quiet) == rows
    assert repr(quiet) == "<500 items>"
    assert repr({"rows": quiet}) == "{'rows': <500 items>}"


def test_written_is_built_in_full_only_for_learners_whose_state_may_be_carried() -> None:
    at = datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=UTC)
    stored = [{"user_id": u, "user": {"timezone": "UTC"}} for u in ("u1", "u2")]
    created = [
        {"user_id": u, "question_id": "q", "at": at.isoformat(), "props": {"correct": True, "time_ms": 7}}
        for u in ("u1", "u2")
    ]
    state = MemoryState(stability=1.0, difficulty=5.0, due=at, last_review=at, reps=1)
    changed = {("u1", "c"): state, ("u2", "c"): state}
    written = _written(stored, created, changed, carry={"u1"})
    whole = at.replace(microsecond=123000)  # as Neo4j's epochMillis reads it back
    assert written["u1"].attempts == [{"question_id": "q", "correct": True, "at": whole, "time_ms": 7}]
    assert written["u1"].memory == {"c": replace(state, due=whole, last_review=whole)}
    assert written["u2"] == Written({"timezone": "UTC"})  # its kept entry, if any, is dropped


def test_memory_write_stores_every_field_a_state_row_carries(queries: Queries) -> None:
    # memory_write names each property (a `SET m += row.state` made the planner buffer every row
    # in Eagers): a field added to MemoryState must be added to both of its writes, or it is lost
    sent = set(MemoryState().to_row()["state"])
    text = queries["memory_write"]
    updated, created = text.split("UNWIND $creates", 1)
    assert set(re.findall(r"m\.(\w+) = row\.state\.(\w+)", updated)) == {(k, k) for k in sent}
    assert set(re.findall(r"(\w+): row\.state\.(\w+)", created)) == {(k, k) for k in sent}
