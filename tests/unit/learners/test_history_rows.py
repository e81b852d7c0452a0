"""CSV rows as attempts, column by column, against the obvious row-by-row conversion."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from learner_graph.errors import Invalid
from learner_graph.learners.history_import import SESSION_SIZE, SYNTHETIC_START, attempts, lanes
from learner_graph.learners.models import AttemptIn


def one_by_one(row: dict[str, Any], prefix: str) -> AttemptIn:
    """The definition: stable ids, the given time or a synthetic one, 30 s when no time is given."""
    seq = int(row["seq_idx"])
    stamp = row.get("timestamp")
    if isinstance(stamp, str):
        at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    else:
        minute = int(hashlib.sha1(str(row["user_id"]).encode()).hexdigest()[:6], 16) % (24 * 60)
        day, step = divmod(seq, SESSION_SIZE)
        at = SYNTHETIC_START + timedelta(days=day, minutes=minute, seconds=90 * step)
    spent = row.get("time_spent_ms")
    return AttemptIn(
        attempt_id=f"{prefix}{row['user_id']}-{seq}",
        user_id=f"{prefix}{row['user_id']}",
        question_id=f"{prefix}{row['item_id']}",
        correct=bool(int(row["correct"])),
        time_spent_ms=int(spent) if spent is not None and spent == spent else 30_000,
        at=at,
    )


def frame(n: int, *, times: bool) -> pd.DataFrame:
    rows = {
        "user_id": [str(7 + i % 3) for i in range(n)],
        "seq_idx": [i // 3 for i in range(n)],
        "item_id": [f"{100 + i % 5}" for i in range(n)],
        "skill_ids": ["1~2"] * n,
        "correct": [i % 2 for i in range(n)],
    }
    if times:
        given = [f"2024-05-0{1 + i % 7}T10:{i % 60:02d}:00+02:00" for i in range(n)]
        rows["timestamp"] = [None if i % 4 == 0 else t for i, t in enumerate(given)]
        rows["time_spent_ms"] = [None if i % 5 == 0 else 1_000 * i for i in range(n)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("times", [False, True])
def test_rows_become_the_same_attempts_as_one_by_one(times: bool) -> None:
    data = frame(90, times=times)
    records: list[dict[str, Any]] = data.to_dict("records")  # type: ignore[assignment]
    expected = [one_by_one(row, "x-") for row in records]
    got = attempts(data, prefix="x-")
    assert [a.model_dump() for a in got] == [a.model_dump() for a in expected]
    assert all(a.at is not None and a.at.tzinfo == UTC for a in got)


def test_an_id_breaking_the_rule_refuses_the_file_naming_its_row() -> None:
    data = frame(6, times=False)
    data.loc[4, "item_id"] = "bad id"
    with pytest.raises(Invalid) as refused:
        attempts(data, prefix="x-")
    assert [p["field"] for p in refused.value.details] == ["rows[4].question_id"]


def test_lanes_keep_each_learners_attempts_in_one_lane_in_file_order() -> None:
    # the lane of a learner is fixed by their id (a resumed import finds its batches where it left them)
    items = attempts(frame(90, times=False), prefix="x-")
    got = lanes(items, 7, 3)
    expected: list[list[AttemptIn]] = [[], [], []]
    for item in items:
        expected[int(hashlib.sha1(item.user_id.encode()).hexdigest()[:8], 16) % 3].append(item)
    assert [[a for batch in lane for a in batch] for lane in got] == expected
    assert all(len(batch) <= 7 for lane in got for batch in lane)
