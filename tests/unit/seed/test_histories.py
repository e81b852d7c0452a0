"""Simulated attempt histories: shape, time order, determinism, a sensible study path, and the CSV layout."""

from __future__ import annotations

import csv
import gzip
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from seed.curriculum import build_curriculum
from seed.histories import CSV_COLUMNS, simulate_histories, simulate_students, write_attempts_csv
from seed.simulator import Simulator, Student

START = datetime(2025, 1, 6, tzinfo=UTC)


@cache
def document() -> dict[str, Any]:
    return build_curriculum(questions_per_section=10)


def rows(n: int = 40, seed: int = 5) -> list[dict[str, Any]]:
    return list(simulate_histories(document(), n_students=n, start=START, days=30, seed=seed))


def test_rows_have_the_contract_keys_and_stay_in_each_students_time_order() -> None:
    history = rows()
    question_ids = {q["id"] for q in document()["questions"]}
    per_user: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in history:
        assert set(row) == {"attempt_id", "user_id", "question_id", "correct", "at", "time_spent_ms"}
        assert row["question_id"] in question_ids and isinstance(row["correct"], bool)
        assert row["at"].tzinfo is not None and row["at"].utcoffset() == timedelta(0)
        assert START <= row["at"] < START + timedelta(days=32) and row["time_spent_ms"] > 0
        per_user[row["user_id"]].append(row)
    assert len(per_user) == 40 and len({r["attempt_id"] for r in history}) == len(history)
    for attempts in per_user.values():
        assert 20 <= len(attempts) <= 120
        times = [a["at"] for a in attempts]
        assert times == sorted(times) and len(set(times)) == len(times)
        # an attempt ends before the next one starts
        assert all(
            b - a >= timedelta(milliseconds=x["time_spent_ms"])
            for a, b, x in zip(times[:-1], times[1:], attempts[:-1], strict=True)
        )
    assert 0.5 < sum(r["correct"] for r in history) / len(history) < 0.85


def test_same_seed_same_history_other_seed_other_history() -> None:
    assert rows(5, seed=5) == rows(5, seed=5)
    assert [r["correct"] for r in rows(5, seed=5)] != [r["correct"] for r in rows(5, seed=6)]


def test_default_policy_moves_forward_through_the_curriculum_and_students_learn() -> None:
    sim = Simulator(document(), seed=9)
    later_is_deeper = learned = 0
    for student, attempts in simulate_students(document(), n_students=30, start=START, seed=9, simulator=sim):
        depth = [sim.index[sim.questions[a["question_id"]].concept_ids[0]] for a in attempts]
        half = len(depth) // 2
        later_is_deeper += sum(depth[half:]) / (len(depth) - half) > sum(depth[:half]) / half
        end = attempts[-1]["at"]
        learned += sim.mean_skill(student, end) > sim.mean_skill(sim.new_student(student.user_id), end)
    assert later_is_deeper >= 27 and learned == 30


class _Always:
    """A policy that always asks the same question and remembers what it heard."""

    def __init__(self, question_id: str) -> None:
        self.question_id = question_id
        self.heard: Counter[bool] = Counter()

    def choose(self, student: Student, at: datetime, rng: random.Random) -> str:
        return self.question_id

    def observe(self, student: Student, question_id: str, correct: bool) -> None:
        self.heard[correct] += 1


def test_a_custom_policy_chooses_and_hears_every_attempt() -> None:
    policy = _Always("q-frac-add-0001")
    history = list(
        simulate_histories(
            document(), n_students=3, attempts_per_student=(10, 10), start=START, policy=policy
        )
    )
    assert {r["question_id"] for r in history} == {"q-frac-add-0001"} and len(history) == 30
    assert policy.heard[True] == sum(r["correct"] for r in history)


def test_csv_has_the_assistments_columns_and_a_whole_student_split(tmp_path: Path) -> None:
    history = rows(60)
    path = tmp_path / "attempts.csv.gz"
    assert write_attempts_csv(history, path, document=document()) == len(history)
    with gzip.open(path, "rt", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert list(written[0]) == CSV_COLUMNS and len(written) == len(history)
    splits: dict[str, set[str]] = defaultdict(set)
    for row, attempt in zip(written, history, strict=True):
        assert row["item_id"] == attempt["question_id"] and row["correct"] == str(int(attempt["correct"]))
        assert datetime.fromisoformat(row["timestamp"]) == attempt["at"]
        splits[row["user_id"]].add(row["split"])
    assert all(len(s) == 1 for s in splits.values())
    assert 3 <= sum(s == {"test"} for s in splits.values()) <= 24
    first = [r for r in written if r["user_id"] == written[0]["user_id"]]
    assert [int(r["seq_idx"]) for r in first] == list(range(len(first)))
    concepts = {q["id"]: [c["id"] for c in q["concepts"]] for q in document()["questions"]}
    assert all(r["skill_ids"].split("~") == concepts[r["item_id"]] for r in written)
